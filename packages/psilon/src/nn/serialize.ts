/** Saving and loading trained models as JSON (config, named parameters with shapes, dtypes and values). */
import * as C from '@psilon/core';
import { checkPreprocessing, type Preprocessing } from '../data/prepared.js';
import { checkParameterCount, NET_REGULARIZERS, NormNet, NormResNet, parameterLayout, RESNET_REGULARIZERS, type Model, type NetConfig } from './models.js';

/** The JSON form of a model. Version 2 names parameters as the reference code does (`embedder.weight`, …). */
export interface SavedModel {
  /** Always `psilon-model` (tells a model file from others). */
  format: 'psilon-model';
  /** The layout's version: 2 names parameters as the reference code does; 1 is read too. */
  version: 1 | 2;
  /** The resolved configuration the model is rebuilt from. */
  config: NetConfig;
  /** Every parameter, in `namedParameters()` order. */
  parameters: {
    /** The parameter's name (`embedder.weight`, `representer.0.linear.g`, …). */
    name: string;
    /** Its shape. */
    shape: number[];
    /** Its element type. */
    dtype: C.DType;
    /** Its values, flat and row-major. */
    values: number[];
  }[];
  /** How the training data was prepared, when the model was trained on a table (for `predict`/`evaluate`). */
  preprocessing?: Preprocessing;
}

/** Names of a model's parameters, in `parameters()` order (the reference code's names). */
export function parameterNames(model: Model): string[] {
  return model.namedParameters().map(([n]) => n);
}

/**
 * The model as JSON-ready data. Pruned weights keep their exact zeros.
 * @param model the model to save (not changed)
 * @param preprocessing how its training table was prepared, for `predict` on raw tables (default: none)
 */
export async function saveModel(model: Model, preprocessing?: Preprocessing): Promise<SavedModel> {
  return {
    ...(preprocessing ? { preprocessing } : {}),
    format: 'psilon-model',
    version: 2,
    config: { ...model.config },
    parameters: await Promise.all(model.namedParameters().map(async ([name, p]) => ({ name, shape: [...p.shape], dtype: p.dtype, values: Array.from(await p.data()) }))),
  };
}

/** A value for a one-line message (strings quoted, long ones cut). */
function show(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? `[${v.slice(0, 4).map(show).join(', ')}${v.length > 4 ? ', …' : ''}]` : String(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Throws unless `saved.config` describes a model this version can build, and its size is within {@link MAX_PARAMETERS}. */
function checkConfig(saved: { config?: unknown; parameters?: unknown }, where: string): NetConfig {
  const c = saved.config;
  if (!isObject(c)) throw new Error(`${where}: the file has no config object`);
  if (c.arch !== 'net' && c.arch !== 'resnet') throw new Error(`${where}: unknown architecture config.arch = ${show(c.arch)} (net or resnet)`);
  for (const k of ['inDim', 'hidden', 'outDim', 'nHidden'] as const) {
    if (!Number.isInteger(c[k]) || (c[k] as number) < 1) throw new Error(`${where}: config.${k} must be a positive integer, got ${show(c[k])}`);
  }
  for (const k of ['share', 'bias'] as const) if (typeof c[k] !== 'boolean') throw new Error(`${where}: config.${k} must be true or false, got ${show(c[k])}`);
  if (c.norm !== 'l1' && c.norm !== 'l2') throw new Error(`${where}: config.norm must be l1 or l2, got ${String(c.norm)}`);
  if (c.dtype !== 'float32' && c.dtype !== 'float64') throw new Error(`${where}: config.dtype must be float32 or float64, got ${String(c.dtype)}`);
  const regs: readonly string[] = c.arch === 'net' ? NET_REGULARIZERS : RESNET_REGULARIZERS;
  if (!regs.includes(c.regularizer as string)) throw new Error(`${where}: config.regularizer ${show(c.regularizer).replaceAll('"', "'")} is not one of ${regs.join(', ')} (for arch ${c.arch})`);
  const config = c as unknown as NetConfig;
  // each layer has at least a weight and a gain: bound the depth by the file before listing the layout
  if (!Array.isArray(saved.parameters)) throw new Error(`${where}: the file has no parameters array`);
  const count = saved.parameters.length;
  if (2 * (config.nHidden + 1) > count) {
    throw new Error(`${where}: config.nHidden ${config.nHidden} needs at least ${2 * (config.nHidden + 1)} parameter arrays, the file has ${count}`);
  }
  checkParameterCount(config, where); // by arithmetic, before any layout is listed
  return config;
}

/** Throws unless the saved parameters match the config's layout: names, shapes, dtypes, and finite values. */
function checkParameters(saved: { version: unknown; parameters: unknown[] }, config: NetConfig, where: string): void {
  const layout = parameterLayout(config);
  const names = saved.version === 1 ? legacyLayoutNames(layout) : layout.map((p) => p.name);
  if (saved.parameters.length !== layout.length) throw new Error(`${where}: ${saved.parameters.length} saved parameters, the config needs ${layout.length}`);
  saved.parameters.forEach((s, i) => {
    if (!isObject(s)) throw new Error(`${where}: parameters[${i}] is not an object (${show(s)})`);
    const want = layout[i]!;
    if (s.name !== names[i]) throw new Error(`${where}: parameter ${i} is ${show(s.name).replaceAll('"', "'")}, expected '${names[i]}'`);
    const name = `'${s.name as string}'`;
    if (!Array.isArray(s.shape) || s.shape.length !== want.shape.length || s.shape.some((d, k) => d !== want.shape[k])) {
      throw new Error(`${where}: ${name} has shape ${Array.isArray(s.shape) ? `[${s.shape.map(show).join(', ')}]` : String(s.shape)}, expected [${want.shape.join(', ')}]`);
    }
    if (s.dtype !== undefined && s.dtype !== config.dtype) throw new Error(`${where}: ${name} has dtype ${show(s.dtype).replaceAll('"', '')}, the config says ${config.dtype}`);
    const size = want.shape.reduce((a, b) => a * b, 1);
    if (!Array.isArray(s.values)) throw new Error(`${where}: ${name} has no values array`);
    if (s.values.length !== size) throw new Error(`${where}: ${name} has ${s.values.length} values, its shape [${want.shape.join(', ')}] needs ${size}`);
    const bad = s.values.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
    if (bad >= 0) throw new Error(`${where}: ${name} value ${bad} is ${show(s.values[bad])}, not a finite number`);
  });
}

/**
 * Checks a saved model completely before anything is built: the format and version; the config
 * (architecture, dims, depth, flags, norm, regularizer, dtype) and its parameter count against
 * {@link MAX_PARAMETERS}, with the depth bounded by the file's parameter count first; every
 * parameter's name, shape, dtype and finite values; and the preprocessing, when present.
 * `where` prefixes every error (a file name, or `loadModel`).
 */
export function checkSavedModel(saved: unknown, where = 'loadModel'): asserts saved is SavedModel {
  if (!isObject(saved) || saved.format !== 'psilon-model') throw new Error(`${where}: not a saved psilon model (format field is not 'psilon-model')`);
  if (saved.version !== 1 && saved.version !== 2) throw new Error(`${where}: unsupported version ${show(saved.version)}`);
  const config = checkConfig(saved, where);
  checkParameters(saved as { version: unknown; parameters: unknown[] }, config, where);
  if (saved.preprocessing !== undefined) {
    try { checkPreprocessing(saved.preprocessing, config); } catch (e) { throw new Error(`${where}: ${(e as Error).message}`); }
  }
}

/**
 * Rebuilds a model from {@link saveModel}'s output (version 1 or 2). The whole file is
 * checked first ({@link checkSavedModel}), so a small file claiming a huge width or depth
 * fails at once instead of building the model.
 * @param saved the parsed JSON of a model file ({@link saveModel}'s output, version 1 or 2)
 */
export function loadModel(saved: SavedModel): Model {
  checkSavedModel(saved);
  const { arch, ...rest } = saved.config;
  const model = arch === 'net' ? new NormNet(rest) : new NormResNet(rest);
  const params = model.parameters();
  saved.parameters.forEach((s, i) => {
    const p = params[i]!;
    C.tidy(() => { p.assign(C.tensor(s.values, p.shape, { dtype: p.dtype, backend: p.backend })); });
  });
  return model;
}

/** Version 1 names (`layers.<i>.<v|vPos|vNeg|g|b>`) for a layout. */
function legacyLayoutNames(layout: { name: string }[]): string[] {
  const layerOf = (n: string) => n.slice(0, n.lastIndexOf('.'));
  const order = [...new Set(layout.map((p) => layerOf(p.name)))];
  const field: Record<string, string> = { weight: 'v', weight_pos: 'vPos', weight_neg: 'vNeg', g: 'g', bias: 'b' };
  return layout.map((p) => `layers.${order.indexOf(layerOf(p.name))}.${field[p.name.slice(p.name.lastIndexOf('.') + 1)]}`);
}

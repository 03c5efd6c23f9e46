/** Saving and loading trained models as JSON (config, named parameters with shapes, dtypes and values). */
import * as C from '@psilon/core';
import type { Preprocessing } from '../data/index.js';
import { NormNet, NormResNet, parameterLayout, type Model, type NetConfig } from './models.js';

/** The JSON form of a model. Version 2 names parameters as the reference code does (`embedder.weight`, …). */
export interface SavedModel {
  format: 'psilon-model';
  version: 1 | 2;
  config: NetConfig;
  parameters: { name: string; shape: number[]; dtype: C.DType; values: number[] }[];
  /** How the training data was prepared, when the model was trained on a table (for `predict`/`evaluate`). */
  preprocessing?: Preprocessing;
}

/** Names of a model's parameters, in `parameters()` order (the reference code's names). */
export function parameterNames(model: Model): string[] {
  return model.namedParameters().map(([n]) => n);
}

/** The model as JSON-ready data. Pruned weights keep their exact zeros. */
export async function saveModel(model: Model, preprocessing?: Preprocessing): Promise<SavedModel> {
  return {
    ...(preprocessing ? { preprocessing } : {}),
    format: 'psilon-model',
    version: 2,
    config: { ...model.config },
    parameters: await Promise.all(model.namedParameters().map(async ([name, p]) => ({ name, shape: [...p.shape], dtype: p.dtype, values: Array.from(await p.data()) }))),
  };
}

/**
 * Rebuilds a model from {@link saveModel}'s output (version 1 or 2). The whole file is
 * checked (config, every name, shape and value) before anything is allocated, so a
 * small file claiming a huge width fails at once instead of building the model.
 */
export function loadModel(saved: SavedModel): Model {
  if (!saved || typeof saved !== 'object' || saved.format !== 'psilon-model') throw new Error("loadModel: not a saved psilon model (format field is not 'psilon-model')");
  if (saved.version !== 1 && saved.version !== 2) throw new Error(`loadModel: unsupported version ${String(saved.version)}`);
  if (!saved.config || typeof saved.config !== 'object') throw new Error('loadModel: the file has no config');
  const { arch, ...rest } = saved.config;
  if (arch !== 'net' && arch !== 'resnet') throw new Error(`loadModel: unknown architecture '${String(arch)}'`);
  const c = saved.config;
  for (const k of ['inDim', 'hidden', 'outDim', 'nHidden'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1) throw new Error(`loadModel: config.${k} must be a positive integer, got ${String(c[k])}`);
  }
  const layout = parameterLayout(c);
  const names = saved.version === 1 ? legacyLayoutNames(layout) : layout.map((p) => p.name);
  if (!Array.isArray(saved.parameters) || saved.parameters.length !== layout.length) {
    throw new Error(`loadModel: ${Array.isArray(saved.parameters) ? saved.parameters.length : 'no'} saved parameters, the config needs ${layout.length}`);
  }
  saved.parameters.forEach((s, i) => {
    const want = layout[i]!;
    if (s.name !== names[i]) throw new Error(`loadModel: parameter ${i} is '${s.name}', expected '${names[i]}'`);
    if (!Array.isArray(s.shape) || s.shape.length !== want.shape.length || s.shape.some((d, k) => d !== want.shape[k])) {
      throw new Error(`loadModel: '${s.name}' has shape [${Array.isArray(s.shape) ? s.shape.join(', ') : String(s.shape)}], expected [${want.shape.join(', ')}]`);
    }
    const size = want.shape.reduce((a, b) => a * b, 1);
    if (!Array.isArray(s.values) || s.values.length !== size || s.values.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
      throw new Error(`loadModel: '${s.name}' has missing or non-finite values`);
    }
  });
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

/** Saving and loading trained models as JSON (config, named parameters with shapes, dtypes and values). */
import * as C from '@psilon/core';
import { NormNet, NormResNet, type Model, type NetConfig } from './models.js';

/** The JSON form of a model. Version 2 names parameters as the reference code does (`embedder.weight`, …). */
export interface SavedModel {
  format: 'psilon-model';
  version: 1 | 2;
  config: NetConfig;
  parameters: { name: string; shape: number[]; dtype: C.DType; values: number[] }[];
}

/** Names of a model's parameters, in `parameters()` order (the reference code's names). */
export function parameterNames(model: Model): string[] {
  return model.namedParameters().map(([n]) => n);
}

/** Version 1 files named parameters `layers.<i>.<v|vPos|vNeg|g|b>`, in the same order. */
function legacyNames(model: Model): string[] {
  return model.layers().flatMap((l, i) => [
    ...(l.rawWeights.length === 2 ? ['vPos', 'vNeg'] : ['v']), 'g', ...(l.b ? ['b'] : []),
  ].map((f) => `layers.${i}.${f}`));
}

/** The model as JSON-ready data. Pruned weights keep their exact zeros. */
export async function saveModel(model: Model): Promise<SavedModel> {
  return {
    format: 'psilon-model',
    version: 2,
    config: { ...model.config },
    parameters: await Promise.all(model.namedParameters().map(async ([name, p]) => ({ name, shape: [...p.shape], dtype: p.dtype, values: Array.from(await p.data()) }))),
  };
}

/** Rebuilds a model from {@link saveModel}'s output (version 1 or 2), checking every name, shape and value. */
export function loadModel(saved: SavedModel): Model {
  if (!saved || saved.format !== 'psilon-model') throw new Error("loadModel: not a saved psilon model (format field is not 'psilon-model')");
  if (saved.version !== 1 && saved.version !== 2) throw new Error(`loadModel: unsupported version ${String(saved.version)}`);
  const { arch, ...rest } = saved.config;
  const model = arch === 'net' ? new NormNet(rest) : arch === 'resnet' ? new NormResNet(rest) : null;
  if (!model) throw new Error(`loadModel: unknown architecture '${String(arch)}'`);
  const names = saved.version === 1 ? legacyNames(model) : parameterNames(model);
  const params = model.parameters();
  if (saved.parameters.length !== params.length) throw new Error(`loadModel: ${saved.parameters.length} saved parameters, the config needs ${params.length}`);
  saved.parameters.forEach((s, i) => {
    const p = params[i]!;
    if (s.name !== names[i]) throw new Error(`loadModel: parameter ${i} is '${s.name}', expected '${names[i]}'`);
    if (s.shape.length !== p.shape.length || s.shape.some((d, k) => d !== p.shape[k])) {
      throw new Error(`loadModel: '${s.name}' has shape [${s.shape.join(', ')}], expected [${p.shape.join(', ')}]`);
    }
    if (s.values.length !== p.size || s.values.some((v) => !Number.isFinite(v))) throw new Error(`loadModel: '${s.name}' has missing or non-finite values`);
    C.tidy(() => { p.assign(C.tensor(s.values, p.shape, { dtype: p.dtype, backend: p.backend })); });
  });
  return model;
}

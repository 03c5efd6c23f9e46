/**
 * Sparsity metrics, docs/math.md §7: exact sparsity (fractions of exact zeros) and
 * near-sparsity 1 − exp(H)/d, both pooled over every weight vector of a model.
 * The math runs on host copies; `…Sync` readers need a synchronous backend,
 * `sparsityReport` works on every backend.
 */
import * as C from '@psilon/core';
import type { Tensor } from '@psilon/core';
import type { HasLayers, WNLayer } from '../nn/index.js';
import { optionKeys } from '../nn/options.js';
import { projectLayer } from './projection.js';

/**
 * Near-sparsity of one weight vector: p = |v|/‖v‖₁, H = −Σ p·log(p + 1e-8),
 * ns = 1 − exp(H)/d ∈ [0, 1 − 1/d]. exp(H) is the effective number of nonzeros.
 * Scale-invariant; computed on the raw V.
 */
export function nearSparsityOf(v: ArrayLike<number>): number {
  const d = v.length;
  let l1 = 0;
  for (let i = 0; i < d; i++) l1 += Math.abs(v[i]!);
  let h = 0;
  for (let i = 0; i < d; i++) {
    const p = Math.abs(v[i]!) / l1;
    h -= p * Math.log(p + 1e-8);
  }
  return 1 - Math.exp(h) / d;
}

/** Host copies of one layer's matrices (all [inDim, outDim], row-major). */
interface LayerData { mats: ArrayLike<number>[]; inDim: number; outDim: number }

/** Column j of a row-major [inDim, outDim] array. */
function column(a: ArrayLike<number>, j: number, inDim: number, outDim: number): Float64Array {
  return Float64Array.from({ length: inDim }, (_, i) => a[i * outDim + j]!);
}

/** Pooled near-sparsity: every column of every matrix (V⁺ and V⁻ separately) is one weight vector. */
function nearOf(layers: LayerData[]): number {
  let total = 0, count = 0;
  for (const { mats, inDim, outDim } of layers) for (const a of mats) for (let j = 0; j < outDim; j++) {
    total += nearSparsityOf(column(a, j, inDim, outDim));
    count++;
  }
  return total / count;
}

/** Pooled exact sparsity: a column of a CReLU pair counts once, with the mean of its halves' zero fractions. */
function exactOf(layers: LayerData[]): number {
  let total = 0, count = 0;
  for (const { mats, inDim, outDim } of layers) {
    for (let j = 0; j < outDim; j++) {
      let s = 0;
      for (const a of mats) for (let i = 0; i < inDim; i++) if (a[i * outDim + j] === 0) s++;
      total += s / inDim / mats.length;
      count++;
    }
  }
  return total / count;
}

type Which = 'raw' | 'used' | 'projection';
function matricesOf(layer: WNLayer, which: Which): Tensor[] {
  if (which === 'raw') return layer.rawWeights;
  return which === 'used' ? layer.weights() : projectLayer(layer);
}

function readSync(model: HasLayers, which: Which): LayerData[] {
  return C.noGrad(() => C.tidy(() => model.layers().map((l) => {
    const ms = matricesOf(l, which);
    const [inDim, outDim] = ms[0]!.shape as [number, number];
    return { mats: ms.map((m) => m.dataSync()), inDim, outDim };
  })));
}

async function read(model: HasLayers, which: Which): Promise<LayerData[]> {
  const tensors = C.noGrad(() => C.tidy(() => model.layers().map((l) => matricesOf(l, which).map((t) => C.keep(t.detach())))));
  const out = await Promise.all(tensors.map(async (ms) => {
    const [inDim, outDim] = ms[0]!.shape as [number, number];
    return { mats: await Promise.all(ms.map((m) => m.data())), inDim, outDim };
  }));
  for (const ms of tensors) for (const m of ms) m.dispose();
  return out;
}

/**
 * Network near-sparsity (docs/math.md §7): the sum of ns over all weight vectors
 * (columns of every raw V; V⁺ and V⁻ scored separately, each by its own L1 norm)
 * divided by the number of weight vectors — a column-weighted mean, not a mean of
 * per-layer means. Synchronous backends only; see {@link sparsityReport}.
 */
export function nearSparsity(model: HasLayers): number {
  return nearOf(readSync(model, 'raw'));
}

/**
 * Exact sparsity (docs/math.md §7): the fraction of exact zeros of each weight vector,
 * averaged over all weight vectors. `of: 'used'` (default) scores the weights the
 * model computes with (normalized W, blended while pruning); `of: 'projection'`
 * scores P(V), as the reference code does, i.e. what pruning now would give.
 * A CReLU column counts once, with the mean (s⁺ + s⁻)/2 of its two halves (not
 * the reference code's sum, which can exceed 1). Synchronous backends only.
 */
export function exactSparsity(model: HasLayers, options: SparsityOptions = {}): number {
  return exactOf(readSync(model, scoredWeights('exactSparsity', options)));
}

/** Which weights exact sparsity scores: `used` (default) or `projection` (P(V)); see {@link exactSparsity}. */
export interface SparsityOptions {
  /** Score the weights the layer uses (`used`, the default) or the projection P(V) of its raw weights (`projection`; docs/math.md §7). */
  of?: 'used' | 'projection';
}
const SPARSITY_KEYS = optionKeys<SparsityOptions>()(['of']);

function scoredWeights(where: string, options: SparsityOptions): 'used' | 'projection' {
  C.checkOptions(where, options, SPARSITY_KEYS);
  const of = options.of ?? 'used';
  if (of !== 'used' && of !== 'projection') throw new Error(`${where}: 'of' must be 'used' or 'projection', got '${String(of)}'`);
  return of;
}

/**
 * Near-sparsity of the raw weights and exact sparsity of the used weights (or, with
 * `of: 'projection'`, of P(V)), on any backend: the values are read back asynchronously.
 */
export async function sparsityReport(model: HasLayers, options: SparsityOptions = {}): Promise<{
  /** Near-sparsity of the raw weights, in [0, 1] (see {@link nearSparsity}; docs/math.md §7). */
  nearSparsity: number;
  /** Exact sparsity: the fraction of weights exactly zero, in [0, 1] (see {@link exactSparsity}). */
  exactSparsity: number;
}> {
  const of = scoredWeights('sparsityReport', options);
  return { nearSparsity: nearOf(await read(model, 'raw')), exactSparsity: exactOf(await read(model, of)) };
}

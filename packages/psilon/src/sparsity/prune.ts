/**
 * Pruning to exact sparsity, docs/math.md §7: the linear blend
 * W = (1 − α)·W_norm + α·P(V), α = min(t/T, 1), and `prune(model)` which freezes
 * the projected weights.
 *
 * Deviation from the reference code, on purpose: t counts *training steps*
 * (`advancePruning`, called by the training loop after each optimizer step),
 * not forward calls, so evaluating a model never changes it.
 */
import * as C from '@psilon/core';
import type { Tensor } from '@psilon/core';
import type { HasLayers, LayerParams, WeightBlend } from '../nn/index.js';
import { projectColumn, projectParams, shiftedSign } from './projection.js';
import { exactSparsity } from './metrics.js';

/** Blend schedule of one layer: t of T steps done. */
export type PruningState = WeightBlend;

/** The blend of one layer: W_used = (1 − α)·W_norm + α·P(V) with α = min(t/T, 1). */
function blend(T: number): WeightBlend {
  const state: WeightBlend = { t: 0, T, apply: (p, normalized) => blendWeights(p, normalized, Math.min(state.t / T, 1)) };
  return state;
}

/** (1 − α)·W_norm + α·P(V) for parameters `p` and their normalized weights. */
export function blendWeights(p: LayerParams, normalized: Tensor[], alpha: number): Tensor[] {
  if (alpha === 0) return normalized;
  const projected = projectParams(p);
  if (alpha === 1) return projected;
  return normalized.map((w, k) => C.add(C.mul(w, 1 - alpha), C.mul(projected[k]!, alpha)));
}

/**
 * Frozen columns are stored with L1 norm 1 + 1e-6 rather than exactly 1: after
 * float32 rounding a column could sum to slightly below 1, where the §7 rule
 * (τ < 0, sign(v + 1e-8)) would turn its zeros into +|τ| on a later projection.
 * The normalized weights do not depend on this scale.
 */
const FROZEN_SCALE = 1 + 1e-6;


/** Turns the blend on for every layer: over the next T training steps α goes 0 → 1. */
export function startPruning(model: HasLayers, T: number): void {
  if (!Number.isInteger(T) || T < 1) throw new Error(`startPruning: T must be a positive integer number of steps, got ${T}`);
  for (const l of model.layers()) l.pruning = blend(T);
}

/** Advances the blend by one training step (call after each optimizer step). */
export function advancePruning(model: HasLayers): void {
  for (const l of model.layers()) if (l.pruning) l.pruning.t++;
}

/**
 * Freezes the projection into the raw weights: each V becomes
 * sign(V + 1e-8)·relu(|V| − τ), which has unit L1 norm (Ṽ for the pair; see FROZEN_SCALE), so the
 * normalized weights equal P(V) and carry exact zeros. Turns the blend off.
 * Mutates the model's parameters in place (by design). Returns the exact sparsity after.
 */
export function prune(model: HasLayers): { exactSparsity: number } {
  C.noGrad(() => C.tidy(() => {
    for (const layer of model.layers()) {
      const raw = layer.rawWeights;
      const [inDim, outDim] = raw[0]!.shape as [number, number];
      const vals = raw.map((v) => v.dataSync());
      const fresh = vals.map((a) => new Float64Array(a.length));
      const col = new Float64Array(inDim);
      for (let j = 0; j < outDim; j++) {
        for (let i = 0; i < inDim; i++) {
          col[i] = Math.max(...vals.map((a) => Math.abs(a[i * outDim + j]!)));
        }
        const { tau } = projectColumn(col);
        vals.forEach((a, k) => {
          for (let i = 0; i < inDim; i++) {
            const x = a[i * outDim + j]!;
            fresh[k]![i * outDim + j] = FROZEN_SCALE * shiftedSign(x) * Math.max(Math.abs(x) - tau, 0);
          }
        });
      }
      raw.forEach((v, k) => v.assign(C.tensor(fresh[k]!, v.shape, { dtype: v.dtype, backend: v.backend })));
      layer.pruning = null;
    }
  }));
  return { exactSparsity: exactSparsity(model) };
}

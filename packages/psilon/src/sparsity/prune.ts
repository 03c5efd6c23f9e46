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
import { checkPositiveInteger } from '../nn/options.js';
import { projectParams } from './projection.js';

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
  checkPositiveInteger(T, 'startPruning', 'T (a number of training steps)');
  for (const l of model.layers()) l.pruning = blend(T);
}

/** Advances the blend by one training step (call after each optimizer step). */
export function advancePruning(model: HasLayers): void {
  for (const l of model.layers()) if (l.pruning) l.pruning.t++;
}

/**
 * Freezes the projection into the raw weights: each V becomes
 * FROZEN_SCALE·sign(V + 1e-8)·relu(|V| − τ), i.e. P(V) with g = FROZEN_SCALE, which has
 * unit L1 norm (Ṽ for the pair), so the normalized weights equal P(V) and carry exact
 * zeros. Turns the blend off. Runs on the backend (on the device for `webgpu`; nothing is
 * read back). Mutates the model's parameters in place (by design). Read the sparsity
 * after with `exactSparsity` (synchronous backends) or `sparsityReport` (any).
 */
export function prune(model: HasLayers): void {
  C.noGrad(() => C.tidy(() => {
    for (const layer of model.layers()) {
      const raw = layer.rawWeights;
      const scale = C.tensor([FROZEN_SCALE], [1], { dtype: raw[0]!.dtype, backend: raw[0]!.backend });
      const fresh = projectParams({ raw, g: scale });
      raw.forEach((v, k) => v.assign(fresh[k]!));
      layer.pruning = null;
    }
  }));
}

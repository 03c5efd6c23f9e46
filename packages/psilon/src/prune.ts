/**
 * Pruning to exact sparsity, PAPER.md §7: the linear blend
 * W = (1 − α)·W_norm + α·P(V), α = min(t/T, 1), and `prune(model)` which freezes
 * the projected weights.
 *
 * Deviation from the reference code, on purpose: t counts *training steps*
 * (`advancePruning`, called by the training loop after each optimizer step),
 * not forward calls, so evaluating a model never changes it.
 */
import * as C from '@psilon/core';
import type { Tensor } from '@psilon/core';
import type { CReLUNormLinear, NormLinear, WNLayer } from './layers.js';
import { projectColumn, shiftedSign } from './projection.js';
import { exactSparsity } from './sparsity.js';

/** Blend schedule of one layer: t of T steps done. */
export interface PruningState { t: number; T: number }

/**
 * τ per column of a non-negative [in, out] matrix Ṽ, as a custom op:
 * forward is the sort-based rule (on the host), backward ∂τ_j/∂Ṽ_ij = 1[i ∈ S_j]/ρ_j.
 */
const tauOp = C.customOp<Tensor>({
  name: 'l1SphereTau',
  forward([vt]) {
    const [inDim, outDim] = vt!.shape as [number, number];
    if (!vt!.backend.synchronous) {
      throw new Error('pruning: the L1-sphere projection sorts on the host and needs a synchronous backend (not gpujs webgpu)');
    }
    const data = vt!.dataSync();
    const tau = new Float64Array(outDim);
    const weight = new Float64Array(inDim * outDim); // 1[i∈S_j]/ρ_j
    const col = new Float64Array(inDim);
    for (let j = 0; j < outDim; j++) {
      for (let i = 0; i < inDim; i++) col[i] = data[i * outDim + j]!;
      const { tau: t, rho, support } = projectColumn(col);
      tau[j] = t;
      for (let i = 0; i < inDim; i++) if (support[i]) weight[i * outDim + j] = 1 / rho;
    }
    const opts = { dtype: vt!.dtype, backend: vt!.backend };
    return { outputs: [C.tensor(tau, [1, outDim], opts)], saved: C.tensor(weight, [inDim, outDim], opts) };
  },
  backward([g], weight) {
    return [C.mul(weight, g!)];
  },
});

/**
 * P(V) for a layer (PAPER.md §7): τ per column from |V| (or from Ṽ = max(|V⁺|, |V⁻|)
 * for the CReLU pair), then P = g·sign(V + 1e-8)·relu(|V| − τ) for each raw matrix.
 * Differentiable: gradients flow through relu, |·|, the max's tie split and τ.
 */
export function projectLayer(layer: WNLayer): Tensor[] {
  const raw = layer.rawWeights;
  const mags = raw.map((v) => C.abs(v));
  const vt = mags.length === 2 ? C.maximum(mags[0]!, mags[1]!) : mags[0]!;
  const tau = tauOp(vt)[0]!;
  return raw.map((v, k) => {
    const s = C.sign(C.add(v.detach(), 1e-8)); // no gradient through the sign
    return C.mul(C.mul(s, C.relu(C.sub(mags[k]!, tau))), layer.g);
  });
}

/** W_used = (1 − α)·W_norm + α·P(V) with α = min(t/T, 1). */
export function blendWeights(layer: WNLayer, normalized: Tensor[]): Tensor[] {
  const { t, T } = layer.pruning!;
  const alpha = Math.min(t / T, 1);
  if (alpha === 0) return normalized;
  const projected = projectLayer(layer);
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

/** Anything with weight-normalized layers. */
export interface HasLayers { layers(): WNLayer[] }

/** Turns the blend on for every layer: over the next T training steps α goes 0 → 1. */
export function startPruning(model: HasLayers, T: number): void {
  if (!Number.isInteger(T) || T < 1) throw new Error(`startPruning: T must be a positive integer number of steps, got ${T}`);
  for (const l of model.layers()) l.pruning = { t: 0, T };
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

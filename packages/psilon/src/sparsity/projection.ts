/**
 * The sort-based projection onto the unit L1 sphere, docs/math.md §7: on host
 * arrays (one column; τ by `projectColumn` of @psilon/core), and for a whole layer as
 * a differentiable op (τ by core's `sphereTau`, a backend kernel: on the device for `webgpu`).
 * Per column of y = |v| (or Ṽ = max(|V⁺|, |V⁻|) for the CReLU pair):
 *   u = sort(y, descending), c_k = (Σ_{r≤k} u_r − 1)/k, ρ = #{k : c_k < u_k} (strict), τ = c_ρ.
 */
import * as C from '@psilon/core';
import { projectColumn, type Tensor } from '@psilon/core';
import type { LayerParams, WNLayer } from '../nn/index.js';

/** sign(v + 1e-8): the later reference code's sign rule, which maps exact zeros to +1. */
export const shiftedSign = (v: number): number => Math.sign(v + 1e-8);

/** P(v) = g·sign(v + 1e-8)·relu(|v| − τ) for one column (docs/math.md §7); P has L1 norm |g|. */
export function projectVector(v: ArrayLike<number>, g = 1): {
  /** The threshold τ with Σ relu(|v| − τ) = 1 (docs/math.md §7; τ > 0, and zeros appear, only where ‖v‖₁ > 1). */
  tau: number;
  /** The projected column P(v), of L1 norm |g|. */
  p: Float64Array;
} {
  const y = Float64Array.from(v, Math.abs);
  const { tau } = projectColumn(y);
  const p = Float64Array.from(v, (x) => g * shiftedSign(x) * Math.max(Math.abs(x) - tau, 0));
  return { tau, p };
}

/**
 * P(V) for a layer (docs/math.md §7): τ per column from |V| (or from Ṽ = max(|V⁺|, |V⁻|)
 * for the CReLU pair), then P = g·sign(V + 1e-8)·relu(|V| − τ) for each raw matrix.
 * Differentiable: gradients flow through relu, |·|, the max's tie split and τ.
 */
export function projectLayer(layer: WNLayer): Tensor[] {
  return projectParams(layer.params);
}

/** P(V) of {@link projectLayer} for given parameters (the raw matrices and g). */
export function projectParams({ raw, g }: Pick<LayerParams, 'raw' | 'g'>): Tensor[] {
  const mags = raw.map((v) => C.abs(v));
  const vt = mags.length === 2 ? C.maximum(mags[0]!, mags[1]!) : mags[0]!;
  const tau = C.sphereTau(vt);
  return raw.map((v, k) => {
    const s = C.sign(C.add(v.detach(), 1e-8)); // no gradient through the sign
    return C.mul(C.mul(s, C.relu(C.sub(mags[k]!, tau))), g);
  });
}

export { projectColumn, type ColumnProjection } from '@psilon/core';

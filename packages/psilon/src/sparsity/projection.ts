/**
 * The sort-based projection onto the unit L1 sphere, docs/math.md §7: on host
 * arrays (one column), and for a whole layer as a differentiable op.
 * Per column of y = |v| (or Ṽ = max(|V⁺|, |V⁻|) for the CReLU pair):
 *   u = sort(y, descending), c_k = (Σ_{r≤k} u_r − 1)/k, ρ = #{k : c_k < u_k} (strict), τ = c_ρ.
 */
import * as C from '@psilon/core';
import type { Tensor } from '@psilon/core';
import type { LayerParams, WNLayer } from '../nn/index.js';

/** τ and the support size ρ of one column, plus which entries are in the support (the top ρ). */
export interface ColumnProjection { tau: number; rho: number; support: Uint8Array }

/**
 * τ of one column of non-negative values `y` (docs/math.md §7). The support is the
 * ρ largest entries (ties broken by position, as a stable sort does).
 */
export function projectColumn(y: ArrayLike<number>): ColumnProjection {
  const d = y.length;
  const order = Array.from({ length: d }, (_, i) => i).sort((a, b) => y[b]! - y[a]! || a - b);
  let cum = 0;
  let rho = 0;
  let tau = 0;
  for (let k = 1; k <= d; k++) {
    const u = y[order[k - 1]!]!;
    cum += u;
    const c = (cum - 1) / k;
    if (c < u) { rho++; } // counts every k with c_k < u_k, as the reference code does
  }
  cum = 0;
  for (let k = 1; k <= rho; k++) cum += y[order[k - 1]!]!;
  tau = rho > 0 ? (cum - 1) / rho : 0;
  const support = new Uint8Array(d);
  for (let k = 0; k < rho; k++) support[order[k]!] = 1;
  return { tau, rho, support };
}

/** sign(v + 1e-8): the later reference code's sign rule, which maps exact zeros to +1. */
export const shiftedSign = (v: number): number => Math.sign(v + 1e-8);

/** P(v) = g·sign(v + 1e-8)·relu(|v| − τ) for one column (docs/math.md §7); P has L1 norm |g|. */
export function projectVector(v: ArrayLike<number>, g = 1): { tau: number; p: Float64Array } {
  const y = Float64Array.from(v, Math.abs);
  const { tau } = projectColumn(y);
  const p = Float64Array.from(v, (x) => g * shiftedSign(x) * Math.max(Math.abs(x) - tau, 0));
  return { tau, p };
}

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
  const tau = tauOp(vt)[0]!;
  return raw.map((v, k) => {
    const s = C.sign(C.add(v.detach(), 1e-8)); // no gradient through the sign
    return C.mul(C.mul(s, C.relu(C.sub(mags[k]!, tau))), g);
  });
}

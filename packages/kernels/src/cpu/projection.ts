/**
 * The sort-based τ of the projection onto the unit L1 sphere, docs/math.md §7,
 * on host arrays. Per column of non-negative values y:
 *   u = sort(y, descending), c_k = (Σ_{r≤k} u_r − 1)/k, ρ = #{k : c_k < u_k} (strict), τ = c_ρ.
 */
import type { TypedArray } from '../types.js';

/** τ and the support size ρ of one column, plus which entries are in the support (the top ρ). */
export interface ColumnProjection {
  /** The threshold τ (docs/math.md §7). */
  tau: number;
  /** The support size ρ: how many entries stay non-zero. */
  rho: number;
  /** 1 for each entry in the support (the ρ largest), else 0. */
  support: Uint8Array;
}

/**
 * τ of one column of non-negative values `y` (docs/math.md §7). The support is the
 * ρ largest entries (ties broken by position, as a stable sort does).
 */
export function projectColumn(y: ArrayLike<number>): ColumnProjection {
  const d = y.length;
  const order = Array.from({ length: d }, (_, i) => i).sort((a, b) => y[b]! - y[a]! || a - b);
  let cum = 0;
  let rho = 0;
  for (let k = 1; k <= d; k++) {
    const u = y[order[k - 1]!]!;
    cum += u;
    if ((cum - 1) / k < u) rho++; // counts every k with c_k < u_k, as the reference code does
  }
  cum = 0;
  for (let k = 1; k <= rho; k++) cum += y[order[k - 1]!]!;
  const tau = rho > 0 ? (cum - 1) / rho : 0;
  const support = new Uint8Array(d);
  for (let k = 0; k < rho; k++) support[order[k]!] = 1;
  return { tau, rho, support };
}

/** τ [out] and ∂τ_j/∂Ṽ_ij = 1[i ∈ S_j]/ρ_j [in, out] of a row-major [in, out] matrix, written into `tau` and `weight`. */
export function sphereTauInto(y: TypedArray, inDim: number, outDim: number, tau: TypedArray, weight: TypedArray): void {
  const col = new Float64Array(inDim);
  weight.fill(0);
  for (let j = 0; j < outDim; j++) {
    for (let i = 0; i < inDim; i++) col[i] = y[i * outDim + j]!;
    const { tau: t, rho, support } = projectColumn(col);
    tau[j] = t;
    for (let i = 0; i < inDim; i++) if (support[i]) weight[i * outDim + j] = 1 / rho;
  }
}

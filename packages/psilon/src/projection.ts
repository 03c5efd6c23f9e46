/**
 * The sort-based projection onto the unit L1 sphere, PAPER.md §7, on host arrays.
 * Per column of y = |v| (or Ṽ = max(|V⁺|, |V⁻|) for the CReLU pair):
 *   u = sort(y, descending), c_k = (Σ_{r≤k} u_r − 1)/k, ρ = #{k : c_k < u_k} (strict), τ = c_ρ.
 */

/** τ and the support size ρ of one column, plus which entries are in the support (the top ρ). */
export interface ColumnProjection { tau: number; rho: number; support: Uint8Array }

/**
 * τ of one column of non-negative values `y` (PAPER.md §7). The support is the
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

/** P(v) = g·sign(v + 1e-8)·relu(|v| − τ) for one column (PAPER.md §7); P has L1 norm |g|. */
export function projectVector(v: ArrayLike<number>, g = 1): { tau: number; p: Float64Array } {
  const y = Float64Array.from(v, Math.abs);
  const { tau } = projectColumn(y);
  const p = Float64Array.from(v, (x) => g * shiftedSign(x) * Math.max(Math.abs(x) - tau, 0));
  return { tau, p };
}

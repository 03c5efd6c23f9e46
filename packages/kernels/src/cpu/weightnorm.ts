import type { TypedArray } from '../types.js';
import { binaryFn, unaryFn, type NormKind } from '../ops.js';

// sign and the max-tie share of the op table (ops.ts), not re-spelled here
const { sign } = unaryFn;
const { winShare } = binaryFn;

/**
 * Column norms n_j of V (docs/math.md §2) or, for the CReLU pair, of Ṽ = max(|V⁺|, |V⁻|) (§5):
 * n_j = Σ_i Ṽ_ij (L1) or √(Σ_i Ṽ_ij²) (L2).
 */
export function columnNorms(v: readonly TypedArray[], inDim: number, outDim: number, kind: NormKind, out: TypedArray): void {
  out.fill(0);
  const [vp, vn] = v;
  for (let i = 0; i < inDim; i++) {
    const row = i * outDim;
    for (let j = 0; j < outDim; j++) {
      let t = Math.abs(vp![row + j]!);
      if (vn) t = Math.max(t, Math.abs(vn[row + j]!));
      out[j] += kind === 'l1' ? t : t * t;
    }
  }
  if (kind === 'l2') for (let j = 0; j < outDim; j++) out[j] = Math.sqrt(out[j]!);
}

/**
 * ∂n_j/∂V_ij for one matrix of the pair, times nothing else:
 * L1: sign(v)·a, L2: (Ṽ/n)·sign(v)·a, where a is the share of this matrix in
 * max(|V⁺|, |V⁻|) (1, ½ on ties, 0) and a = 1 without a pair (docs/math.md §3, §5).
 */
export function normPartial(x: number, other: number | undefined, n: number, kind: NormKind): number {
  const ax = Math.abs(x);
  let share = 1;
  let t = ax;
  if (other !== undefined) {
    const ao = Math.abs(other);
    share = winShare(ax, ao);
    t = Math.max(ax, ao);
  }
  const s = sign(x);
  return kind === 'l1' ? s * share : (t / n) * s * share;
}

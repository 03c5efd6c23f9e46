/** Near-sparsity, PAPER.md §7: 1 − exp(H)/d per weight vector, pooled over the network. */
import type { HasLayers } from './prune.js';

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

/**
 * Network near-sparsity (PAPER.md §7): the sum of ns over all weight vectors
 * (columns of every raw V; V⁺ and V⁻ scored separately, each by its own L1 norm)
 * divided by the number of weight vectors — a column-weighted mean, not a mean of
 * per-layer means.
 */
export function nearSparsity(model: HasLayers): number {
  let total = 0, count = 0;
  for (const layer of model.layers()) {
    for (const v of layer.rawWeights) {
      const [inDim, outDim] = v.shape as [number, number];
      const a = v.dataSync();
      const col = new Float64Array(inDim);
      for (let j = 0; j < outDim; j++) {
        for (let i = 0; i < inDim; i++) col[i] = a[i * outDim + j]!;
        total += nearSparsityOf(col);
        count++;
      }
    }
  }
  return total / count;
}

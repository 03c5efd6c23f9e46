/**
 * The explicit path-norm recursions and the L2 penalty of docs/math.md §4 and §6,
 * as compositions of core ops (autodiff differentiates them). They take normalized
 * weight matrices W [in, out] in the X·W convention; the recursion carries r as a
 * row vector, so `r ← |Wᵀ|·r` is the product r·|W|.
 */
import * as C from '@psilon/core';
import type { Tensor } from '@psilon/core';

function identity(n: number, like: Tensor): Tensor {
  const eye = new Float64Array(n * n);
  for (let i = 0; i < n; i++) eye[i * n + i] = 1;
  return C.tensor(eye, [n, n], { dtype: like.dtype, backend: like.backend });
}

/** R = 1ᵀ|W_Kᵀ|⋯|W_1ᵀ|1 for a chain of single-matrix layers: r ← |W_1ᵀ|·1, then r ← |W_iᵀ|·r, R = Σ r. */
export function chainPathNorm(weights: readonly Tensor[]): Tensor {
  const [first, ...rest] = weights;
  let r = C.sum(C.abs(first!), 0, true); // [1, h] = (|W_1ᵀ|·1)ᵀ
  for (const w of rest) r = C.matmul(r, C.abs(w));
  return C.sum(r);
}

/** Which ResNet bound (docs/math.md §6): the improved bound or the original one. */
export type ResNetBound = 'ib' | 'ob';

/**
 * ResNet bounds by explicit recursion, from the embedder's W and the CReLU pairs
 * [W⁺, W⁻] of the residual blocks then the predictor: r ← |W_1ᵀ|·1, then
 * - `ib`: block r ← (I + W̃ᵀ)·r, predictor r ← W̃ᵀ·r, W̃ = max(|W⁺|, |W⁻|);
 * - `ob`: block r ← (|I + W⁺ᵀ| + |I + W⁻ᵀ|)·r, predictor r ← (|W⁺ᵀ| + |W⁻ᵀ|)·r;
 * R = Σ r.
 */
export function resnetPathBound(embedder: Tensor, blocks: readonly (readonly [Tensor, Tensor])[], predictor: readonly [Tensor, Tensor], bound: ResNetBound): Tensor {
  let r = C.sum(C.abs(embedder), 0, true);
  for (const [wp, wn] of blocks) {
    if (bound === 'ib') r = C.add(r, C.matmul(r, C.maximum(C.abs(wp), C.abs(wn))));
    else {
      const eye = identity(wp.shape[0]!, wp);
      r = C.matmul(r, C.add(C.abs(C.add(eye, wp)), C.abs(C.add(eye, wn))));
    }
  }
  const [wp, wn] = predictor;
  r = C.matmul(r, bound === 'ib' ? C.maximum(C.abs(wp), C.abs(wn)) : C.add(C.abs(wp), C.abs(wn)));
  return C.sum(r);
}

/** Σ ‖W‖²_F over the given normalized matrices (= Σ g² per unit; the Standard Net penalty). */
export function squaredFrobeniusSum(weights: readonly Tensor[]): Tensor {
  return weights.map((w) => C.sum(C.square(w))).reduce((a, b) => C.add(a, b));
}

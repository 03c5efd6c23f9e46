/**
 * The closed-form regularizers of docs/math.md §6 as custom ops with hand-written
 * gradients. They take the layers' gains only (cost O(K), independent of width).
 */
import * as C from '@psilon/core';
import type { Tensor } from '@psilon/core';

/** Product of scalar tensors (all [1]); ones shaped like `like` for an empty list. */
const prod = (xs: readonly Tensor[], like: Tensor): Tensor => (xs.length ? xs.reduce((a, b) => C.mul(a, b)) : C.onesLike(like));
/** Π_{l≠i} xs_l: the product of every factor but the i-th. */
const prodExcept = (xs: readonly Tensor[], i: number): Tensor => prod(xs.filter((_, l) => l !== i), xs[i]!);

const netOp = C.customOp<null>({
  name: 'pathNormNetClosedForm',
  forward(gs) {
    const hidden = gs.slice(0, -1), gK = gs[gs.length - 1]!;
    return { outputs: [C.reshape(C.mul(C.abs(prod(hidden, gs[0]!)), C.sum(C.abs(gK))), [])], saved: null };
  },
  backward([gR], _saved, gs) {
    const hidden = gs.slice(0, -1), gK = gs[gs.length - 1]!;
    const P = prod(hidden, gs[0]!);
    const S = C.sum(C.abs(gK));
    const hiddenGrads = hidden.map((_, i) => C.mul(C.mul(C.mul(C.sign(P), prodExcept(hidden, i)), S), gR!));
    return [...hiddenGrads, C.mul(C.mul(C.abs(P), C.sign(gK)), gR!)];
  },
});

/**
 * PSiLON Net: R = |Π_{i<K} g_i|·Σ_o|g_{K,o}| over the K−1 hidden gains ([1] each) then g_K ([out]).
 * Gradient (signed product first, as the reference code): ∂R/∂g_i = sign(P)·Π_{l≠i} g_l·S,
 * ∂R/∂g_{K,o} = |P|·sign(g_{K,o}), P = Π g_i, S = Σ|g_K|.
 */
export function netPathNorm(gains: readonly Tensor[]): Tensor {
  return netOp(...gains)[0]!;
}

const resnetOp = C.customOp<null>({
  name: 'improvedBoundClosedForm',
  forward(gs) {
    const g1 = gs[0]!, res = gs.slice(1, -1), gK = gs[gs.length - 1]!;
    const factors = res.map((g) => C.add(C.abs(g), 1));
    return { outputs: [C.reshape(C.mul(C.mul(C.abs(g1), prod(factors, g1)), C.sum(C.abs(gK))), [])], saved: null };
  },
  backward([gR], _saved, gs) {
    const g1 = gs[0]!, res = gs.slice(1, -1), gK = gs[gs.length - 1]!;
    const factors = res.map((g) => C.add(C.abs(g), 1));
    const S = C.sum(C.abs(gK));
    const all = prod(factors, g1);
    const dg1 = C.mul(C.mul(C.mul(C.sign(g1), all), S), gR!);
    const dres = res.map((g, i) => C.mul(C.mul(C.mul(C.mul(C.abs(g1), C.sign(g)), prodExcept(factors, i)), S), gR!));
    const dgK = C.mul(C.mul(C.mul(C.abs(g1), all), C.sign(gK)), gR!);
    return [dg1, ...dres, dgK];
  },
});

/**
 * PSiLON ResNet improved bound: R_IB = |g_1|·Π_{blocks}(1 + |g_i|)·Σ_o|g_{K,o}| over g_1, the
 * residual gains, g_K. Gradient: ∂R/∂g_1 = sign(g_1)·Π(1+|g_i|)·S;
 * ∂R/∂g_i = |g_1|·sign(g_i)·Π_{l≠i}(1+|g_l|)·S; ∂R/∂g_{K,o} = |g_1|·Π(1+|g_i|)·sign(g_{K,o}).
 */
export function resnetImprovedBound(gains: readonly Tensor[]): Tensor {
  return resnetOp(...gains)[0]!;
}

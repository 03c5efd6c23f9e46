/**
 * 1-path-norm regularizers and Lipschitz bounds, PAPER.md §6.
 * Closed forms are custom ops with hand-written closed-form gradients; explicit
 * forms are compositions of core ops (autodiff differentiates them).
 */
import * as C from '@psilon/core';
import type { Tensor } from '@psilon/core';
import type { CReLUNormLinear, NormLinear } from './layers.js';
import { NormNet, NormResNet, type Model } from './models.js';

/** Product of scalar tensors (all [1]); ones shaped like `like` for an empty list. */
const prod = (xs: readonly Tensor[], like: Tensor): Tensor => (xs.length ? xs.reduce((a, b) => C.mul(a, b)) : C.onesLike(like));
/** Π_{l≠i} xs_l: the product of every factor but the i-th. */
const prodExcept = (xs: readonly Tensor[], i: number): Tensor => prod(xs.filter((_, l) => l !== i), xs[i]!);

/**
 * PSiLON Net closed form R = |Π_{i<K} g_i|·Σ_o|g_{K,o}| (PAPER.md §6). Inputs: the
 * K−1 hidden g's ([1] each) then g_K ([out]). Gradient (hand-written, signed product first as the code does):
 * ∂R/∂g_i = sign(P)·Π_{l≠i} g_l·S,  ∂R/∂g_{K,o} = |P|·sign(g_{K,o}),  P = Π g_i, S = Σ|g_K|.
 */
const netClosedForm = C.customOp<null>({
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
 * PSiLON ResNet improved bound, closed form R_IB = |g_1|·Π_{i=2}^{K−1}(1 + |g_i|)·Σ_o|g_{K,o}|
 * (PAPER.md §6). Inputs: g_1, the residual g's, g_K. Gradient:
 * ∂R/∂g_1 = sign(g_1)·Π(1+|g_i|)·S; ∂R/∂g_i = |g_1|·sign(g_i)·Π_{l≠i}(1+|g_l|)·S; ∂R/∂g_{K,o} = |g_1|·Π(1+|g_i|)·sign(g_{K,o}).
 */
const resnetClosedForm = C.customOp<null>({
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

/** r·M: the step `r ← Mᵀ r` of the explicit recursions, with r kept as a row vector. */
const stepRow = (r: Tensor, m: Tensor): Tensor => C.matmul(r, m);

function identity(n: number, like: Tensor): Tensor {
  const eye = new Float64Array(n * n);
  for (let i = 0; i < n; i++) eye[i * n + i] = 1;
  return C.tensor(eye, [n, n], { dtype: like.dtype, backend: like.backend });
}

/**
 * Explicit 1-path-norm of a NormNet, R = 1ᵀ|W_Kᵀ|⋯|W_1ᵀ|1 (PAPER.md §6):
 * r ← |W_1ᵀ|·1, then r ← |W_iᵀ|·r, R = Σ r. Any share/norm configuration.
 */
export function pathNormExplicit(model: NormNet): Tensor {
  const [first, ...rest] = model.layers() as NormLinear[];
  let r = C.sum(C.abs(first!.weights()[0]!), 0, true); // [1, h] = (|W_1ᵀ|·1)ᵀ
  for (const l of rest) r = stepRow(r, C.abs(l.weights()[0]!));
  return C.sum(r);
}

/**
 * ResNet bounds by explicit recursion (PAPER.md §6), r ← |W_1ᵀ|·1 then
 * - `ib`: block r ← (I + W̃ᵀ)·r, predictor r ← W̃ᵀ·r, W̃ = max(|W⁺|, |W⁻|);
 * - `ob`: block r ← (|I + W⁺ᵀ| + |I + W⁻ᵀ|)·r, predictor r ← (|W⁺ᵀ| + |W⁻ᵀ|)·r.
 * R = Σ r.
 */
export function resnetBoundExplicit(model: NormResNet, bound: 'ib' | 'ob'): Tensor {
  let r = C.sum(C.abs(model.embedder.weights()[0]!), 0, true);
  const crelu = [...model.blocks, model.predictor] as CReLUNormLinear[];
  crelu.forEach((layer, i) => {
    const [wp, wn] = layer.weights() as [Tensor, Tensor];
    const isBlock = i < model.blocks.length;
    if (bound === 'ib') {
      const wt = C.maximum(C.abs(wp), C.abs(wn));
      r = isBlock ? C.add(r, stepRow(r, wt)) : stepRow(r, wt);
    } else if (isBlock) {
      const eye = identity(layer.inDim, wp);
      r = stepRow(r, C.add(C.abs(C.add(eye, wp)), C.abs(C.add(eye, wn))));
    } else {
      r = stepRow(r, C.add(C.abs(wp), C.abs(wn)));
    }
  });
  return C.sum(r);
}

/** PSiLON Net closed form over the model's gains. */
export function pathNormClosedForm(model: NormNet): Tensor {
  requireClosedForm(model, 'pathNormClosedForm');
  return netClosedForm(...model.gains())[0]!;
}

/** PSiLON ResNet improved bound, closed form over the model's gains. */
export function improvedBoundClosedForm(model: NormResNet): Tensor {
  requireClosedForm(model, 'improvedBoundClosedForm');
  return resnetClosedForm(...model.gains())[0]!;
}

function requireClosedForm(model: Model, where: string): void {
  if (!hasClosedForm(model)) {
    throw new Error(`${where}: the closed form needs shared g and L1 normalization (model has share=${model.config.share}, norm=${model.config.norm}); use the explicit form`);
  }
}

/** True when the closed forms apply: every hidden layer shares g and normalizes by L1 (PAPER.md §6). */
export function hasClosedForm(model: Model): boolean {
  return model.config.share && model.config.norm === 'l1' && model.layers().every((l) => !l.pruning);
}

/** L2 penalty: Σ over layers of ‖W‖²_F of the normalized weights (W⁺ and W⁻ for CReLU layers). */
export function l2Penalty(model: Model): Tensor {
  const terms = model.layers().flatMap((l) => l.weights().map((w) => C.sum(C.square(w))));
  return terms.reduce((a, b) => C.add(a, b));
}

/**
 * The regularizer R of the model's objective L + λ·R, per its `regularizer` option.
 * `pathnorm`/`ib` use the closed form when it applies (shared g, L1) and the explicit
 * recursion otherwise. During the pruning blend the explicit recursion is used: it is
 * exact for any weights, while the closed form assumes every column has L1 norm exactly |g|.
 */
export function regularizer(model: Model): Tensor {
  const kind = model.config.regularizer;
  switch (kind) {
    case 'pathnorm': return hasClosedForm(model) ? pathNormClosedForm(model as NormNet) : pathNormExplicit(model as NormNet);
    case 'pathnorm-explicit': return pathNormExplicit(model as NormNet);
    case 'ib': return hasClosedForm(model) ? improvedBoundClosedForm(model as NormResNet) : resnetBoundExplicit(model as NormResNet, 'ib');
    case 'ib-explicit': return resnetBoundExplicit(model as NormResNet, 'ib');
    case 'ob': return resnetBoundExplicit(model as NormResNet, 'ob');
    case 'l2': return l2Penalty(model);
    case 'none': return C.zeros([], { dtype: model.config.dtype, backend: model.gains()[0]!.backend });
  }
}

/** A certified Lipschitz bound and the formula that produced it. */
export interface LipschitzBound {
  /** Upper bound on Σ_o Σ_i |∂f_o/∂x_i| at every x (ℓ∞ → ℓ1 Lipschitz constant). */
  value: number;
  formula: string;
}

/**
 * The certified bound of PAPER.md §6: for a NormNet the 1-path-norm (closed form
 * |Π g_i|·Σ|g_K| when shared L1, else the explicit recursion); for a NormResNet
 * the improved bound (closed form |g_1|·Π(1+|g_i|)·Σ|g_K|, else explicit with W̃).
 */
export async function lipschitzBound(model: Model): Promise<LipschitzBound> {
  const closed = hasClosedForm(model);
  const isNet = model instanceof NormNet;
  const t = C.tidy(() => C.noGrad(() => {
    if (isNet) return closed ? pathNormClosedForm(model) : pathNormExplicit(model as NormNet);
    return closed ? improvedBoundClosedForm(model as NormResNet) : resnetBoundExplicit(model as NormResNet, 'ib');
  }));
  const value = await t.item();
  t.dispose();
  const formula = isNet
    ? closed ? 'PSiLON Net closed form |Π g_i|·Σ|g_K| (PAPER.md §6)' : '1-path-norm, explicit recursion 1ᵀ|W_Kᵀ|⋯|W_1ᵀ|1 (PAPER.md §6)'
    : closed ? 'PSiLON ResNet improved bound, closed form |g_1|·Π(1+|g_i|)·Σ|g_K| (PAPER.md §6)' : 'ResNet improved bound, explicit recursion with W̃ = max(|W⁺|,|W⁻|) (PAPER.md §6)';
  return { value, formula };
}

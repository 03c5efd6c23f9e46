/** Optimizers over parameter lists. Updates replace parameter values in place (`Tensor.assign`). */
import { checkOptions, fmt } from './errors.js';
import { keep, tidy } from './memory.js';
import type { AdamHyper } from '@psilon/kernels';
import { add, div, mul, sqrt, square, sub, zerosLike } from './ops.js';
import { noGrad } from './tape.js';
import { Tensor } from './tensor.js';

/** The common optimizer surface; `lr` and `momentum` (β₁ for Adam) are writable for schedules. */
export interface Optimizer {
  /** The learning rate of the next step (> 0; a schedule such as {@link OneCycle} rewrites it). */
  lr: number;
  /** SGD's momentum or Adam's β₁ (what OneCycle cycles). */
  momentum: number;
  /** The parameters this optimizer updates, in the order given. */
  readonly params: readonly Tensor[];
  /** Updates every parameter that has a gradient. */
  step(): void;
  /** Disposes and clears every parameter's gradient. */
  zeroGrad(): void;
  /** Frees the optimizer's state tensors. */
  dispose(): void;
}

function checkParams(params: readonly Tensor[], where: string): void {
  if (params.length === 0) throw new Error(`${where}: no parameters given`);
  params.forEach((p, i) => {
    if (!p.requiresGrad || p.node) throw new Error(`${where}: parameter ${i} ${fmt(p.shape)} is not a leaf tensor with requiresGrad`);
  });
}

function checkNumber(where: string, name: string, v: number, lo: number, hi = Infinity): void {
  if (!(typeof v === 'number' && v >= lo && v <= hi)) throw new Error(`${where}: ${name} must be in [${lo}, ${hi}], got ${v}`);
}

/** A learning rate: finite and > 0. */
function checkLr(where: string, v: number): void {
  if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw new Error(`${where}: lr must be a finite number > 0, got ${v}`);
}

/** A decay rate such as Adam's β: in [0, 1) (β = 1 would never forget and divide by 1 − βᵗ = 0). */
function checkBeta(where: string, name: string, v: number): void {
  if (!(typeof v === 'number' && v >= 0 && v < 1)) throw new Error(`${where}: ${name} must be in [0, 1), got ${v}`);
}

abstract class Base implements Optimizer {
  abstract lr: number;
  abstract momentum: number;
  protected state = new Map<Tensor, Tensor[]>();
  constructor(
    /** The parameters this optimizer updates, in the order given. */
    readonly params: readonly Tensor[],
  ) {}
  abstract step(): void;
  zeroGrad(): void {
    for (const p of this.params) { p.grad?.dispose(); p.grad = null; }
  }
  dispose(): void {
    for (const s of this.state.values()) for (const t of s) t.dispose();
    this.state.clear();
  }
  /** State tensors of p, created as zeros on first use. */
  protected slots(p: Tensor, n: number): Tensor[] {
    let s = this.state.get(p);
    if (!s) { s = Array.from({ length: n }, () => keep(noGrad(() => zerosLike(p)))); this.state.set(p, s); }
    return s;
  }
}

/** Options of {@link SGD}. */
export interface SGDOptions {
  /** Learning rate, a finite number > 0 (required). */
  lr: number;
  /** Heavy-ball momentum μ, in [0, 1] (default 0: plain SGD). */
  momentum?: number;
}

/** Stochastic gradient descent with (heavy-ball) momentum: b ← μ·b + g; p ← p − lr·b (PyTorch's form). */
export class SGD extends Base {
  /** The learning rate of the next step (writable, for schedules). */
  lr: number;
  /** Heavy-ball momentum μ (writable, for schedules). */
  momentum: number;
  /**
   * @param params the tensors to update (at least one; each a leaf tensor with `requiresGrad`)
   * @param options `lr` (required) and `momentum` (default 0): see {@link SGDOptions}
   */
  constructor(params: readonly Tensor[], options: SGDOptions) {
    super(params);
    checkOptions('SGD', options, ['lr', 'momentum']);
    checkParams(params, 'SGD');
    checkLr('SGD', options.lr);
    this.lr = options.lr;
    this.momentum = options.momentum ?? 0;
    checkNumber('SGD', 'momentum', this.momentum, 0, 1);
  }
  /** p ← p − lr·d, with d = g, or the momentum buffer b ← momentum·b + g. */
  step(): void {
    noGrad(() => {
      for (const p of this.params) {
        const g = p.grad;
        if (!g) continue;
        tidy(() => {
          let dir = g;
          if (this.momentum > 0) {
            const [b] = this.slots(p, 1);
            b!.assign(add(mul(b!, this.momentum), g));
            dir = b!;
          }
          p.assign(sub(p, mul(dir, this.lr)));
        });
      }
    });
  }
}

/**
 * The reference composition of the fused Adam kernel, from primitives (PyTorch's update):
 * g' = g + wd·p, m' = β₁m + (1−β₁)g', v' = β₂v + (1−β₂)g'², p' = p − (lr/bc1)·m'/(√v'/√bc2 + ε).
 * Returns [p', m', v'].
 */
function composeAdam(p: Tensor, g: Tensor, m: Tensor, v: Tensor, h: AdamHyper): [Tensor, Tensor, Tensor] {
  const gi = h.weightDecay ? add(g, mul(p, h.weightDecay)) : g;
  const m2 = add(mul(m, h.beta1), mul(gi, 1 - h.beta1));
  const v2 = add(mul(v, h.beta2), mul(square(gi), 1 - h.beta2));
  const p2 = sub(p, div(mul(m2, h.lr / h.bc1), add(div(sqrt(v2), Math.sqrt(h.bc2)), h.eps)));
  return [p2, m2, v2];
}

/** Options of {@link Adam}. */
export interface AdamOptions {
  /** Learning rate, a finite number > 0 (required). */
  lr: number;
  /** Decay rate β₁ of the first-moment average m, in [0, 1) (default 0.9). */
  beta1?: number;
  /** Decay rate β₂ of the second-moment average v, in [0, 1) (default 0.999). */
  beta2?: number;
  /** ε added to √v̂ in the denominator, ≥ 0 (default 1e-8). */
  eps?: number;
  /** L2 weight decay wd ≥ 0, added to the gradient as g + wd·p (not decoupled, as PyTorch's Adam; default 0). */
  weightDecay?: number;
}

/**
 * Adam (Kingma & Ba), PyTorch's update: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
 * p ← p − (lr/(1−β₁ᵗ))·m / (√v/√(1−β₂ᵗ) + ε). No weight decay unless asked (L2, added to g).
 */
export class Adam extends Base {
  /** The learning rate of the next step (writable, for schedules). */
  lr: number;
  /** Decay rate β₂ of the second-moment average. */
  beta2: number;
  /** ε added to √v̂ in the denominator. */
  eps: number;
  /** L2 weight decay added to the gradient (0: none). */
  weightDecay: number;
  /** β₁, writable (OneCycle cycles it). */
  momentum: number;
  private t = 0;
  /**
   * @param params the tensors to update (at least one; each a leaf tensor with `requiresGrad`)
   * @param options `lr` (required), β₁, β₂, ε and weight decay (defaults 0.9, 0.999, 1e-8, 0): see {@link AdamOptions}
   */
  constructor(params: readonly Tensor[], options: AdamOptions) {
    super(params);
    checkOptions('Adam', options, ['lr', 'beta1', 'beta2', 'eps', 'weightDecay']);
    checkParams(params, 'Adam');
    this.lr = options.lr;
    this.momentum = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    checkLr('Adam', this.lr);
    checkBeta('Adam', 'beta1', this.momentum);
    checkBeta('Adam', 'beta2', this.beta2);
    checkNumber('Adam', 'eps', this.eps, 0);
    checkNumber('Adam', 'weightDecay', this.weightDecay, 0);
  }
  /** Adam's β₁ (an alias of `momentum`, which OneCycle cycles). */
  get beta1(): number { return this.momentum; }
  /** Sets β₁ (and `momentum`). */
  set beta1(v: number) { this.momentum = v; }
  /** Steps taken so far. */
  get steps(): number { return this.t; }
  /** One step for every parameter with a gradient: the backend's fused Adam kernel (in place when it can), else its composition from primitives (`composeAdam`). */
  step(): void {
    this.t++;
    const h: AdamHyper = {
      lr: this.lr, beta1: this.momentum, beta2: this.beta2, eps: this.eps, weightDecay: this.weightDecay,
      bc1: 1 - this.momentum ** this.t, bc2: 1 - this.beta2 ** this.t,
    };
    for (const p of this.params) {
      const g = p.grad;
      if (!g) continue;
      const [m, v] = this.slots(p, 2);
      const be = p.backend;
      if (be.adamStepInPlace && p.ownsStorage && m!.ownsStorage && v!.ownsStorage) {
        be.adamStepInPlace(p.buffer, g.buffer, m!.buffer, v!.buffer, h); // no allocation
        for (const t of [p, m!, v!]) t.version++; // changed in place, as assign would
        continue;
      }
      const out = be.adamStep
        ? be.adamStep(p.buffer, g.buffer, m!.buffer, v!.buffer, h).map((b) => new Tensor(b, p.shape, be))
        : noGrad(() => tidy(() => composeAdam(p, g, m!, v!, h)));
      [p, m!, v!].forEach((t, i) => { t.assign(out[i]!); out[i]!.dispose(); });
    }
  }
}

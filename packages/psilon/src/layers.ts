/**
 * Weight-normalized linear layers (PAPER.md §2 and §5), in the X·W convention:
 * V ∈ R^{in×out}, column j is the weight vector of output unit j.
 */
import * as C from '@psilon/core';
import { checkOptions, type DType, type RNG, type Tensor } from '@psilon/core';
import { blendWeights, type PruningState } from './prune.js';

/** Which norm the weight vectors are divided by: `l1` (PSiLON) or `l2` (baselines). */
export type NormKind = 'l1' | 'l2';

/** Options of {@link NormLinear}. */
export interface NormLinearOptions {
  inDim: number;
  outDim: number;
  /** Seeded generator for the orthogonal init of V. */
  rng: RNG;
  /** `l1` (default) or `l2` weight normalization. */
  norm?: NormKind;
  /** One g for the whole layer (PSiLON's hidden layers) instead of one per unit (default false). */
  shareG?: boolean;
  /** Add a bias b (outside the normalization; default true). */
  bias?: boolean;
  /** Initial value of g (default 1). */
  gInit?: number;
  dtype?: DType;
}

/**
 * What both weight-normalized layers share: the length g (one per layer when shared,
 * one per unit otherwise), the bias outside the normalization, the pruning blend state.
 * Subclasses hold their raw matrices and say how they combine with the input.
 */
abstract class WeightNormalized {
  readonly inDim: number;
  readonly outDim: number;
  readonly norm: NormKind;
  readonly shareG: boolean;
  /** Length parameter g: [1] when shared, [out] otherwise. */
  readonly g: Tensor;
  /** Bias [out] (added after the matmul, never normalized), or null. */
  readonly b: Tensor | null;
  /** Pruning blend state (PAPER.md §7), null when not pruning. */
  pruning: PruningState | null = null;
  protected readonly dtype: DType;

  constructor(where: string, options: NormLinearOptions) {
    checkOptions(where, options, ['inDim', 'outDim', 'rng', 'norm', 'shareG', 'bias', 'gInit', 'dtype']);
    for (const k of ['inDim', 'outDim'] as const) {
      if (!Number.isInteger(options[k]) || options[k] < 1) throw new Error(`${where}: ${k} must be a positive integer, got ${options[k]}`);
    }
    this.inDim = options.inDim;
    this.outDim = options.outDim;
    this.norm = options.norm ?? 'l1';
    if (this.norm !== 'l1' && this.norm !== 'l2') throw new Error(`${where}: unknown norm '${String(this.norm)}' (l1 or l2)`);
    this.shareG = options.shareG ?? false;
    this.dtype = options.dtype ?? 'float32';
    const dtype = this.dtype;
    this.g = C.keep(C.full([this.shareG ? 1 : this.outDim], options.gInit ?? 1, { dtype, requiresGrad: true }));
    this.b = options.bias === false ? null : C.keep(C.zeros([this.outDim], { dtype, requiresGrad: true }));
  }

  /** The raw matrices: [V], or [V⁺, V⁻] for the CReLU layer. */
  abstract get rawWeights(): Tensor[];

  /** The normalized weights W = g·V/n (blended with the L1-sphere projection while pruning). */
  abstract weights(): Tensor[];

  /** Z = (the layer's product of X and W) + b. */
  abstract forward(x: Tensor): Tensor;

  protected withBias(z: Tensor): Tensor { return this.b ? C.add(z, this.b) : z; }

  /** Orthogonal init of a raw [in, out] matrix (PAPER.md §2). */
  protected orthogonalV(rng: RNG): Tensor {
    return C.keep(C.orthogonal([this.inDim, this.outDim], { rng, dtype: this.dtype, requiresGrad: true }));
  }

  parameters(): Tensor[] { return [...this.rawWeights, this.g, ...(this.b ? [this.b] : [])]; }
}

/**
 * L1 (or L2) weight-normalized linear layer, PAPER.md §2:
 * W[:, j] = g_(j)·V[:, j] / ‖V[:, j]‖₁ and Z = X·W + b, the bias outside the normalization.
 * Init: V orthogonal (gain 1), g = gInit (1), b = 0. The normalization runs through
 * the fused kernel and its closed-form backward (core's `weightNorm`).
 */
export class NormLinear extends WeightNormalized {
  /** Raw direction parameter V [in, out]. */
  readonly v: Tensor;

  constructor(options: NormLinearOptions) {
    super('NormLinear', options);
    this.v = this.orthogonalV(options.rng);
  }

  get rawWeights(): Tensor[] { return [this.v]; }

  weights(): Tensor[] {
    const w = C.weightNorm(this.v, this.g, { kind: this.norm });
    return this.pruning ? blendWeights(this, [w]) : [w];
  }

  /** Z = X·W + b. */
  forward(x: Tensor): Tensor { return this.withBias(C.matmul(x, this.weights()[0]!)); }
}

/** Options of {@link CReLUNormLinear}. */
export type CReLUNormLinearOptions = NormLinearOptions;

/**
 * The CReLU layer of PAPER.md §5: Z = relu(X)·W⁺ + min(X, 0)·W⁻ + b with
 * W± = g·V±/n and one normalizer n_j = Σ_i max(|V⁺_ij|, |V⁻_ij|) for both.
 * Init: V⁺ orthogonal, V⁻ an exact copy of V⁺ (so the layer starts linear),
 * g = gInit (0 for residual blocks, 1 for the predictor), b = 0.
 */
export class CReLUNormLinear extends WeightNormalized {
  readonly vPos: Tensor;
  readonly vNeg: Tensor;

  constructor(options: CReLUNormLinearOptions) {
    super('CReLUNormLinear', options);
    this.vPos = this.orthogonalV(options.rng);
    this.vNeg = C.keep(C.noGrad(() => C.clone(this.vPos))); // an exact copy, on the device
    this.vNeg.requiresGrad = true;
  }

  get rawWeights(): Tensor[] { return [this.vPos, this.vNeg]; }

  /** [W⁺, W⁻] (blended with the projection while pruning). */
  weights(): Tensor[] {
    const w = C.pairWeightNorm(this.vPos, this.vNeg, this.g, { kind: this.norm });
    return this.pruning ? blendWeights(this, w) : w;
  }

  /** relu(X)·W⁺ + min(X, 0)·W⁻ + b. */
  forward(x: Tensor): Tensor {
    const [wp, wn] = this.weights();
    return this.withBias(C.add(C.matmul(C.relu(x), wp!), C.matmul(C.minimum(x, 0), wn!)));
  }
}

/** Either layer kind. */
export type WNLayer = NormLinear | CReLUNormLinear;

/**
 * Weight-normalized linear layers (docs/math.md §2 and §5), in the X·W convention:
 * V ∈ R^{in×out}, column j is the weight vector of output unit j.
 */
import * as C from '@psilon/core';
import { checkNormKind, checkOptions, type DType, type NormKind, type RNG, type Tensor } from '@psilon/core';
import { checkPositiveInteger, optionKeys } from './options.js';

export type { NormKind };

/** The most parameters a model (or one layer) may have: 2²⁸ (1 GiB of float32 weights, before gradients and Adam's moments). */
export const MAX_PARAMETERS = 2 ** 28;

/** What fixes a layer's parameters: its sizes, a pair of raw matrices (CReLU) or one, a shared g, a bias. */
export interface LayerShape {
  /** Input width of the layer. */
  inDim: number;
  /** Output width (units) of the layer. */
  outDim: number;
  /** True for a CReLU layer (two matrices V⁺, V⁻; docs/math.md §5), false for one V. */
  pair: boolean;
  /** True when the layer has one g instead of one per unit. */
  shared: boolean;
  /** True when the layer has a bias [out]. */
  bias: boolean;
}

/**
 * The spec of one layer's parameters, in order, named as the reference code names them under
 * `prefix`: `<prefix>.weight` (or `.weight_pos`, `.weight_neg`) [in, out], `<prefix>.g` ([1]
 * when shared, else [out]), `<prefix>.bias` [out] when it has one. Models' `parameterLayout`
 * and every layer's `namedParameters` are built from it.
 */
export function layerLayout(prefix: string, l: LayerShape): { name: string; shape: number[] }[] {
  return [
    ...(l.pair ? ['weight_pos', 'weight_neg'] : ['weight']).map((w) => ({ name: `${prefix}.${w}`, shape: [l.inDim, l.outDim] })),
    { name: `${prefix}.g`, shape: [l.shared ? 1 : l.outDim] },
    ...(l.bias ? [{ name: `${prefix}.bias`, shape: [l.outDim] }] : []),
  ];
}

/** How many numbers `layerLayout` holds, by arithmetic (nothing is built). */
export function layerSize(l: LayerShape): number {
  return (l.pair ? 2 : 1) * l.inDim * l.outDim + (l.shared ? 1 : l.outDim) + (l.bias ? l.outDim : 0);
}

/**
 * A change applied to a layer's normalized weights over a number of training steps:
 * the pruning blend of docs/math.md §7 (sparsity/prune.ts) is the one in use. The
 * layer only calls `apply`; who made the blend advances `t`.
 */
export interface WeightBlend {
  /** Steps done, of T. */
  t: number;
  /** Length of the blend in steps (the pruning phase of docs/math.md §7). */
  T: number;
  /** The weights the layer uses, given its parameters and normalized weights ([W], or [W⁺, W⁻]). */
  apply(params: LayerParams, normalized: Tensor[]): Tensor[];
}

/** A layer's parameters as plain values: the raw matrices ([V] or [V⁺, V⁻]), g and the bias. */
export interface LayerParams {
  /** The raw (unnormalized) matrices [in, out]: [V], or [V⁺, V⁻] for a CReLU layer. */
  raw: Tensor[];
  /** The length parameter g: [1] when shared, else [out]. */
  g: Tensor;
  /** The bias [out], or null when the layer has none. */
  b: Tensor | null;
}

/** Options of {@link NormLinear}. */
export interface NormLinearOptions {
  /** Input width (rows of V; a positive integer; required). */
  inDim: number;
  /** Output width: the number of units (columns of V; a positive integer; required). */
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
  /** Element type of the parameters (default `float32`). */
  dtype?: DType;
}
const LAYER_KEYS = optionKeys<NormLinearOptions>()(['inDim', 'outDim', 'rng', 'norm', 'shareG', 'bias', 'gInit', 'dtype']);

/**
 * What both weight-normalized layers share: the length g (one per layer when shared,
 * one per unit otherwise), the bias outside the normalization, the pruning blend state.
 * Subclasses hold their raw matrices and say how they combine with the input.
 */
abstract class WeightNormalized {
  /** Input width. */
  readonly inDim: number;
  /** Output width (units). */
  readonly outDim: number;
  /** The weight normalization, `l1` or `l2` (docs/math.md §2). */
  readonly norm: NormKind;
  /** Whether the layer has one g instead of one per unit. */
  readonly shareG: boolean;
  /** Length parameter g: [1] when shared, [out] otherwise. */
  readonly g: Tensor;
  /** Bias [out] (added after the matmul, never normalized), or null. */
  readonly b: Tensor | null;
  /** The pruning blend (docs/math.md §7) while it runs, else null. */
  pruning: WeightBlend | null = null;
  protected readonly dtype: DType;

  constructor(where: string, options: NormLinearOptions, pair: boolean) {
    checkOptions(where, options, LAYER_KEYS);
    checkPositiveInteger(options.inDim, where, 'inDim');
    checkPositiveInteger(options.outDim, where, 'outDim');
    const size = layerSize({ inDim: options.inDim, outDim: options.outDim, pair, shared: options.shareG ?? false, bias: options.bias !== false });
    if (size > MAX_PARAMETERS) {
      throw new Error(`${where}: inDim ${options.inDim} × outDim ${options.outDim} is ${size.toExponential(2)} parameters, over the limit of ${MAX_PARAMETERS.toExponential(2)}`);
    }
    this.inDim = options.inDim;
    this.outDim = options.outDim;
    this.norm = checkNormKind(options.norm, where);
    this.shareG = options.shareG ?? false;
    this.dtype = options.dtype ?? 'float32';
    const dtype = this.dtype;
    this.g = C.keep(C.full([this.shareG ? 1 : this.outDim], options.gInit ?? 1, { dtype, requiresGrad: true }));
    this.b = options.bias === false ? null : C.keep(C.zeros([this.outDim], { dtype, requiresGrad: true }));
  }

  /** The raw matrices: [V], or [V⁺, V⁻] for the CReLU layer. */
  abstract get rawWeights(): Tensor[];

  /** This layer's parameters as {@link LayerParams}. */
  get params(): LayerParams { return { raw: this.rawWeights, g: this.g, b: this.b }; }

  /** W = g·V/n for the given parameters (the fused kernel and its closed-form backward). */
  protected abstract normalize(p: LayerParams): Tensor[];

  /** Z = (the product of X and the weights W) + b, given the weights. */
  protected abstract combine(x: Tensor, w: Tensor[]): Tensor;

  /** The weights used with parameters `p`: normalized, blended with the projection while pruning. */
  weightsWith(p: LayerParams): Tensor[] {
    const w = this.normalize(p);
    return this.pruning ? this.pruning.apply(p, w) : w;
  }

  /** The normalized weights W = g·V/n (blended with the L1-sphere projection while pruning). */
  weights(): Tensor[] { return this.weightsWith(this.params); }

  /**
   * The layer as a pure function of its parameters: the forward pass with `p` in place
   * of the layer's own (gradient checks perturb copies this way).
   */
  forwardWith(p: LayerParams, x: Tensor): Tensor {
    const z = this.combine(x, this.weightsWith(p));
    return p.b ? C.add(z, p.b) : z;
  }

  /** Z = (the layer's product of X and W) + b, with the layer's own parameters. */
  forward(x: Tensor): Tensor { return this.forwardWith(this.params, x); }

  /** Orthogonal init of a raw [in, out] matrix (docs/math.md §2). */
  protected orthogonalV(rng: RNG): Tensor {
    return C.keep(C.orthogonal([this.inDim, this.outDim], { rng, dtype: this.dtype, requiresGrad: true }));
  }

  /** What fixes this layer's parameters (the input of `layerLayout`). */
  get layerShape(): LayerShape {
    return { inDim: this.inDim, outDim: this.outDim, pair: this.rawWeights.length === 2, shared: this.shareG, bias: this.b !== null };
  }

  /** The parameters in `layerLayout` order: the raw matrices, g, the bias. */
  parameters(): Tensor[] { return [...this.rawWeights, this.g, ...(this.b ? [this.b] : [])]; }

  /** The parameters with `layerLayout`'s names under `prefix` (`<prefix>.weight`, `<prefix>.g`, …). */
  namedParameters(prefix: string): [string, Tensor][] { return zipLayout(layerLayout(prefix, this.layerShape), this.parameters()); }
}

/**
 * Pairs a layout's names with tensors, checking that each tensor has its entry's shape
 * (a layer or model whose parameters drifted from the spec fails here, not in a saved file).
 */
export function zipLayout(layout: readonly { name: string; shape: readonly number[] }[], tensors: readonly Tensor[]): [string, Tensor][] {
  if (layout.length !== tensors.length) throw new Error(`internal: ${tensors.length} parameters for a layout of ${layout.length}`);
  return layout.map((p, i) => {
    const t = tensors[i]!;
    if (t.rank !== p.shape.length || t.shape.some((d, k) => d !== p.shape[k])) {
      throw new Error(`internal: parameter '${p.name}' has shape [${t.shape.join(', ')}], the layout says [${p.shape.join(', ')}]`);
    }
    return [p.name, t];
  });
}

/**
 * L1 (or L2) weight-normalized linear layer, docs/math.md §2:
 * W[:, j] = g_(j)·V[:, j] / ‖V[:, j]‖₁ and Z = X·W + b, the bias outside the normalization.
 * Init: V orthogonal (gain 1), g = gInit (1), b = 0. The normalization runs through
 * the fused kernel and its closed-form backward (core's `weightNorm`).
 */
export class NormLinear extends WeightNormalized {
  /** Raw direction parameter V [in, out]. */
  readonly v: Tensor;

  /** @param options the sizes and `rng` (required), normalization, shared g, bias, initial g and dtype: see {@link NormLinearOptions} */
  constructor(options: NormLinearOptions) {
    super('NormLinear', options, false);
    this.v = this.orthogonalV(options.rng);
  }

  get rawWeights(): Tensor[] { return [this.v]; }

  protected normalize(p: LayerParams): Tensor[] { return [C.weightNorm(p.raw[0]!, p.g, { kind: this.norm })]; }

  /** X·W. */
  protected combine(x: Tensor, [w]: Tensor[]): Tensor { return C.matmul(x, w!); }
}

/** Options of {@link CReLUNormLinear}. */
export type CReLUNormLinearOptions = NormLinearOptions;

/**
 * The CReLU layer of docs/math.md §5: Z = relu(X)·W⁺ + neg(X)·W⁻ + b, neg(X) = −relu(−X), with
 * W± = g·V±/n and one normalizer n_j = Σ_i max(|V⁺_ij|, |V⁻_ij|) for both.
 * Init: V⁺ orthogonal, V⁻ an exact copy of V⁺ (so the layer starts linear),
 * g = gInit (0 for residual blocks, 1 for the predictor), b = 0.
 */
export class CReLUNormLinear extends WeightNormalized {
  /** Raw matrix V⁺ [in, out] of the positive part relu(X). */
  readonly vPos: Tensor;
  /** Raw matrix V⁻ [in, out] of the negative part neg(X). */
  readonly vNeg: Tensor;

  /** @param options the sizes and `rng` (required), normalization, shared g, bias, initial g and dtype: see {@link NormLinearOptions} */
  constructor(options: CReLUNormLinearOptions) {
    super('CReLUNormLinear', options, true);
    this.vPos = this.orthogonalV(options.rng);
    this.vNeg = C.keep(C.noGrad(() => C.clone(this.vPos))); // an exact copy, on the device
    this.vNeg.requiresGrad = true;
  }

  get rawWeights(): Tensor[] { return [this.vPos, this.vNeg]; }

  /** [W⁺, W⁻] with one normalizer n = Σ max(|V⁺|, |V⁻|). */
  protected normalize(p: LayerParams): Tensor[] { return C.pairWeightNorm(p.raw[0]!, p.raw[1]!, p.g, { kind: this.norm }); }

  /** relu(X)·W⁺ + neg(X)·W⁻, computed as relu(X)·W⁺ − relu(−X)·W⁻ (so ∂neg/∂x = 0 at 0, docs/math.md §1). */
  protected combine(x: Tensor, [wp, wn]: Tensor[]): Tensor {
    return C.sub(C.matmul(C.relu(x), wp!), C.matmul(C.relu(C.neg(x)), wn!));
  }
}

/** Either layer kind. */
export type WNLayer = NormLinear | CReLUNormLinear;

/** Anything made of weight-normalized layers (a model, or a test's stand-in). */
export interface HasLayers {
  /** Every weight-normalized layer, in order. */
  layers(): WNLayer[];
}

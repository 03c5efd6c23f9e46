/**
 * PSiLON Net (docs/math.md §4) and PSiLON ResNet (§5), with every option of the
 * reference code's constructors, so each ablation variant of §9 can be built.
 */
import * as C from '@psilon/core';
import { checkNormKind, checkOptions, RNG, type DType, type Tensor } from '@psilon/core';
import { chainPathNorm, netPathNorm, squaredFrobeniusSum, resnetImprovedBound, resnetPathBound, type ResNetBound } from '../norms/index.js';
import { CReLUNormLinear, layerLayout, layerSize, MAX_PARAMETERS, NormLinear, zipLayout, type LayerShape, type NormKind, type NormLinearOptions, type WNLayer } from './layers.js';
import { checkPositiveInteger, optionKeys } from './options.js';

/** Which regularizer R a model's objective L + λ·R uses (docs/math.md §6, §4). */
export type RegularizerKind =
  /** 1-path-norm: the closed form for shared-g L1 nets, the explicit |W| recursion otherwise. */
  | 'pathnorm'
  /** 1-path-norm always by the explicit recursion. */
  | 'pathnorm-explicit'
  /** ResNet improved bound: closed form for shared-g L1, explicit W̃ recursion otherwise. */
  | 'ib'
  /** ResNet improved bound always by the explicit recursion. */
  | 'ib-explicit'
  /** ResNet original bound (explicit; no closed form exists). */
  | 'ob'
  /** Σ‖W‖²_F of the normalized weights (= Σ g² per unit), the Standard Net penalty. */
  | 'l2'
  | 'none';

/** The regularizers a NormNet accepts, and a NormResNet. */
/** The regularizers a NormNet accepts (the first is its default). */
export const NET_REGULARIZERS = ['pathnorm', 'pathnorm-explicit', 'l2', 'none'] as const satisfies readonly RegularizerKind[];
/** The regularizers a NormResNet accepts (the first is its default). */
export const RESNET_REGULARIZERS = ['ib', 'ib-explicit', 'ob', 'l2', 'none'] as const satisfies readonly RegularizerKind[];
/** A regularizer a NormNet accepts. */
export type NetRegularizer = (typeof NET_REGULARIZERS)[number];
/** A regularizer a NormResNet accepts. */
export type ResNetRegularizer = (typeof RESNET_REGULARIZERS)[number];

/** Options shared by both architectures. */
export interface NetOptions {
  /** Input width d: the number of features per row of X (a positive integer; required). */
  inDim: number;
  /** Hidden width h. */
  hidden: number;
  /** Output width: 1 for regression, the number of classes for classification (a positive integer; required). */
  outDim: number;
  /** K − 1: the embedder plus the hidden blocks (the reference code's `n_hidden`; default 3). */
  nHidden?: number;
  /** One g per hidden layer (PSiLON, default true). The predictor never shares. */
  share?: boolean;
  /** Weight normalization of every layer (default `l1`). */
  norm?: NormKind;
  /** Bias in hidden layers (default true; the predictor always has one). */
  bias?: boolean;
  /** The regularizer of the objective (default: `pathnorm` for the Net, `ib` for the ResNet). */
  regularizer?: RegularizerKind;
  /** Seed of the initialisation (default 0), or pass `rng`. */
  seed?: number;
  /** The generator the initialisation draws from (overrides `seed`; advanced by the draws). Default: a new `RNG(seed)`. */
  rng?: RNG;
  /** Element type of every parameter (default `float32`). */
  dtype?: DType;
}
const NET_KEYS = optionKeys<NetOptions>()(['inDim', 'hidden', 'outDim', 'nHidden', 'share', 'norm', 'bias', 'regularizer', 'seed', 'rng', 'dtype']);

/** What fixes a model's parameters (a part of {@link NetConfig}). */
export type LayoutConfig = Pick<NetConfig, 'arch' | 'inDim' | 'hidden' | 'outDim' | 'nHidden' | 'share' | 'bias'>;

/**
 * The model's layers as groups of alike layers, embedder first: each group's name prefix
 * per layer, how many layers it has and their shape. The one spec of a model's parameters
 * (the names follow the reference code: `embedder`, `representer.<i>.linear`, `predictor`).
 */
function layerGroups(c: LayoutConfig): [embedder: LayerGroup, blocks: LayerGroup, predictor: LayerGroup] {
  const pair = c.arch === 'resnet'; // the ResNet's blocks and predictor are CReLU layers (V⁺, V⁻)
  return [
    { prefix: () => 'embedder', count: 1, shape: { inDim: c.inDim, outDim: c.hidden, pair: false, shared: c.share, bias: c.bias } },
    { prefix: (i) => `representer.${i}.linear`, count: c.nHidden - 1, shape: { inDim: c.hidden, outDim: c.hidden, pair, shared: c.share, bias: c.bias } },
    { prefix: () => 'predictor', count: 1, shape: { inDim: c.hidden, outDim: c.outDim, pair, shared: false, bias: true } },
  ];
}
/** Alike layers of a model: the name prefix of its i-th layer, how many, their shape. */
interface LayerGroup { prefix: (i: number) => string; count: number; shape: LayerShape }

/** How many numbers a model of this configuration holds, by arithmetic: nothing is built, whatever the depth. */
export function parameterCount(c: LayoutConfig): number {
  return layerGroups(c).reduce((s, g) => s + g.count * layerSize(g.shape), 0);
}

/**
 * Throws, naming the sizes, when a configuration exceeds {@link MAX_PARAMETERS}; by arithmetic,
 * so call it before {@link parameterLayout} on a configuration from outside (a file).
 */
export function checkParameterCount(c: LayoutConfig, where: string): void {
  const count = parameterCount(c);
  if (!(count <= MAX_PARAMETERS)) {
    throw new Error(`${where}: ${c.arch} with inDim ${c.inDim}, hidden ${c.hidden}, nHidden ${c.nHidden}, outDim ${c.outDim} has ${count.toExponential(2)} parameters, over the limit of ${MAX_PARAMETERS.toExponential(2)} (${MAX_PARAMETERS * 4 / 2 ** 30} GiB of float32); use a smaller width or depth`);
  }
}

/**
 * The names and shapes of a model's parameters from its configuration alone, in order:
 * the spec that `namedParameters()` follows (load-time checks use it too; no tensor is built).
 * The list has an entry per parameter, so a configuration from outside is checked first
 * (`checkParameterCount`).
 */
export function parameterLayout(c: LayoutConfig): {
  /** The parameter's name (`embedder.weight`, `representer.0.linear.g`, `predictor.bias`, …). */
  name: string;
  /** Its shape: [in, out] for a weight, [1] or [out] for a g, [out] for a bias. */
  shape: number[];
}[] {
  return layerGroups(c).flatMap((g) => Array.from({ length: g.count }, (_, i) => layerLayout(g.prefix(i), g.shape)).flat());
}

/** The resolved configuration of a model (what save/load stores). */
export interface NetConfig<R extends RegularizerKind = RegularizerKind> {
  /** The architecture: `net` (PSiLON Net) or `resnet` (PSiLON ResNet with CReLU blocks). */
  arch: 'net' | 'resnet';
  /** Input width d (see {@link NetOptions.inDim}). */
  inDim: number;
  /** Hidden width h. */
  hidden: number;
  /** Output width (1 for regression, the number of classes for classification). */
  outDim: number;
  /** K − 1: the embedder plus the hidden blocks (resolved; {@link NetOptions.nHidden} defaults to 3). */
  nHidden: number;
  /** Whether each hidden layer has one shared g (resolved; default true). */
  share: boolean;
  /** Weight normalization of every layer (resolved; default `l1`). */
  norm: NormKind;
  /** Whether the hidden layers have a bias (resolved; default true). */
  bias: boolean;
  /** The regularizer R of the objective (resolved; default `pathnorm` for the Net, `ib` for the ResNet). */
  regularizer: R;
  /** Element type of the parameters (resolved; default `float32`). */
  dtype: DType;
}

function resolve<R extends RegularizerKind>(arch: 'net' | 'resnet', o: NetOptions, where: string, allowed: readonly R[]): NetConfig<R> {
  checkOptions(where, o, NET_KEYS);
  for (const k of ['inDim', 'hidden', 'outDim'] as const) checkPositiveInteger(o[k], where, k);
  const nHidden = o.nHidden ?? 3;
  checkPositiveInteger(nHidden, where, 'nHidden');
  const regularizer = o.regularizer ?? allowed[0]!;
  const isAllowed = (r: RegularizerKind): r is R => (allowed as readonly RegularizerKind[]).includes(r);
  if (!isAllowed(regularizer)) throw new Error(`${where}: regularizer '${regularizer}' is not one of ${allowed.join(', ')}`);
  const norm = checkNormKind(o.norm, where);
  checkParameterCount({ arch, inDim: o.inDim, hidden: o.hidden, outDim: o.outDim, nHidden, share: o.share ?? true, bias: o.bias ?? true }, where);
  return {
    arch, inDim: o.inDim, hidden: o.hidden, outDim: o.outDim, nHidden, share: o.share ?? true, norm, bias: o.bias ?? true,
    regularizer, dtype: o.dtype ?? 'float32',
  };
}

/** What both architectures offer. */
export interface Model {
  /** The resolved configuration (defaults filled in; what save/load stores). */
  readonly config: NetConfig;
  /** The network's output (logits or predictions) for a batch X [batch, inDim]. */
  forward(x: Tensor): Tensor;
  /** The parameters with the reference code's names (`embedder.weight`, `representer.0.linear.g`, …), in order. */
  namedParameters(): [string, Tensor][];
  /** The parameters, in `namedParameters()` order. */
  parameters(): Tensor[];
  /** The regularizer R of the objective L + λ·R, per `config.regularizer` (docs/math.md §6). */
  regularizer(): Tensor;
  /** Σ‖W‖²_F of the normalized weights, the Standard Net penalty (the `l2` regularizer), whatever `config.regularizer` is. */
  l2Penalty(): Tensor;
  /** The certified Lipschitz bound as a scalar tensor, and the formula that produced it (docs/math.md §6). */
  bound(): {
    /** The bound, a scalar tensor (differentiable, so it can be a regularizer). */
    value: Tensor;
    /** Which formula produced it, naming docs/math.md §6. */
    formula: string;
  };
  /** True when the closed forms apply: shared g, L1 normalization, no pruning blend running. */
  hasClosedForm(): boolean;
  /** Every weight-normalized layer, embedder first, predictor last. */
  layers(): WNLayer[];
  /** The g of every layer, embedder first (hidden g's are [1] when shared; the predictor's is [out]). */
  gains(): Tensor[];
  /** Frees every parameter. */
  dispose(): void;
}

/**
 * What both architectures share: the resolved config, the seeded generator that
 * initialises every layer in order, and the NormLinear embedder X·W₁ + b₁ (shared g
 * when `share`). Subclasses add their blocks and predictor.
 */
abstract class WeightNormModel<R extends RegularizerKind> implements Model {
  /** The resolved configuration (defaults filled in; what save/load stores). */
  readonly config: NetConfig<R>;
  /** The first layer, X·W₁ + b₁ (inDim → hidden). */
  readonly embedder: NormLinear;
  /** Initialises the layers after the embedder, in order. */
  protected readonly rng: RNG;
  abstract readonly blocks: WNLayer[];
  abstract readonly predictor: WNLayer;
  abstract forward(x: Tensor): Tensor;
  protected constructor(arch: 'net' | 'resnet', options: NetOptions, where: string, allowed: readonly R[]) {
    this.config = resolve(arch, options, where, allowed);
    this.rng = options.rng ?? new RNG(options.seed ?? 0);
    this.embedder = new NormLinear(this.layerOptions().embedder);
  }

  /** The options of each layer, from the spec of {@link parameterLayout} (so sizes, shared g and biases are stated once). */
  protected layerOptions(): { embedder: NormLinearOptions; blocks: NormLinearOptions[]; predictor: NormLinearOptions } {
    const { norm, dtype } = this.config;
    const options = ({ shape }: LayerGroup): NormLinearOptions => ({ inDim: shape.inDim, outDim: shape.outDim, rng: this.rng, norm, shareG: shape.shared, bias: shape.bias, dtype });
    const [embedder, blocks, predictor] = layerGroups(this.config);
    return { embedder: options(embedder), blocks: Array.from({ length: blocks.count }, () => options(blocks)), predictor: options(predictor) };
  }

  /** Every regularizer this architecture accepts, by name: an exhaustive, compiler-checked table. */
  protected abstract readonly regularizers: { readonly [K in R]: () => Tensor };
  /** The bound's closed form and explicit recursion, and the formula each reports. */
  protected abstract closedFormBound(): Tensor;
  protected abstract explicitBound(): Tensor;
  protected abstract readonly boundFormulas: { closed: string; explicit: string };

  regularizer(): Tensor { return this.regularizers[this.config.regularizer](); }

  bound(): {
    /** The bound, a scalar tensor (differentiable, so it can be a regularizer). */
    value: Tensor;
    /** Which formula produced it, naming docs/math.md §6. */
    formula: string;
  } {
    return this.hasClosedForm()
      ? { value: this.closedFormBound(), formula: this.boundFormulas.closed }
      : { value: this.explicitBound(), formula: this.boundFormulas.explicit };
  }

  layers(): WNLayer[] { return [this.embedder, ...this.blocks, this.predictor]; }
  /** {@link parameterLayout}'s names paired with the layers' parameters (each shape checked against it). */
  namedParameters(): [string, Tensor][] {
    return zipLayout(parameterLayout(this.config), this.layers().flatMap((l) => l.parameters()));
  }
  /** The parameters in `namedParameters()` order. */
  parameters(): Tensor[] { return this.namedParameters().map(([, t]) => t); }
  /**
   * The closed forms assume every column of W has L1 norm exactly |g|: true for shared-g
   * L1 layers, false during the pruning blend (the explicit recursions are exact there).
   */
  hasClosedForm(): boolean {
    return this.config.share && this.config.norm === 'l1' && this.layers().every((l) => !l.pruning);
  }
  /** The normalized weights of every layer ([W], or [W⁺, W⁻]). */
  protected allWeights(): Tensor[][] { return this.layers().map((l) => l.weights()); }
  /** Σ‖W‖²_F over every normalized matrix (W⁺ and W⁻ for CReLU layers): the `l2` regularizer. */
  l2Penalty(): Tensor { return squaredFrobeniusSum(this.allWeights().flat()); }
  /** The `none` regularizer: 0. */
  protected zero(): Tensor { return C.zeros([], { dtype: this.config.dtype, backend: this.embedder.g.backend }); }
  gains(): Tensor[] { return this.layers().map((l) => l.g); }
  dispose(): void { for (const p of this.parameters()) p.dispose(); }
  protected checkInput(x: Tensor): void {
    if (x.rank !== 2 || x.shape[1] !== this.config.inDim) {
      throw new Error(`${this.constructor.name}.forward: expected input [batch, ${this.config.inDim}], got [${x.shape.join(', ')}]`);
    }
  }
}

/**
 * NormNet / PSiLON Net (docs/math.md §4):
 * Z = X·W₁ + b₁; for each of the K−2 blocks Z = relu(Z)·W_i + b_i; ŷ = relu(Z)·W_K + b_K.
 * Hidden layers share g when `share` (PSiLON); the predictor has one g per output and a bias.
 */
export class NormNet extends WeightNormModel<NetRegularizer> {
  /** The nHidden − 1 hidden layers after the embedder (hidden → hidden, ReLU before each). */
  readonly blocks: NormLinear[];
  /** The output layer (hidden → outDim), one g per output and a bias. */
  readonly predictor: NormLinear;

  /** @param options the sizes (required: `inDim`, `hidden`, `outDim`), depth, sharing, normalization, bias, regularizer, seed or `rng`, dtype: see {@link NetOptions} */
  constructor(options: NetOptions) {
    super('net', options, 'NormNet', NET_REGULARIZERS);
    const o = this.layerOptions();
    this.blocks = o.blocks.map((b) => new NormLinear(b));
    this.predictor = new NormLinear(o.predictor);
  }

  /** Z = X·W₁ + b₁, Z = relu(Z)·W_i + b_i per block, ŷ = relu(Z)·W_K + b_K. */
  forward(x: Tensor): Tensor {
    this.checkInput(x);
    let z = this.embedder.forward(x);
    for (const b of this.blocks) z = b.forward(C.relu(z));
    return this.predictor.forward(C.relu(z));
  }

  /** 1-path-norm: closed form |Π g_i|·Σ|g_K| when it applies, else the explicit recursion (docs/math.md §6). */
  pathNorm(): Tensor { return this.hasClosedForm() ? this.closedFormBound() : this.pathNormExplicit(); }
  /** 1ᵀ|W_Kᵀ|⋯|W_1ᵀ|1 by the explicit recursion, for any configuration. */
  pathNormExplicit(): Tensor { return chainPathNorm(this.allWeights().map((w) => w[0]!)); }

  protected readonly regularizers = {
    pathnorm: () => this.pathNorm(),
    'pathnorm-explicit': () => this.pathNormExplicit(),
    l2: () => this.l2Penalty(),
    none: () => this.zero(),
  };

  protected closedFormBound(): Tensor { return netPathNorm(this.gains()); }
  protected explicitBound(): Tensor { return this.pathNormExplicit(); }
  protected readonly boundFormulas = {
    closed: 'PSiLON Net closed form |Π g_i|·Σ|g_K| (docs/math.md §6)',
    explicit: '1-path-norm, explicit recursion 1ᵀ|W_Kᵀ|⋯|W_1ᵀ|1 (docs/math.md §6)',
  };
}

/**
 * NormResNet / PSiLON ResNet (docs/math.md §5): a NormLinear embedder, K−2 CReLU
 * residual blocks Z ← Z + [relu(Z)·W⁺ + min(Z, 0)·W⁻ + b] (g = 0 at init: each
 * block starts as the identity), and a CReLU predictor with unshared g.
 */
export class NormResNet extends WeightNormModel<ResNetRegularizer> {
  /** The nHidden − 1 residual CReLU blocks, h ← h + CReLU-layer(h) (docs/math.md §5). */
  readonly blocks: CReLUNormLinear[];
  /** The CReLU output layer (hidden → outDim), one g per output and a bias. */
  readonly predictor: CReLUNormLinear;

  /** @param options the sizes (required: `inDim`, `hidden`, `outDim`), depth, sharing, normalization, bias, regularizer, seed or `rng`, dtype: see {@link NetOptions} */
  constructor(options: NetOptions) {
    super('resnet', options, 'NormResNet', RESNET_REGULARIZERS);
    const o = this.layerOptions();
    this.blocks = o.blocks.map((b) => new CReLUNormLinear({ ...b, gInit: 0 })); // each block starts as the identity
    this.predictor = new CReLUNormLinear({ ...o.predictor, gInit: 1 });
  }

  /** Z = X·W₁ + b₁, Z ← Z + CReLU-layer(Z) per block, ŷ = CReLU predictor(Z). */
  forward(x: Tensor): Tensor {
    this.checkInput(x);
    let z = this.embedder.forward(x);
    for (const b of this.blocks) z = C.add(z, b.forward(z));
    return this.predictor.forward(z);
  }

  /** The improved bound: closed form |g_1|·Π(1+|g_i|)·Σ|g_K| when it applies, else explicit (docs/math.md §6). */
  improvedBound(): Tensor { return this.hasClosedForm() ? this.closedFormBound() : this.boundExplicit('ib'); }
  /** The improved (`ib`) or original (`ob`) bound by the explicit recursion, for any configuration. */
  boundExplicit(bound: ResNetBound): Tensor {
    const pair = (l: CReLUNormLinear) => l.weights() as [Tensor, Tensor];
    return resnetPathBound(this.embedder.weights()[0]!, this.blocks.map(pair), pair(this.predictor), bound);
  }

  protected readonly regularizers = {
    ib: () => this.improvedBound(),
    'ib-explicit': () => this.boundExplicit('ib'),
    ob: () => this.boundExplicit('ob'),
    l2: () => this.l2Penalty(),
    none: () => this.zero(),
  };

  protected closedFormBound(): Tensor { return resnetImprovedBound(this.gains()); }
  protected explicitBound(): Tensor { return this.boundExplicit('ib'); }
  protected readonly boundFormulas = {
    closed: 'PSiLON ResNet improved bound, closed form |g_1|·Π(1+|g_i|)·Σ|g_K| (docs/math.md §6)',
    explicit: 'ResNet improved bound, explicit recursion with W̃ = max(|W⁺|,|W⁻|) (docs/math.md §6)',
  };
}

/**
 * The sizes, seed and dtype of a model whose kind fixes share, norm and regularizer:
 * {@link NetOptions} without `share`, `norm` and `regularizer`.
 */
export type Dims = Omit<NetOptions, 'share' | 'norm' | 'regularizer'>;

/**
 * PSiLON Net: shared g, L1 WN, closed-form 1-path-norm (docs/math.md §4).
 * @param o the sizes (`inDim`, `hidden`, `outDim`, `nHidden`), the seed or `rng`, and the dtype: see {@link NetOptions} for each one's meaning and default
 */
export const psilonNet = (o: Dims): NormNet => new NormNet({ ...o, share: true, norm: 'l1', regularizer: 'pathnorm' });
/**
 * The "Standard Net" baseline: unshared g, L2 WN, L2 penalty on the normalized weights (docs/math.md §4).
 * @param o the sizes (`inDim`, `hidden`, `outDim`, `nHidden`), the seed or `rng`, and the dtype: see {@link NetOptions} for each one's meaning and default
 */
export const standardNet = (o: Dims): NormNet => new NormNet({ ...o, share: false, norm: 'l2', regularizer: 'l2' });

/** The deep-ablation variants of docs/math.md §9 (the projected-gradient variant is not built). */
export const RESNET_VARIANTS = {
  psilon: { share: true, norm: 'l1', regularizer: 'ib' },
  'l1-ib': { share: false, norm: 'l1', regularizer: 'ib' },
  'l2-ib': { share: false, norm: 'l2', regularizer: 'ib' },
  'l1-ob': { share: false, norm: 'l1', regularizer: 'ob' },
  'l2-ob': { share: false, norm: 'l2', regularizer: 'ob' },
  standard: { share: false, norm: 'l2', regularizer: 'l2' },
} as const satisfies Record<string, Pick<NetOptions, 'share' | 'norm' | 'regularizer'>>;
/** The name of a deep-ablation variant. */
export type ResNetVariant = keyof typeof RESNET_VARIANTS;

/**
 * A ResNet of the named §9 variant.
 * @param variant the name of a §9 variant, a key of {@link RESNET_VARIANTS}
 * @param o the sizes, seed or `rng`, and dtype: see {@link NetOptions}
 */
export function resnetVariant(variant: ResNetVariant, o: Dims): NormResNet {
  if (!Object.hasOwn(RESNET_VARIANTS, variant)) throw new Error(`resnetVariant: unknown variant '${String(variant)}' (${Object.keys(RESNET_VARIANTS).join(', ')})`);
  return new NormResNet({ ...o, ...RESNET_VARIANTS[variant] });
}
/**
 * PSiLON ResNet: shared g, L1 WN, closed-form improved bound (docs/math.md §5, §6).
 * @param o the sizes (`inDim`, `hidden`, `outDim`, `nHidden`), the seed or `rng`, and the dtype: see {@link NetOptions} for each one's meaning and default
 */
export const psilonResNet = (o: Dims): NormResNet => resnetVariant('psilon', o);

/** The sizes and seed a named model is built with. */
export type ModelDims = Dims;

/**
 * Every model by the name the CLI and the experiments use: `psilon-net`, `standard-net`,
 * `psilon-resnet` and each ResNet variant. A Map, so only these names are found.
 */
export const MODELS: ReadonlyMap<string, (o: Dims) => Model> = new Map<string, (o: Dims) => Model>([
  ['psilon-net', psilonNet],
  ['standard-net', standardNet],
  ['psilon-resnet', psilonResNet],
  ...Object.keys(RESNET_VARIANTS).map((v): [string, (o: Dims) => Model] => [v, (o) => resnetVariant(v as ResNetVariant, o)]),
]);

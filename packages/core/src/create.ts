/** Tensor creation: from data, constants, seeded random, orthogonal. */
import { getBackend, sizeOf, type Backend, type DType } from '@psilon/kernels';
import { checkOptions, fmt, named } from './errors.js';
import { orthogonalMatrix, RNG } from './random.js';
import { Tensor, type NestedArray } from './tensor.js';

/** Options shared by creation functions. */
export interface CreateOptions {
  /** Element type, `float32` or `float64` (default `float32`). */
  dtype?: DType;
  /** Track gradients for this tensor (a parameter). */
  requiresGrad?: boolean;
  /** The backend to allocate on (default: the active one). */
  backend?: Backend;
}
const CREATE_KEYS = ['dtype', 'requiresGrad', 'backend'] as const;

function flatten(data: NestedArray | ArrayLike<number>, where: string): { values: number[] | ArrayLike<number>; shape: number[] } {
  if (typeof data === 'number') return { values: [data], shape: [] };
  if (ArrayBuffer.isView(data)) return { values: data as unknown as ArrayLike<number>, shape: [(data as unknown as ArrayLike<number>).length] };
  const shape: number[] = [];
  let probe: unknown = data;
  while (Array.isArray(probe)) { shape.push(probe.length); probe = probe[0]; }
  const values: number[] = [];
  const walk = (x: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (typeof x !== 'number') throw new Error(`${where}: ragged or non-numeric data at depth ${depth} (expected shape ${fmt(shape)})`);
      values.push(x);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[depth]) throw new Error(`${where}: ragged nested array (expected shape ${fmt(shape)})`);
    for (const v of x) walk(v, depth + 1);
  };
  walk(data, 0);
  return { values, shape };
}

/**
 * Throws unless `shape` is an array of non-negative integers whose product is a safe integer,
 * naming the op and the shape (before anything is allocated).
 */
function checkShape(where: string, shape: unknown): asserts shape is readonly number[] {
  const show = () => (Array.isArray(shape) ? `[${shape.map((d) => (typeof d === 'number' ? String(d) : JSON.stringify(d) ?? String(d))).join(', ')}]` : String(shape));
  if (!Array.isArray(shape)) throw new Error(`${where}: the shape must be an array of non-negative integers, got ${show()}`);
  if (shape.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d < 0)) {
    throw new Error(`${where}: invalid shape ${show()} (every dimension must be a non-negative integer)`);
  }
  if (!Number.isSafeInteger(sizeOf(shape))) throw new Error(`${where}: shape ${fmt(shape)} has ${sizeOf(shape)} elements, too many to allocate`);
}

function make(values: ArrayLike<number>, shape: readonly number[], o: CreateOptions, where: string): Tensor {
  checkOptions(where, o, CREATE_KEYS);
  const dtype = o.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') throw new Error(`${where}: unknown dtype '${String(dtype)}' (float32 or float64)`);
  const be = o.backend ?? getBackend();
  if (!be.supportsDType(dtype)) throw new Error(`${where}: backend '${be.name}' does not support ${dtype}`);
  checkShape(where, shape);
  if (values.length !== sizeOf(shape)) throw new Error(`${where}: ${values.length} values do not fill shape ${fmt(shape)}`);
  return new Tensor(be.upload(values, dtype), shape, be, o.requiresGrad ?? false);
}

/**
 * A tensor from nested arrays, a typed array or a number (copied; the input is
 * never kept or mutated). With `shape`, flat data is reshaped.
 * @param data the values: nested arrays (their nesting is the shape), a flat array or typed array, or a number (a scalar)
 * @param shape the dimensions for flat data (default: from the nesting; a flat array is 1-D)
 * @param options dtype (default `float32`), requiresGrad (default false), backend (default: the active one)
 */
export function tensor(data: NestedArray | ArrayLike<number>, shape?: readonly number[], options: CreateOptions = {}): Tensor {
  const f = flatten(data, 'tensor');
  return make(f.values, shape ?? f.shape, options, 'tensor');
}

/** A tensor filled with `value`. */
export function full(shape: readonly number[], value: number, options: CreateOptions = {}): Tensor {
  return fill(shape, value, options, 'full');
}

function fill(shape: readonly number[], value: number, options: CreateOptions, where: string): Tensor {
  checkOptions(where, options, CREATE_KEYS);
  checkShape(where, shape);
  const be = options.backend ?? getBackend();
  const dtype = options.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') throw new Error(`${where}: unknown dtype '${String(dtype)}' (float32 or float64)`);
  if (!be.supportsDType(dtype)) throw new Error(`${where}: backend '${be.name}' does not support ${dtype}`);
  return new Tensor(named(where, [shape], () => be.fill(sizeOf(shape), value, dtype)), [...shape], be, options.requiresGrad ?? false);
}
/**
 * A tensor of zeros.
 * @param shape the dimensions (non-negative integers)
 * @param options dtype (default `float32`), requiresGrad (default false), backend (default: the active one)
 */
export const zeros = (shape: readonly number[], options: CreateOptions = {}): Tensor => fill(shape, 0, options, 'zeros');
/**
 * A tensor of ones.
 * @param shape the dimensions (non-negative integers)
 * @param options dtype (default `float32`), requiresGrad (default false), backend (default: the active one)
 */
export const ones = (shape: readonly number[], options: CreateOptions = {}): Tensor => fill(shape, 1, options, 'ones');

/** Options of random creation functions. */
export interface RandomOptions extends CreateOptions {
  /** The seeded generator to draw from (required: randomness is always explicit; the draws advance it). */
  rng: RNG;
}

function requireRng(o: RandomOptions | undefined, where: string): RNG {
  if (!o || !(o.rng instanceof RNG)) throw new Error(`${where}: pass { rng } (an RNG); randomness is always explicit and seeded`);
  return o.rng;
}

/**
 * Uniform in [low, high).
 * @param shape the dimensions (non-negative integers)
 * @param options the `rng` to draw from (required), `low`/`high` (default [0, 1)), and dtype, requiresGrad, backend as for {@link tensor}
 */
export function rand(shape: readonly number[], options: RandomOptions & {
  /** Lower end of the interval, inclusive (default 0). */
  low?: number;
  /** Upper end of the interval, exclusive (default 1). */
  high?: number;
}): Tensor {
  checkOptions('rand', options, [...CREATE_KEYS, 'rng', 'low', 'high']);
  checkShape('rand', shape);
  const rng = requireRng(options, 'rand');
  const lo = options.low ?? 0, hi = options.high ?? 1;
  const v = new Float64Array(sizeOf(shape));
  for (let i = 0; i < v.length; i++) v[i] = lo + (hi - lo) * rng.uniform();
  const { rng: _r, low: _l, high: _h, ...rest } = options;
  return make(v, shape, rest, 'rand');
}

/**
 * Normal with the given mean and std.
 * @param shape the dimensions (non-negative integers)
 * @param options the `rng` to draw from (required), `mean`/`std` (default 0, 1), and dtype, requiresGrad, backend as for {@link tensor}
 */
export function randn(shape: readonly number[], options: RandomOptions & {
  /** Mean of the normal distribution (default 0). */
  mean?: number;
  /** Standard deviation of the normal distribution (default 1). */
  std?: number;
}): Tensor {
  checkOptions('randn', options, [...CREATE_KEYS, 'rng', 'mean', 'std']);
  checkShape('randn', shape);
  const rng = requireRng(options, 'randn');
  const mu = options.mean ?? 0, sd = options.std ?? 1;
  const v = new Float64Array(sizeOf(shape));
  for (let i = 0; i < v.length; i++) v[i] = mu + sd * rng.normal();
  const { rng: _r, mean: _m, std: _s, ...rest } = options;
  return make(v, shape, rest, 'randn');
}

/** Orthogonal initialisation of a 2-D [rows, cols] tensor, like `torch.nn.init.orthogonal_` (docs/math.md §2). */
export function orthogonal(shape: readonly [number, number] | readonly number[], options: RandomOptions & { gain?: number }): Tensor {
  checkOptions('orthogonal', options, [...CREATE_KEYS, 'rng', 'gain']);
  checkShape('orthogonal', shape);
  if (shape.length !== 2) throw new Error(`orthogonal: expected a 2-D shape, got ${fmt(shape)}`);
  const rng = requireRng(options, 'orthogonal');
  const { rng: _r, gain, ...rest } = options;
  return make(orthogonalMatrix(shape[0]!, shape[1]!, rng, gain ?? 1), shape, rest, 'orthogonal');
}

/**
 * Every differentiable op of the engine: one forward (a backend kernel) and one
 * backward rule each, with the math in a one-line comment. This file is the
 * table that answers "which ops exist and how is each differentiated".
 *
 * Subgradient conventions (docs/math.md §1, §3, §5): sign(0) = 0, relu'(0) = 0,
 * |·|'(0) = 0, and ties of maximum/minimum (and of max-reductions) split the
 * gradient equally (½-½ for two), as PyTorch does.
 */
import { broadcastShapes, broadcastStrides, sizeOf, stridesOf, type BackendBuffer, type BinaryOp, type DType, type UnaryOp } from '@psilon/kernels';
import { getBackendOf } from './backend-of.js';
import { checkOptions, fmt, named } from './errors.js';
import { tidy } from './memory.js';
import { noGrad, record, type BackwardFn } from './tape.js';
import { Tensor } from './tensor.js';

/** A tensor or a plain number (broadcast as a scalar of the other operand's dtype). */
export type TensorLike = Tensor | number;

function scalarLike(v: number, like: Tensor): Tensor {
  return new Tensor(like.backend.fill(1, v, like.dtype), [], like.backend);
}

function pair(a: TensorLike, b: TensorLike, op: string): [Tensor, Tensor] {
  if (a instanceof Tensor && b instanceof Tensor) return [a, b];
  if (a instanceof Tensor && typeof b === 'number') return [a, scalarLike(b, a)];
  if (b instanceof Tensor && typeof a === 'number') return [scalarLike(a, b), b];
  throw new Error(`${op}: expected at least one Tensor operand`);
}

/** Runs one forward kernel and records its backward rule. */
function apply(name: string, inputs: Tensor[], shape: readonly number[], forward: () => BackendBuffer, backward: BackwardFn): Tensor {
  const be = getBackendOf(inputs, name);
  const out = new Tensor(named(name, [...inputs.map((t) => t.shape), shape], forward), shape, be);
  record(name, inputs, [out], backward);
  return out;
}

const normAxis = (ax: number, rank: number, op: string): number => {
  const a = ax < 0 ? ax + rank : ax;
  if (!Number.isInteger(a) || a < 0 || a >= Math.max(rank, 1)) throw new Error(`${op}: axis ${ax} out of range for rank ${rank}`);
  return a;
};

// ---------------------------------------------------------------------------------------------
// Shape plumbing
// ---------------------------------------------------------------------------------------------

/** Sums `g` down to `shape` (the adjoint of broadcasting `shape` up to g.shape). */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  const s = axes.length ? sum(g, axes) : g;
  return reshape(s, shape);
}

/** Broadcasts `x` to `shape` (NumPy rules). ∂: sum back over the broadcast axes. */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  const target = broadcastShapes(x.shape, shape, 'broadcastTo');
  if (target.some((d, i) => d !== shape[i]) || target.length !== shape.length) {
    throw new Error(`broadcastTo: cannot broadcast ${fmt(x.shape)} to ${fmt(shape)}`);
  }
  if (x.shape.length === shape.length && x.shape.every((d, i) => d === shape[i])) return x;
  return apply('broadcastTo', [x], shape, () => x.backend.strided(x.buffer, shape, broadcastStrides(x.shape, shape), 0),
    ([g]) => [sumTo(g!, x.shape)]);
}

/** A copy with its own storage. ∂: g */
export function clone(x: Tensor): Tensor {
  return apply('clone', [x], x.shape, () => x.backend.strided(x.buffer, x.shape, stridesOf(x.shape), 0), ([g]) => [g!]);
}

/** Same data, new shape (one dimension may be -1). ∂: reshape back. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const s = shape.slice();
  const neg = s.indexOf(-1);
  if (neg >= 0) s[neg] = x.size / Math.max(1, sizeOf(s.filter((d) => d !== -1)));
  if (sizeOf(s) !== x.size || s.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(`reshape: cannot reshape ${fmt(x.shape)} (${x.size} elements) to ${fmt(shape)}`);
  }
  const out = Tensor.view(x, s);
  record('reshape', [x], [out], ([g]) => [reshape(g!, x.shape)]);
  return out;
}

/** Permutes axes (default: reverse them). ∂: the inverse permutation. */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const p = perm ? perm.map((a) => normAxis(a, x.rank, 'transpose')) : x.shape.map((_, i) => x.rank - 1 - i);
  if (p.length !== x.rank || new Set(p).size !== p.length) throw new Error(`transpose: ${fmt(perm ?? [])} is not a permutation of ${x.rank} axes`);
  const st = stridesOf(x.shape);
  const shape = p.map((a) => x.shape[a]!);
  const inv = p.map((_, i) => p.indexOf(i));
  return apply('transpose', [x], shape, () => x.backend.strided(x.buffer, shape, p.map((a) => st[a]!), 0),
    ([g]) => [transpose(g!, inv)]);
}

/** x[begin : begin+size] per axis (size -1 = to the end). ∂: zero-pad g back into x's shape. */
export function slice(x: Tensor, begin: readonly number[], size?: readonly number[]): Tensor {
  if (begin.length !== x.rank) throw new Error(`slice: begin ${fmt(begin)} has ${begin.length} entries for a rank-${x.rank} tensor`);
  const sz = x.shape.map((d, i) => (size?.[i] === undefined || size[i] === -1 ? d - begin[i]! : size[i]!));
  x.shape.forEach((d, i) => {
    if (begin[i]! < 0 || sz[i]! < 0 || begin[i]! + sz[i]! > d) throw new Error(`slice: begin ${fmt(begin)} size ${fmt(sz)} out of bounds for ${fmt(x.shape)}`);
  });
  const st = stridesOf(x.shape);
  const offset = begin.reduce((s, b, i) => s + b * st[i]!, 0);
  return apply('slice', [x], sz, () => x.backend.strided(x.buffer, sz, st, offset),
    ([g]) => [new Tensor(g!.backend.pad(g!.buffer, sz, begin, x.shape), x.shape, g!.backend)]);
}

/** Joins tensors along `axis`. ∂: slice g back into the parts. */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new Error('concat: no tensors given');
  const a = normAxis(axis, xs[0]!.rank, 'concat');
  for (const t of xs) {
    if (t.rank !== xs[0]!.rank || t.shape.some((d, i) => i !== a && d !== xs[0]!.shape[i])) {
      throw new Error(`concat: shapes ${xs.map((s) => fmt(s.shape)).join(', ')} differ off axis ${a}`);
    }
  }
  const shape = xs[0]!.shape.slice();
  shape[a] = xs.reduce((s, t) => s + t.shape[a]!, 0);
  return apply('concat', [...xs], shape, () => xs[0]!.backend.concat(xs.map((t) => t.buffer), xs.map((t) => t.shape), a), ([g]) => {
    let start = 0;
    return xs.map((t) => {
      const begin = shape.map((_, i) => (i === a ? start : 0));
      start += t.shape[a]!;
      return slice(g!, begin, t.shape);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Elementwise
// ---------------------------------------------------------------------------------------------

function unary(op: UnaryOp, x: Tensor, grad: (g: Tensor, x: Tensor, y: Tensor) => Tensor | null): Tensor {
  const out: Tensor = apply(op, [x], x.shape, () => x.backend.unary(op, x.buffer), ([g]) => [grad(g!, x, out)]);
  return out;
}

/** −x. ∂: −g */
export const neg = (x: Tensor): Tensor => unary('neg', x, (g) => neg(g));
/** |x|. ∂: g·sign(x), 0 at x = 0 */
export const abs = (x: Tensor): Tensor => unary('abs', x, (g, x) => mul(g, sign(x)));
/** sign(x), sign(0) = 0. ∂: 0 */
export const sign = (x: Tensor): Tensor => unary('sign', x, (g) => zerosLike(g));
/** max(x, 0). ∂: g·1[x > 0] (relu'(0) = 0) */
export const relu = (x: Tensor): Tensor => unary('relu', x, (g, x) => mul(g, step(x)));
/** 1[x > 0]. ∂: 0 */
export const step = (x: Tensor): Tensor => unary('step', x, (g) => zerosLike(g));
/** eˣ. ∂: g·eˣ */
export const exp = (x: Tensor): Tensor => unary('exp', x, (g, _x, y) => mul(g, y));
/** ln x. ∂: g/x */
export const log = (x: Tensor): Tensor => unary('log', x, (g, x) => div(g, x));
/** √x. ∂: g/(2√x) */
export const sqrt = (x: Tensor): Tensor => unary('sqrt', x, (g, _x, y) => div(g, mul(y, 2)));
/** x². ∂: 2x·g */
export const square = (x: Tensor): Tensor => unary('square', x, (g, x) => mul(g, mul(x, 2)));
/** 1/x. ∂: −g/x² */
export const reciprocal = (x: Tensor): Tensor => unary('reciprocal', x, (g, _x, y) => neg(mul(g, square(y))));

function binary(op: BinaryOp, a: TensorLike, b: TensorLike, grad: ((g: Tensor, a: Tensor, b: Tensor, y: Tensor) => [Tensor | null, Tensor | null]) | null): Tensor {
  const [x, y] = pair(a, b, op);
  const shape = broadcastShapes(x.shape, y.shape, op);
  const out: Tensor = apply(op, [x, y], shape, () => x.backend.binary(op, x.buffer, x.shape, y.buffer, y.shape, shape), ([g]) => {
    if (!grad) return [null, null];
    const [ga, gb] = grad(g!, x, y, out);
    return [ga && x.requiresGrad ? sumTo(ga, x.shape) : null, gb && y.requiresGrad ? sumTo(gb, y.shape) : null];
  });
  return out;
}

/** a + b. ∂: (g, g) */
export const add = (a: TensorLike, b: TensorLike): Tensor => binary('add', a, b, (g) => [g, g]);
/** a − b. ∂: (g, −g) */
export const sub = (a: TensorLike, b: TensorLike): Tensor => binary('sub', a, b, (g) => [g, neg(g)]);
/** a·b. ∂: (g·b, g·a) */
export const mul = (a: TensorLike, b: TensorLike): Tensor => binary('mul', a, b, (g, a, b) => [mul(g, b), mul(g, a)]);
/** a/b. ∂: (g/b, −g·a/b²) */
export const div = (a: TensorLike, b: TensorLike): Tensor => binary('div', a, b, (g, a, b) => [div(g, b), neg(div(mul(g, a), square(b)))]);
/** aᵇ. ∂: (g·b·aᵇ⁻¹, g·aᵇ·ln a); the second only when b needs a gradient */
export const pow = (a: TensorLike, b: TensorLike): Tensor =>
  binary('pow', a, b, (g, a, b, y) => [mul(g, mul(b, pow(a, sub(b, 1)))), b.requiresGrad ? mul(g, mul(y, log(a))) : null]);
/** max(a, b). ∂: g·share(a wins), ties split ½-½ */
export const maximum = (a: TensorLike, b: TensorLike): Tensor =>
  binary('maximum', a, b, (g, a, b) => [mul(g, cmp('winShare', a, b)), mul(g, cmp('winShare', b, a))]);
/** min(a, b). ∂: g·share(a is smaller), ties split ½-½ */
export const minimum = (a: TensorLike, b: TensorLike): Tensor =>
  binary('minimum', a, b, (g, a, b) => [mul(g, cmp('winShare', b, a)), mul(g, cmp('winShare', a, b))]);

function cmp(op: BinaryOp, a: TensorLike, b: TensorLike): Tensor { return binary(op, a, b, null); }
/** 1 where a > b else 0 (no gradient). */
export const greater = (a: TensorLike, b: TensorLike): Tensor => cmp('greater', a, b);
/** 1 where a ≥ b else 0 (no gradient). */
export const greaterEqual = (a: TensorLike, b: TensorLike): Tensor => cmp('greaterEqual', a, b);
/** 1 where a < b else 0 (no gradient). */
export const less = (a: TensorLike, b: TensorLike): Tensor => cmp('less', a, b);
/** 1 where a ≤ b else 0 (no gradient). */
export const lessEqual = (a: TensorLike, b: TensorLike): Tensor => cmp('lessEqual', a, b);
/** 1 where a = b else 0 (no gradient). */
export const equal = (a: TensorLike, b: TensorLike): Tensor => cmp('equal', a, b);
/** 1 where a ≠ b else 0 (no gradient). */
export const notEqual = (a: TensorLike, b: TensorLike): Tensor => cmp('notEqual', a, b);

/** cond ≠ 0 ? a : b (broadcast). ∂: (—, where(cond, g, 0), where(cond, 0, g)) */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = pair(a, b, 'where');
  const shape = broadcastShapes(broadcastShapes(cond.shape, x.shape, 'where'), y.shape, 'where');
  return apply('where', [cond, x, y], shape, () => x.backend.where(cond.buffer, cond.shape, x.buffer, x.shape, y.buffer, y.shape, shape), ([g]) => {
    const z = zerosLike(g!);
    return [null, x.requiresGrad ? sumTo(where(cond, g!, z), x.shape) : null, y.requiresGrad ? sumTo(where(cond, z, g!), y.shape) : null];
  });
}

// ---------------------------------------------------------------------------------------------
// Reductions
// ---------------------------------------------------------------------------------------------

function reduceAxes(x: Tensor, axis: number | readonly number[] | undefined, op: string): number[] {
  if (axis === undefined) return x.shape.map((_, i) => i);
  const list = typeof axis === 'number' ? [axis] : axis;
  const axes = [...new Set(list.map((a) => normAxis(a, x.rank, op)))].sort((p, q) => p - q);
  return axes;
}

function keptShape(x: Tensor, axes: number[], keepDims: boolean): number[] {
  return keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
}

/** Σ over `axis` (all axes by default). ∂: g broadcast back over the summed axes */
export function sum(x: Tensor, axis?: number | readonly number[], keepDims = false): Tensor {
  const axes = reduceAxes(x, axis, 'sum');
  const shape = keptShape(x, axes, keepDims);
  return apply('sum', [x], shape, () => x.backend.reduce('sum', x.buffer, x.shape, axes),
    ([g]) => [broadcastTo(reshape(g!, keptShape(x, axes, true)), x.shape)]);
}

/** Mean over `axis` (all axes by default). ∂: g/count broadcast back */
export function mean(x: Tensor, axis?: number | readonly number[], keepDims = false): Tensor {
  const axes = reduceAxes(x, axis, 'mean');
  const count = axes.reduce((c, a) => c * x.shape[a]!, 1);
  return div(sum(x, axes, keepDims), count);
}

/** Max over `axis`. ∂: g to the arg-max entries, split equally among ties */
export function max(x: Tensor, axis?: number | readonly number[], keepDims = false): Tensor {
  const axes = reduceAxes(x, axis, 'max');
  const shape = keptShape(x, axes, keepDims);
  const out: Tensor = apply('max', [x], shape, () => x.backend.reduce('max', x.buffer, x.shape, axes), ([g]) => {
    const kept = keptShape(x, axes, true);
    const hit = equal(x, reshape(out, kept));
    const share = div(hit, sum(hit, axes, true));
    return [mul(share, reshape(g!, kept))];
  });
  return out;
}

/** min over `axis` = −max(−x). */
export const min = (x: Tensor, axis?: number | readonly number[], keepDims = false): Tensor => neg(max(neg(x), axis, keepDims));

// ---------------------------------------------------------------------------------------------
// Linear algebra
// ---------------------------------------------------------------------------------------------

/** Options of {@link matmul}. */
export interface MatmulOptions {
  /** Use Aᵀ for A: op(A) = Aᵀ (default false). */
  transposeA?: boolean;
  /** Use Bᵀ for B: op(B) = Bᵀ (default false). */
  transposeB?: boolean;
}

/**
 * C = op(A)·op(B) for 2-D A, B. ∂A = g·op(B)ᵀ (or op(B)·gᵀ when A is transposed),
 * ∂B = op(A)ᵀ·g (or gᵀ·op(A) when B is transposed) — each one transpose-flagged product.
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  checkOptions('matmul', options, ['transposeA', 'transposeB']);
  const ta = options.transposeA ?? false, tb = options.transposeB ?? false;
  if (a.rank !== 2 || b.rank !== 2) throw new Error(`matmul: expected 2-D tensors, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
  const [m, k] = ta ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
  const [k2, n] = tb ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
  if (k !== k2) {
    throw new Error(`matmul: inner dimensions differ: ${fmt(a.shape)}${ta ? 'ᵀ' : ''} · ${fmt(b.shape)}${tb ? 'ᵀ' : ''} (${k} vs ${k2})`);
  }
  return apply('matmul', [a, b], [m, n], () => a.backend.matmul(a.buffer, b.buffer, m, k, n, ta, tb), ([g]) => [
    a.requiresGrad ? (ta ? matmul(b, g!, { transposeA: tb, transposeB: true }) : matmul(g!, b, { transposeB: !tb })) : null,
    b.requiresGrad ? (tb ? matmul(g!, a, { transposeA: true, transposeB: ta }) : matmul(a, g!, { transposeA: !ta })) : null,
  ]);
}

// ---------------------------------------------------------------------------------------------
// Indexing
// ---------------------------------------------------------------------------------------------

function checkIndices(indices: Tensor, op: string): void {
  if (indices.rank !== 1) throw new Error(`${op}: indices must be 1-D, got ${fmt(indices.shape)}`);
}

/** Rows of x (axis 0) picked by integer-valued `indices`: out[i] = x[indices[i]]. ∂: scatter-add g back */
export function gather(x: Tensor, indices: Tensor): Tensor {
  checkIndices(indices, 'gather');
  if (x.rank < 1) throw new Error('gather: cannot index a scalar');
  const n = x.shape[0]!, d = x.size / Math.max(n, 1);
  const shape = [indices.size, ...x.shape.slice(1)];
  const idx = indices.dtype === x.dtype ? indices : cast(indices, x.dtype);
  return apply('gather', [x], shape, () => x.backend.gatherRows(x.buffer, n, d, idx.buffer),
    ([g]) => [new Tensor(g!.backend.scatterAddRows(g!.buffer, n, d, idx.buffer), x.shape, g!.backend)]);
}

/** One-hot rows [n, depth] from integer-valued class indices (no gradient), in `dtype` (default: the indices'). */
export function oneHot(indices: Tensor, depth: number, dtype: DType = indices.dtype): Tensor {
  checkIndices(indices, 'oneHot');
  if (!Number.isInteger(depth) || depth < 1) throw new Error(`oneHot: depth must be a positive integer, got ${depth}`);
  return new Tensor(indices.backend.oneHot(indices.buffer, depth, dtype), [indices.size, depth], indices.backend);
}

/** A copy in another dtype. ∂: cast back */
export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  const out = new Tensor(x.backend.cast(x.buffer, dtype), x.shape, x.backend);
  record('cast', [x], [out], ([g]) => [cast(g!, x.dtype)]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Softmax family (last axis)
// ---------------------------------------------------------------------------------------------

function rowsCols(x: Tensor, op: string): [number, number] {
  if (x.rank < 1) throw new Error(`${op}: needs at least 1-D input`);
  const cols = x.shape[x.rank - 1]!;
  return [x.size / cols, cols];
}

/**
 * The reference composition of the fused `softmax` kernel, from primitives: z = x − max(x),
 * softmax = e^z / Σ e^z, log-softmax = z − ln Σ e^z (row-wise, last axis). Recording off.
 */
function composeSoftmax(x: Tensor, logOf: boolean): Tensor {
  return noGrad(() => tidy(() => {
    const z = sub(x, max(x, -1, true));
    const e = exp(z);
    const s = sum(e, -1, true);
    return logOf ? sub(z, log(s)) : div(e, s);
  }));
}

/** (log-)softmax through the backend's fused kernel when it has one, else {@link composeSoftmax}. */
function softmaxForward(name: string, x: Tensor, logOf: boolean, backward: BackwardFn): Tensor {
  const [rows, cols] = rowsCols(x, name);
  const be = getBackendOf([x], name);
  const out = be.softmax
    ? new Tensor(named(name, [x.shape], () => be.softmax!(x.buffer, rows, cols, logOf)), x.shape, be)
    : composeSoftmax(x, logOf);
  record(name, [x], [out], backward);
  return out;
}

/** softmax along the last axis, max-shifted. ∂: y·(g − Σ g·y) */
export function softmax(x: Tensor): Tensor {
  const out: Tensor = softmaxForward('softmax', x, false, ([g]) => [mul(out, sub(g!, sum(mul(g!, out), -1, true)))]);
  return out;
}

/** log-softmax along the last axis, max-shifted. ∂: g − softmax(x)·Σ g */
export function logSoftmax(x: Tensor): Tensor {
  return softmaxForward('logSoftmax', x, true, ([g]) => [sub(g!, mul(softmax(x), sum(g!, -1, true)))]);
}

// ---------------------------------------------------------------------------------------------
// Creation helpers used by rules
// ---------------------------------------------------------------------------------------------

/** Zeros with x's shape, dtype and backend. */
export function zerosLike(x: Tensor): Tensor { return new Tensor(x.backend.fill(x.size, 0, x.dtype), x.shape, x.backend); }
/** Ones with x's shape, dtype and backend. */
export function onesLike(x: Tensor): Tensor { return new Tensor(x.backend.fill(x.size, 1, x.dtype), x.shape, x.backend); }


/**
 * CPU elementwise, broadcast and reduction loops, compiled from the op table
 * (ops.ts) into whole loops: no call per element, branch-free bodies, and one
 * function per (op, dtype) so that V8 specializes each for its typed-array kind.
 * They write into caller-provided arrays, so the `cpu` backend and the `wasm`
 * backend's JavaScript fallbacks (over the Wasm heap) share them.
 */
import type { TypedArray } from '../types.js';
import type { Shape } from '../types.js';
import { BINARY_OPS, UNARY_OPS, type BinaryOp, type ReduceOp, type UnaryOp } from '../ops.js';
import { planBroadcast, planReduce } from '../layout.js';

type UnaryLoop = (X: TypedArray, O: TypedArray, n: number) => void;
/** (A, aBase, aRow, B, bBase, bRow, O, oBase, rows, cols): one rows × cols block of a broadcast. */
type BinaryLoop = (A: TypedArray, ab: number, ar: number, B: TypedArray, bb: number, br: number, O: TypedArray, ob: number, rows: number, cols: number) => void;

const cache = new Map<string, unknown>();
function compiled<F>(key: string, params: string[], body: string): F {
  let f = cache.get(key) as F | undefined;
  if (!f) {
    f = new Function(...params, body) as F;
    cache.set(key, f);
  }
  return f;
}
const kind = (a: TypedArray): string => (a instanceof Float64Array ? 'f64' : 'f32');

/** O[i] = op(X[i]) for i < n. */
export function unaryInto(op: UnaryOp, X: TypedArray, O: TypedArray, n = X.length): void {
  compiled<UnaryLoop>(`u:${op}:${kind(O)}`, ['X', 'O', 'n'], `for (let i = 0; i < n; i++) { const x = X[i]; O[i] = ${UNARY_OPS[op].js}; }`)(X, O, n);
}

/**
 * O = op(A, B) with NumPy broadcasting. The plan (layout.ts) reduces any broadcast to
 * rows × cols blocks where each input is either contiguous along a row or one value
 * per row, so the four loop variants below cover every case.
 */
export function binaryInto(op: BinaryOp, A: TypedArray, aShape: Shape, B: TypedArray, bShape: Shape, O: TypedArray, outShape: Shape): void {
  const plan = planBroadcast([aShape, bShape], outShape);
  const [ca, cb] = plan.colStride as [number, number];
  const read = (v: string, V: string, contiguous: boolean) => (contiguous ? `const ${v} = ${V}[i${v} + j];` : '');
  const hoist = (v: string, V: string, contiguous: boolean) => (contiguous ? '' : `const ${v} = ${V}[i${v}];`);
  const loop = compiled<BinaryLoop>(`b:${op}:${ca}${cb}:${kind(O)}`, ['A', 'ab', 'ar', 'B', 'bb', 'br', 'O', 'ob', 'rows', 'cols'], `
for (let r = 0; r < rows; r++) {
  const ia = ab + r * ar, ib = bb + r * br, io = ob + r * cols;
  ${hoist('a', 'A', ca === 1)} ${hoist('b', 'B', cb === 1)}
  for (let j = 0; j < cols; j++) { ${read('a', 'A', ca === 1)} ${read('b', 'B', cb === 1)} O[io + j] = ${BINARY_OPS[op].js}; }
}`);
  const block = plan.rows * plan.cols;
  plan.bases.forEach(([a0, b0], o) => loop(A, a0!, plan.rowStride[0]!, B, b0!, plan.rowStride[1]!, O, o * block, plan.rows, plan.cols));
}

type ReduceLoop = (X: TypedArray, O: TypedArray, outer: number, red: number, inner: number) => void;

/**
 * Reduces `axes` of X (shape `shape`) into O. Each plan step reduces the middle axis
 * of [outer, red, inner]: rows of `inner` contiguous values are combined in
 * order, so an axis-0 sum is a plain row-accumulating loop.
 */
export function reduceInto(op: ReduceOp, X: TypedArray, shape: Shape, axes: readonly number[], O: TypedArray): void {
  const steps = planReduce(shape, axes);
  if (steps.length === 0) { O.set(X.subarray(0, O.length)); return; }
  const combine = op === 'sum' ? 'acc + v' : '(v > acc || v !== v ? v : acc)';
  const init = op === 'sum' ? '0' : '-Infinity';
  const loop = compiled<ReduceLoop>(`r:${op}:${kind(O)}`, ['X', 'O', 'outer', 'red', 'inner'], `
for (let o = 0; o < outer; o++) {
  const ob = o * inner, xb = o * red * inner;
  if (inner === 1) {
    let acc = ${init};
    for (let r = 0; r < red; r++) { const v = X[xb + r]; acc = ${combine}; }
    O[ob] = acc;
    continue;
  }
  for (let i = 0; i < inner; i++) O[ob + i] = ${init};
  for (let r = 0; r < red; r++) {
    const xr = xb + r * inner;
    for (let i = 0; i < inner; i++) { const acc = O[ob + i], v = X[xr + i]; O[ob + i] = ${combine}; }
  }
}`);
  let src = X;
  steps.forEach((s, t) => {
    const dst = t === steps.length - 1 ? O : new (O.constructor as new (n: number) => TypedArray)(s.outer * s.inner);
    loop(src, dst, s.outer, s.red, s.inner);
    src = dst;
  });
}


/**
 * The elementwise operations every backend implements, each defined once.
 *
 * A row holds the op's scalar definition (`math`, the contract every backend
 * must meet exactly, including at 0 and at NaN) and its renderings:
 * - `js`: a branch-free JavaScript expression in `x` (unary) or `a`, `b` (binary).
 *   The `cpu` backend compiles whole loops around it; gpu.js transpiles it
 *   (`gpujs` overrides it where gpu.js's JavaScript subset needs another spelling).
 * - `wgsl`: the same in WGSL, for the `webgpu` backend (helpers from its prelude).
 * - `wasm`: a WebAssembly SIMD expression over four lanes at once, with `X` (or
 *   `A`, `B`) standing for the input vector. Ops without one (`exp`, `log`, `pow`:
 *   Wasm has no instruction for them) run on the `wasm` backend as the `js` loop
 *   over the Wasm heap.
 *
 * Conventions (docs/math.md §1): sign(0) = 0, relu'(0) = step(0) = 0, max/min
 * propagate NaN, ties in max(a, b) split the gradient ½-½.
 */
export interface ElementwiseDef {
  /** The scalar definition: the contract every backend meets exactly, at 0 and at NaN too. */
  readonly math: string;
  /** Branch-free JavaScript expression in `x` (unary) or `a`, `b` (binary), for the `cpu` backend. */
  readonly js: string;
  /** gpu.js spelling where its JavaScript subset needs another than `js` (default: `js`). */
  readonly gpujs?: string;
  /** WebAssembly SIMD expression over four lanes in `X` (or `A`, `B`); absent: the `js` loop over the Wasm heap. */
  readonly wasm?: string;
  /**
   * WGSL expression in `x` (or `a`, `b`) for the `webgpu` backend. WGSL lets a compiler assume
   * there are no NaNs, so NaN-sensitive ops test the bits with the prelude's `is_nan`.
   */
  readonly wgsl: string;
}

const ZERO = '(v128.const f32x4 0 0 0 0)';
const ONE = '(v128.const f32x4 1 1 1 1)';
const HALF = '(v128.const f32x4 0.5 0.5 0.5 0.5)';
/** A comparison mask (all ones where true) turned into 1.0 / 0.0. */
const ones = (mask: string): string => `(v128.and ${mask} ${ONE})`;

/** The unary elementwise ops, each defined once (see {@link ElementwiseDef}). */
export const UNARY_OPS = {
  neg: { math: '-x', js: '-x', wasm: '(f32x4.neg X)', wgsl: '-x' },
  abs: { math: '|x|', js: 'Math.abs(x)', wasm: '(f32x4.abs X)', wgsl: 'abs(x)' },
  sign: {
    math: 'sign(x): 1, -1, or 0 for x = 0 and NaN',
    js: '((x > 0) - (x < 0))', gpujs: '(x > 0 ? 1 : (x < 0 ? -1 : 0))',
    // lt − gt on all-ones masks gives 1, −1 or 0 as integers
    wasm: `(f32x4.convert_i32x4_s (i32x4.sub (f32x4.lt X ${ZERO}) (f32x4.gt X ${ZERO})))`,
    wgsl: 'select(select(0.0, -1.0, x < 0.0), 1.0, x > 0.0)',
  },
  relu: { math: 'max(x, 0) (NaN stays NaN)', js: 'Math.max(x, 0)', wasm: `(f32x4.max X ${ZERO})`, wgsl: 'select(x, 0.0, x <= 0.0)' },
  step: { math: '1 if x > 0 else 0 (relu\'(x), with relu\'(0) = 0)', js: '+(x > 0)', gpujs: '(x > 0 ? 1 : 0)', wasm: ones(`(f32x4.gt X ${ZERO})`), wgsl: 'select(0.0, 1.0, x > 0.0)' },
  exp: { math: 'e^x', js: 'Math.exp(x)', wgsl: 'exp(x)' },
  log: { math: 'ln x', js: 'Math.log(x)', wgsl: 'log_nan(x)' },
  sqrt: { math: '√x', js: 'Math.sqrt(x)', wasm: '(f32x4.sqrt X)', wgsl: 'sqrt_nan(x)' },
  square: { math: 'x²', js: 'x * x', wasm: '(f32x4.mul X X)', wgsl: 'x * x' },
  reciprocal: { math: '1 / x', js: '1 / x', wasm: `(f32x4.div ${ONE} X)`, wgsl: '1.0 / x' },
} as const satisfies Record<string, ElementwiseDef>;
/** The name of a unary op. */
export type UnaryOp = keyof typeof UNARY_OPS;

/** The binary elementwise ops (NumPy broadcasting), each defined once. */
export const BINARY_OPS = {
  add: { math: 'a + b', js: 'a + b', wasm: '(f32x4.add A B)', wgsl: 'a + b' },
  sub: { math: 'a − b', js: 'a - b', wasm: '(f32x4.sub A B)', wgsl: 'a - b' },
  mul: { math: 'a · b', js: 'a * b', wasm: '(f32x4.mul A B)', wgsl: 'a * b' },
  div: { math: 'a / b', js: 'a / b', wasm: '(f32x4.div A B)', wgsl: 'a / b' },
  pow: { math: 'a ^ b', js: 'Math.pow(a, b)', wgsl: 'pow_js(a, b)' },
  maximum: { math: 'max(a, b) (NaN if either is NaN)', js: 'Math.max(a, b)', gpujs: '(a >= b ? a : b)', wasm: '(f32x4.max A B)', wgsl: 'select(select(b, a, a >= b), nan_f32(), is_nan(a) || is_nan(b))' },
  minimum: { math: 'min(a, b) (NaN if either is NaN)', js: 'Math.min(a, b)', gpujs: '(a <= b ? a : b)', wasm: '(f32x4.min A B)', wgsl: 'select(select(b, a, a <= b), nan_f32(), is_nan(a) || is_nan(b))' },
  greater: { math: '1 if a > b else 0', js: '+(a > b)', gpujs: '(a > b ? 1 : 0)', wasm: ones('(f32x4.gt A B)'), wgsl: 'select(0.0, 1.0, a > b)' },
  greaterEqual: { math: '1 if a ≥ b else 0', js: '+(a >= b)', gpujs: '(a >= b ? 1 : 0)', wasm: ones('(f32x4.ge A B)'), wgsl: 'select(0.0, 1.0, a >= b)' },
  less: { math: '1 if a < b else 0', js: '+(a < b)', gpujs: '(a < b ? 1 : 0)', wasm: ones('(f32x4.lt A B)'), wgsl: 'select(0.0, 1.0, a < b)' },
  lessEqual: { math: '1 if a ≤ b else 0', js: '+(a <= b)', gpujs: '(a <= b ? 1 : 0)', wasm: ones('(f32x4.le A B)'), wgsl: 'select(0.0, 1.0, a <= b)' },
  equal: { math: '1 if a = b else 0', js: '+(a === b)', gpujs: '(a == b ? 1 : 0)', wasm: ones('(f32x4.eq A B)'), wgsl: 'select(0.0, 1.0, a == b && !is_nan(a))' },
  notEqual: { math: '1 if a ≠ b else 0', js: '+(a !== b)', gpujs: '(a != b ? 1 : 0)', wasm: ones('(f32x4.ne A B)'), wgsl: 'select(0.0, 1.0, a != b || is_nan(a) || is_nan(b))' },
  /** The subgradient share of `a` in max(a, b): ties split ½-½ (PyTorch's rule). */
  winShare: {
    math: '1 if a > b, ½ if a = b, 0 if a < b',
    js: '(+(a > b) + 0.5 * +(a === b))', gpujs: '(a > b ? 1 : (a == b ? 0.5 : 0))',
    wasm: `(f32x4.add ${ones('(f32x4.gt A B)')} (v128.and (f32x4.eq A B) ${HALF}))`,
    wgsl: 'select(0.0, 1.0, a > b) + select(0.0, 0.5, a == b)',
  },
} as const satisfies Record<string, ElementwiseDef>;
/** The name of a binary op. */
export type BinaryOp = keyof typeof BINARY_OPS;

/** The reductions, over any set of axes. */
export const REDUCE_OPS = {
  /** Σ over the reduced axes. */
  sum: 'Σ',
  /** The largest element (NaN if any element is NaN). */
  max: 'max (NaN if any element is NaN)',
} as const;
/** The name of a reduction. */
export type ReduceOp = keyof typeof REDUCE_OPS;

/** Which norm column-wise weight normalization divides by (docs/math.md §2). */
export type NormKind = 'l1' | 'l2';

/** Compiles a JavaScript scalar function from a table row (for tests and one-off use). */
function compile<F>(params: string[], expr: string): F {
  return new Function(...params, `return ${expr};`) as F;
}

/** Scalar reference implementations generated from the table, shared by tests. */
export const unaryFn = Object.fromEntries(
  Object.entries(UNARY_OPS).map(([k, d]) => [k, compile<(x: number) => number>(['x'], d.js)]),
) as Record<UnaryOp, (x: number) => number>;

/** Scalar binary functions generated from the table (`js` column), for tests and one-off use. */
export const binaryFn = Object.fromEntries(
  Object.entries(BINARY_OPS).map(([k, d]) => [k, compile<(a: number, b: number) => number>(['a', 'b'], d.js)]),
) as Record<BinaryOp, (a: number, b: number) => number>;

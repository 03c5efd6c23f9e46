/**
 * The elementwise operations every backend implements. Each entry's comment is
 * its scalar definition; backends must agree with it exactly (including at 0).
 */
export const UNARY_OPS = {
  neg: '-x',
  abs: '|x|',
  sign: 'sign(x), with sign(0) = 0',
  relu: 'max(x, 0)',
  step: '1 if x > 0 else 0 (the derivative of relu, with relu\'(0) = 0)',
  exp: 'e^x',
  log: 'ln x',
  sqrt: '√x',
  square: 'x²',
  reciprocal: '1 / x',
} as const;
export type UnaryOp = keyof typeof UNARY_OPS;

export const BINARY_OPS = {
  add: 'a + b',
  sub: 'a − b',
  mul: 'a · b',
  div: 'a / b',
  pow: 'a ^ b',
  maximum: 'max(a, b)',
  minimum: 'min(a, b)',
  greater: '1 if a > b else 0',
  greaterEqual: '1 if a ≥ b else 0',
  less: '1 if a < b else 0',
  lessEqual: '1 if a ≤ b else 0',
  equal: '1 if a = b else 0',
  notEqual: '1 if a ≠ b else 0',
  /** The subgradient share of `a` in max(a, b): ties split ½-½ (PyTorch's rule). */
  winShare: '1 if a > b, ½ if a = b, 0 if a < b',
} as const;
export type BinaryOp = keyof typeof BINARY_OPS;

export const REDUCE_OPS = { sum: 'Σ', max: 'max' } as const;
export type ReduceOp = keyof typeof REDUCE_OPS;

/** Which norm column-wise weight normalization divides by (PAPER.md §2). */
export type NormKind = 'l1' | 'l2';

/** Scalar reference implementations, shared by the CPU backend and by tests. */
export const unaryFn: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  abs: Math.abs,
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0),
  relu: (x) => (x > 0 ? x : 0),
  step: (x) => (x > 0 ? 1 : 0),
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  square: (x) => x * x,
  reciprocal: (x) => 1 / x,
};

export const binaryFn: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  maximum: (a, b) => (a >= b ? a : b),
  minimum: (a, b) => (a <= b ? a : b),
  greater: (a, b) => (a > b ? 1 : 0),
  greaterEqual: (a, b) => (a >= b ? 1 : 0),
  less: (a, b) => (a < b ? 1 : 0),
  lessEqual: (a, b) => (a <= b ? 1 : 0),
  equal: (a, b) => (a === b ? 1 : 0),
  notEqual: (a, b) => (a !== b ? 1 : 0),
  winShare: (a, b) => (a > b ? 1 : a === b ? 0.5 : 0),
};

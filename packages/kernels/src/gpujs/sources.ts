/**
 * Generators of gpu.js kernel sources. Every kernel writes a flat 1-D output
 * and reads flat 1-D inputs; shapes and strides are baked into the source as
 * literals, so each distinct shape gets its own compiled kernel (cached by the
 * backend under its source text). Sources use only the JavaScript subset gpu.js
 * transpiles to WGSL, GLSL and Wasm: `let`, arithmetic, `Math.*`, ternaries and
 * loops with literal bounds.
 */
import type { Shape } from '../types.js';
import { sizeOf, stridesOf } from '../types.js';
import { BINARY_OPS, UNARY_OPS, type BinaryOp, type NormKind, type UnaryOp } from '../ops.js';
import { ADAM_SCALARS, type AdamScalar } from '../adam.js';
import { render } from '../expr.js';

/** gpu.js spelling of each unary op's expression, in terms of `x` (from the one table in ops.ts). */
export const UNARY_SRC = Object.fromEntries(
  Object.entries(UNARY_OPS).map(([k, d]) => [k, 'gpujs' in d ? d.gpujs : d.js]),
) as Record<UnaryOp, string>;

/** gpu.js spelling of each binary op's expression, in terms of `a` and `b`. */
export const BINARY_SRC = Object.fromEntries(
  Object.entries(BINARY_OPS).map(([k, d]) => [k, 'gpujs' in d ? d.gpujs : d.js]),
) as Record<BinaryOp, string>;

/** gpu.js parses numeric literals; keep integers integral and floats in full precision. */
const lit = (v: number): string => (Number.isInteger(v) ? String(v) : v.toPrecision(17));

/**
 * Code that splits the flat output index `this.thread.x` into coordinates of
 * `shape` and accumulates, for each stride table t, `o{t} = offsets[t] + Σ coord_i·strides[t][i]`.
 */
export function indexCode(shape: Shape, strides: readonly (readonly number[])[], offsets: readonly number[]): string {
  const lines = ['let r = this.thread.x;', 'let q = 0;'];
  strides.forEach((_, t) => lines.push(`let o${t} = ${lit(offsets[t] ?? 0)};`));
  const place = stridesOf(shape);
  for (let ax = 0; ax < shape.length; ax++) {
    if (shape[ax] === 1) continue;
    const terms = strides.map((s, t) => (s[ax] ? `o${t} = o${t} + q * ${lit(s[ax]!)};` : '')).join(' ');
    if (ax === shape.length - 1 || place[ax] === 1) {
      lines.push(`q = r; ${terms}`);
    } else {
      lines.push(`q = Math.floor(r / ${lit(place[ax]!)}); r = r - q * ${lit(place[ax]!)}; ${terms}`);
    }
  }
  return lines.join('\n  ');
}

export const copySource = (): string => 'function(a) { return a[this.thread.x]; }';

export const unarySource = (op: UnaryOp): string =>
  `function(a) { const x = a[this.thread.x]; return ${UNARY_SRC[op]}; }`;

export function binarySource(op: BinaryOp, outShape: Shape, sa: readonly number[], sb: readonly number[]): string {
  return `function(a, b) {
  ${indexCode(outShape, [sa, sb], [0, 0])}
  const va = a[o0];
  const vb = b[o1];
  return ${render(BINARY_SRC[op], { a: 'va', b: 'vb' })};
}`;
}

export function whereSource(outShape: Shape, sc: readonly number[], sa: readonly number[], sb: readonly number[]): string {
  return `function(c, a, b) {
  ${indexCode(outShape, [sc, sa, sb], [0, 0, 0])}
  return c[o0] != 0 ? a[o1] : b[o2];
}`;
}

export function stridedSource(outShape: Shape, strides: readonly number[], offset: number): string {
  return `function(a) {
  ${indexCode(outShape, [strides], [offset])}
  return a[o0];
}`;
}

/** Reduction: each output element loops over the reduced sub-box of the input. */
export function reduceSource(op: 'sum' | 'max', shape: Shape, axes: readonly number[]): string {
  const st = stridesOf(shape);
  const kept = shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const red = shape.map((_, i) => i).filter((i) => axes.includes(i));
  const keptShape = kept.map((i) => shape[i]!);
  const redShape = red.map((i) => shape[i]!);
  const R = sizeOf(redShape);
  const inner = indexCode(redShape, [red.map((i) => st[i]!)], [0]).replace(/this\.thread\.x/, 't').replace(/\bq\b/g, 'q2').replace(/\br\b/g, 'r2').replace(/\bo0\b/g, 'p0');
  const acc = op === 'sum' ? 's = s + a[o0 + p0];' : 's = Math.max(s, a[o0 + p0]);';
  return `function(a) {
  ${indexCode(keptShape, [kept.map((i) => st[i]!)], [0])}
  let s = ${op === 'sum' ? '0' : '-Infinity'};
  for (let t = 0; t < ${R}; t++) {
    ${inner}
    ${acc}
  }
  return s;
}`;
}

/** Naive matmul: one thread per output element, C[i,j] = Σ_p op(A)[i,p]·op(B)[p,j]. */
export function matmulSource(m: number, k: number, n: number, transA: boolean, transB: boolean): string {
  const aIdx = transA ? `p * ${m} + i` : `i * ${k} + p`;
  const bIdx = transB ? `j * ${k} + p` : `p * ${n} + j`;
  return `function(a, b) {
  const i = Math.floor(this.thread.x / ${n});
  const j = this.thread.x - i * ${n};
  let s = 0;
  for (let p = 0; p < ${k}; p++) {
    s = s + a[${aIdx}] * b[${bIdx}];
  }
  return s;
}`;
}

export function padSource(aShape: Shape, begin: readonly number[], outShape: Shape): string {
  // out coordinate c maps to a[c − begin] when inside the box, else 0
  const place = stridesOf(outShape);
  const ast = stridesOf(aShape);
  const lines = ['let r = this.thread.x;', 'let q = 0;', 'let o = 0;', 'let inside = 1;'];
  for (let ax = 0; ax < outShape.length; ax++) {
    lines.push(`q = Math.floor(r / ${place[ax]}); r = r - q * ${place[ax]};`);
    lines.push(`if (q < ${begin[ax]} || q >= ${begin[ax]! + aShape[ax]!}) { inside = 0; }`);
    lines.push(`o = o + (q - ${begin[ax]}) * ${ast[ax]};`);
  }
  return `function(a) {
  ${lines.join('\n  ')}
  return inside == 1 ? a[o] : 0;
}`;
}

export function concatSource(shapes: readonly Shape[], axis: number): string {
  const first = shapes[0]!;
  const inner = sizeOf(first.slice(axis + 1));
  const total = shapes.reduce((s, sh) => s + sh[axis]!, 0);
  const args = shapes.map((_, t) => `a${t}`);
  const lines = [
    `const outer = Math.floor(this.thread.x / ${total * inner});`,
    `const rest = this.thread.x - outer * ${total * inner};`,
    `const col = Math.floor(rest / ${inner});`,
    `const inn = rest - col * ${inner};`,
  ];
  // the part holding column `col` along the axis: the first whose running end exceeds it
  let start = 0;
  const branches = shapes.map((sh, t) => {
    const w = sh[axis]!;
    const branch = `if (col < ${start + w}) { return a${t}[outer * ${w * inner} + (col - ${start}) * ${inner} + inn]; }`;
    start += w;
    return branch;
  });
  return `function(${args.join(', ')}) {
  ${lines.join('\n  ')}
  ${branches.join('\n  ')}
  return 0;
}`;
}

export const gatherSource = (d: number): string => `function(a, idx) {
  const i = Math.floor(this.thread.x / ${d});
  const j = this.thread.x - i * ${d};
  return a[idx[i] * ${d} + j];
}`;

export const scatterAddSource = (d: number, rows: number): string => `function(a, idx) {
  const i = Math.floor(this.thread.x / ${d});
  const j = this.thread.x - i * ${d};
  let s = 0;
  for (let t = 0; t < ${rows}; t++) {
    if (idx[t] == i) { s = s + a[t * ${d} + j]; }
  }
  return s;
}`;

export const oneHotSource = (depth: number): string => `function(idx) {
  const i = Math.floor(this.thread.x / ${depth});
  const c = this.thread.x - i * ${depth};
  return idx[i] == c ? 1 : 0;
}`;

/** Per-row log-sum-exp, max-shifted: the column pass of softmax. */
export const logSumExpSource = (cols: number): string => `function(a) {
  const o = this.thread.x * ${cols};
  let m = -Infinity;
  for (let c = 0; c < ${cols}; c++) { m = Math.max(m, a[o + c]); }
  let s = 0;
  for (let c = 0; c < ${cols}; c++) { s = s + Math.exp(a[o + c] - m); }
  return m + Math.log(s);
}`;

/** Elementwise pass of (log-)softmax given the row log-sum-exp. */
export const softmaxSource = (cols: number, log: boolean): string => `function(a, lse) {
  const row = Math.floor(this.thread.x / ${cols});
  const z = a[this.thread.x] - lse[row];
  return ${log ? 'z' : 'Math.exp(z)'};
}`;

// --- weight normalization, docs/math.md §2, §3, §5 -----------------------------------------------

/** Column pass: n_j = Σ_i Ṽ_ij (L1) or √Σ_i Ṽ_ij² (L2), Ṽ = |V| or max(|V⁺|, |V⁻|). */
export function normsSource(inDim: number, outDim: number, kind: NormKind, pair: boolean): string {
  return `function(vp${pair ? ', vn' : ''}) {
  let s = 0;
  for (let i = 0; i < ${inDim}; i++) {
    let t = Math.abs(vp[i * ${outDim} + this.thread.x]);
    ${pair ? `t = Math.max(t, Math.abs(vn[i * ${outDim} + this.thread.x]));` : ''}
    s = s + ${kind === 'l1' ? 't' : 't * t'};
  }
  return ${kind === 'l1' ? 's' : 'Math.sqrt(s)'};
}`;
}

/** Elementwise pass: W_ij = g_(j)·V_ij / n_j. */
export function normApplySource(outDim: number, shared: boolean): string {
  return `function(v, g, n) {
  const j = this.thread.x - Math.floor(this.thread.x / ${outDim}) * ${outDim};
  return g[${shared ? '0' : 'j'}] * v[this.thread.x] / n[j];
}`;
}

/** Backward column pass: c_j = Σ_i Σ_pair G_ij V_ij / n_j. */
export function normCoefSource(inDim: number, outDim: number, pair: boolean): string {
  return `function(gp, vp, ${pair ? 'gn, vn, ' : ''}n) {
  let s = 0;
  for (let i = 0; i < ${inDim}; i++) {
    const k = i * ${outDim} + this.thread.x;
    s = s + gp[k] * vp[k]${pair ? ' + gn[k] * vn[k]' : ''};
  }
  return s / n[this.thread.x];
}`;
}

/**
 * Backward elementwise pass: ∂L/∂V = (g·G − g·c·∂n/∂V)/n, with ∂n/∂V = sign(v)·a (L1) or
 * (Ṽ/n)·sign(v)·a (L2), a the tie-splitting share of this matrix in max(|V⁺|, |V⁻|).
 */
export function normGradSource(outDim: number, kind: NormKind, shared: boolean, pair: boolean): string {
  return `function(G, v, ${pair ? 'other, ' : ''}g, n, c) {
  const k = this.thread.x;
  const j = k - Math.floor(k / ${outDim}) * ${outDim};
  const x = v[k];
  const ax = Math.abs(x);
  let share = 1;
  let t = ax;
  ${pair ? `const ao = Math.abs(other[k]); share = ${render(BINARY_SRC.winShare, { a: 'ax', b: 'ao' })}; t = Math.max(ax, ao);` : ''}
  const s = ${UNARY_SRC.sign};
  const partial = ${kind === 'l1' ? 's * share' : '(t / n[j]) * s * share'};
  const gj = g[${shared ? '0' : 'j'}];
  return (gj * G[k] - gj * c[j] * partial) / n[j];
}`;
}

/** Sum of a vector into one element (∂L/∂g for a shared g). */
export const sumAllSource = (n: number): string => `function(a) {
  let s = 0;
  for (let i = 0; i < ${n}; i++) { s = s + a[i]; }
  return s;
}`;

// --- optimizer --------------------------------------------------------------------------------

/** Adam's scalars in the small buffer h, in the one order of adam.ts. */
const H = Object.fromEntries(ADAM_SCALARS.map((k, i) => [k, `h[${i}]`])) as Record<AdamScalar, string>;

/**
 * The fused Adam step in three kernels (a gpu.js kernel has one output). The scalars
 * arrive in a small buffer h (adam.ts's `adamVector`), so the sources never change
 * with the schedule and compile once.
 */
export const adamMomentSource = (second: boolean): string => `function(p, g, m, h) {
  const k = this.thread.x;
  const gi = g[k] + ${H.weightDecay} * p[k];
  return ${second ? `${H.beta2} * m[k] + (1 - ${H.beta2}) * gi * gi` : `${H.beta1} * m[k] + (1 - ${H.beta1}) * gi`};
}`;

/** p' = p − step·m'/(√v'·invRootBc2 + ε). */
export const adamParamSource = (): string => `function(p, m, v, h) {
  const k = this.thread.x;
  return p[k] - ${H.step} * m[k] / (Math.sqrt(v[k]) * ${H.invRootBc2} + ${H.eps});
}`;

/**
 * The L1-sphere τ by ranks (docs/math.md §7), in four kernels over a non-negative
 * [in, out] matrix y. `sphereRankSource(false)`: rank k_i of each entry in its column
 * (1 + the entries larger, ties broken by row); `(true)`: the flag (S_i − 1)/k_i < y_i,
 * with S_i the sum of the entries ranked up to k_i.
 */
export const sphereRankSource = (inDim: number, outDim: number, flag: boolean): string => `function(y) {
  const i = Math.floor(this.thread.x / ${outDim});
  const j = this.thread.x - i * ${outDim};
  const yi = y[this.thread.x];
  let rank = 1;
  let sum = yi;
  for (let q = 0; q < ${inDim}; q++) {
    const yq = y[q * ${outDim} + j];
    if (yq > yi || (yq == yi && q < i)) { rank = rank + 1; sum = sum + yq; }
  }
  ${flag ? 'return (sum - 1) / rank < yi ? 1 : 0;' : 'return rank;'}
}`;

/** ρ_j = Σ_i flag_ij per column. */
export const sphereRhoSource = (inDim: number, outDim: number): string => `function(f) {
  let s = 0;
  for (let i = 0; i < ${inDim}; i++) { s = s + f[i * ${outDim} + this.thread.x]; }
  return s;
}`;

/** τ_j = (Σ_{k_i ≤ ρ_j} y_ij − 1)/ρ_j (0 when ρ_j = 0). */
export const sphereTauSource = (inDim: number, outDim: number): string => `function(y, rank, rho) {
  const j = this.thread.x;
  let s = 0;
  for (let i = 0; i < ${inDim}; i++) { if (rank[i * ${outDim} + j] <= rho[j]) { s = s + y[i * ${outDim} + j]; } }
  return rho[j] > 0 ? (s - 1) / rho[j] : 0;
}`;

/** ∂τ_j/∂y_ij = 1[k_i ≤ ρ_j]/ρ_j. */
export const sphereWeightSource = (outDim: number): string => `function(rank, rho) {
  const j = this.thread.x - Math.floor(this.thread.x / ${outDim}) * ${outDim};
  return rank[this.thread.x] <= rho[j] ? 1 / rho[j] : 0;
}`;

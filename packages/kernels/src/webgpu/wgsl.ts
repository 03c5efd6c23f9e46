/**
 * WGSL sources of the `webgpu` backend's kernels (all but matmul, see matmul.ts).
 *
 * Conventions shared by every kernel:
 * - binding 0 is the uniform parameter block `P` (up to 64 u32 words); each kernel's
 *   parameters are declared once, by name, in a {@link Params} layout (params.ts) that
 *   both writes the WGSL reading them and packs the backend's words;
 * - a kernel names its operands (`a`, `out`, …) in the order the backend passes them,
 *   outputs last, and addresses them in the device heap directly: every tensor lives in a
 *   chunk of the heap (bindings 1, 2, …: `H0`, `H1`, …, usually just H0) at an offset read
 *   from the parameter block (word OPERAND_BASE + operand number), so dispatches share bind
 *   groups. {@link Operands} writes the bindings, the offsets and each access `H0[o_a + (i)]`
 *   for the chunk map of a dispatch; a source is a function of that map;
 * - shapes are parameters, not literals, so one compiled pipeline serves every
 *   shape and only the structure of a kernel (op, variant) keys the pipeline cache;
 * - 1-D kernels run 256 threads per workgroup on a 2-D grid of workgroups (a grid
 *   side is limited to 65 535): thread `t = gid.x + gid.y · nwg.x · 256`.
 */
import { BINARY_OPS, UNARY_OPS, type BinaryOp, type NormKind, type ReduceOp, type UnaryOp } from '../ops.js';
import { ADAM_SCALARS, type AdamScalar } from '../adam.js';
import { render } from '../expr.js';
import { OPERAND_BASE, PARAM_WORDS, params } from './params.js';
/** Threads of a 1-D workgroup. */
export const WG = 256;
/** Largest rank the index-decomposing kernels take (after merging axes). */
export const MAX_RANK = 8;

/** The parameter block and the helpers every kernel may call. WGSL lets compilers assume no NaN, so NaN is tested by its bits. */
export const PARAM_PRELUDE = /* wgsl */ `
struct Params { v: array<vec4<u32>, ${PARAM_WORDS / 4}> }
@group(0) @binding(0) var<uniform> P: Params;
fn pu(i: u32) -> u32 { return P.v[i >> 2u][i & 3u]; }
fn pf(i: u32) -> f32 { return bitcast<f32>(pu(i)); }
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
// through a variable: a constant NaN or ∞ is a compile error in WGSL
fn nan_f32() -> f32 { var bits = 0x7fc00000u; return bitcast<f32>(bits); }
fn inf_f32() -> f32 { var bits = 0x7f800000u; return bitcast<f32>(bits); }
fn log_nan(x: f32) -> f32 {
  if (x < 0.0 || is_nan(x)) { return nan_f32(); }
  if (x == 0.0) { return -inf_f32(); }
  return log(x);
}
fn sqrt_nan(x: f32) -> f32 { return select(sqrt(x), nan_f32(), x < 0.0 || is_nan(x)); }
// Math.pow's rules: x^0 = 1, NaN in → NaN, 0^b = 0 or ∞, a negative base only to an integer power
fn pow_js(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (is_nan(a) || is_nan(b)) { return nan_f32(); }
  if (a == 0.0) { return select(inf_f32(), 0.0, b > 0.0); }
  let m = exp2(b * log2(abs(a)));
  if (a > 0.0) { return m; }
  if (floor(b) != b) { return nan_f32(); }
  let odd = abs(b) < 16777216.0 && fract(b * 0.5) != 0.0;
  return select(m, -m, odd);
}
`;


// --- the kernels' parameters, each declared once (params.ts) -----------------------------

/** Any layout that has (at least) the parameters N: what a shared piece of WGSL reads. */
type Reads<N extends string> = { get(name: N, index?: string): string };

/** Element count only (copy, unary, contiguous binary). */
export const P_N = params({ n: 'u32' });
/** fill: n copies of `value`. */
export const P_FILL = params({ n: 'u32', value: 'f32' });
/** Index-decomposing kernels: the output's (merged) shape and one stride table per input (broadcast: o_k = Σ coordᵢ·s_k[i]). */
const BROADCAST_SPEC = { n: 'u32', rank: 'u32', shape: MAX_RANK, s0: MAX_RANK, s1: MAX_RANK, s2: MAX_RANK } as const;
export const P_BROADCAST = params(BROADCAST_SPEC);
/** strided: the broadcast layout plus the view's start offset. */
export const P_STRIDED = params({ ...BROADCAST_SPEC, offset: 'u32' });
/** pad: the output shape, where the input begins, and the input's extent. */
export const P_PAD = params({ n: 'u32', rank: 'u32', shape: MAX_RANK, begin: MAX_RANK, extent: MAX_RANK });
/** One part of a concatenation: its row length, the output's row length, its first column. */
export const P_PLACE = params({ n: 'u32', partRow: 'u32', outRow: 'u32', colOffset: 'u32' });
/** [outer, red, inner] → [outer, inner]; n = outer·inner outputs. */
export const P_REDUCE = params({ n: 'u32', red: 'u32', inner: 'u32' });
/** One workgroup per row: n rows of `cols` (softmax) or `red` (reduceRows) entries. */
export const P_ROWS = params({ n: 'u32', cols: 'u32' });
/** gather (rows = rows of a) and scatter-add (rows = indices); n outputs of row width d. */
export const P_ROWS_OF = params({ n: 'u32', d: 'u32', rows: 'u32' });
/** oneHot: n = indices·depth outputs. */
export const P_ONE_HOT = params({ n: 'u32', depth: 'u32' });
/** Adam: n elements, then the scalars of adam.ts in their one order. */
export const P_ADAM = params({ n: 'u32', ...Object.fromEntries(ADAM_SCALARS.map((k) => [k, 'f32'])) as { readonly [K in AdamScalar]: 'f32' } });
/** Column kernels over an [in, out] matrix: cols = out, rows = in. */
export const P_COLUMNS = params({ cols: 'u32', rows: 'u32' });
/** Weight normalization's elementwise passes: n = in·out, cols = out, shared = 1 when g is one scalar. */
export const P_NORM = params({ n: 'u32', cols: 'u32', shared: 'u32' });

/** Which heap chunk each operand of a dispatch lives in (operand k in chunk `chunks[k]`; all in chunk 0 when empty). */
export type ChunkMap = readonly number[];
/** A kernel's WGSL for one chunk map. */
export type KernelSource = (chunks: ChunkMap) => string;
/** Addresses element `i` (a WGSL u32 expression) of operand `name`. */
export type At<N extends string> = (name: N, i: string) => string;

/** A kernel's operands in the order the backend passes them (outputs last), addressed in the heap chunks directly. */
export class Operands<N extends string> {
  constructor(readonly names: readonly N[], private readonly chunks: ChunkMap) {}
  private chunk(k: number): number { return this.chunks[k] ?? 0; }
  /** The chunk bindings H0, H1, … at bindings 1, 2, … */
  get bindings(): string {
    const count = Math.max(1, ...this.names.map((_, k) => this.chunk(k) + 1));
    return Array.from({ length: count }, (_, c) => `@group(0) @binding(${c + 1}) var<storage, read_write> H${c}: array<f32>;`).join('\n');
  }
  /** Each operand's heap offset `o_<name>`, from word OPERAND_BASE + k: the first statements of `main`. */
  get offsets(): string {
    return this.names.map((n, k) => `let o_${n} = pu(${OPERAND_BASE + k}u);`).join('\n  ');
  }
  /** Element `i` of operand `name`. */
  readonly at: At<N> = (name, i) => `H${this.chunk(this.names.indexOf(name))}[o_${name} + (${i})]`;
}

/** A 1-D kernel over operands `names`: `body` runs for each t < n, n the layout's first parameter. */
function flat<N extends string>(p: Reads<'n'>, names: readonly N[], body: (at: At<N>) => string, helpers = ''): KernelSource {
  return (chunks) => {
    const ops = new Operands(names, chunks);
    return `${PARAM_PRELUDE}
${ops.bindings}
${helpers}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = gid.x + gid.y * nwg.x * ${WG}u;
  if (t >= ${p.get('n')}) { return; }
  ${ops.offsets}
  ${body(ops.at)}
}`;
  };
}

/**
 * Offsets of output element t in up to three inputs of a broadcast op (layout
 * {@link P_BROADCAST}, or one extending it): o_k = Σ coordᵢ·s_k[i].
 */
const offsets = (p: Reads<'rank' | 'shape' | 's0' | 's1' | 's2'>): string => /* wgsl */ `
fn offsets(t: u32) -> vec3<u32> {
  var r = t;
  var o = vec3<u32>(0u, 0u, 0u);
  let rank = ${p.get('rank')};
  for (var ax = rank; ax > 0u; ax = ax - 1u) {
    let i = ax - 1u;
    let d = ${p.get('shape', 'i')};
    let q = r % d;
    r = r / d;
    o = o + q * vec3<u32>(${p.get('s0', 'i')}, ${p.get('s1', 'i')}, ${p.get('s2', 'i')});
  }
  return o;
}`;

export const copySource = (): KernelSource => flat(P_N, ['a', 'out'], (at) => `${at('out', 't')} = ${at('a', 't')};`);
export const fillSource = (): KernelSource => flat(P_FILL, ['out'], (at) => `${at('out', 't')} = ${P_FILL.get('value')};`);

export function unarySource(op: UnaryOp): KernelSource {
  return flat(P_N, ['a', 'out'], (at) => `let x = ${at('a', 't')};\n  ${at('out', 't')} = ${UNARY_OPS[op].wgsl};`);
}

/** Binary op; `contiguous` when both inputs have the output's shape (no index arithmetic). */
export function binarySource(op: BinaryOp, contiguous: boolean): KernelSource {
  const expr = BINARY_OPS[op].wgsl;
  if (contiguous) return flat(P_N, ['ina', 'inb', 'out'], (at) => `let a = ${at('ina', 't')};\n  let b = ${at('inb', 't')};\n  ${at('out', 't')} = ${expr};`);
  return flat(P_BROADCAST, ['ina', 'inb', 'out'],
    (at) => `let o = offsets(t);\n  let a = ${at('ina', 'o.x')};\n  let b = ${at('inb', 'o.y')};\n  ${at('out', 't')} = ${expr};`, offsets(P_BROADCAST));
}

export const whereSource = (): KernelSource => flat(P_BROADCAST, ['c', 'a', 'b', 'out'],
  (at) => `let o = offsets(t);\n  ${at('out', 't')} = select(${at('b', 'o.z')}, ${at('a', 'o.y')}, ${at('c', 'o.x')} != 0.0);`, offsets(P_BROADCAST));

/** out[t] = a[offset + Σ coordᵢ·stridesᵢ] (layout {@link P_STRIDED}, the strides in s0). */
export const stridedSource = (): KernelSource =>
  flat(P_STRIDED, ['a', 'out'], (at) => `let o = offsets(t);\n  ${at('out', 't')} = ${at('a', `o.x + ${P_STRIDED.get('offset')}`)};`, offsets(P_STRIDED));

/** Zero padding (layout {@link P_PAD}). */
export const padSource = (): KernelSource => flat(P_PAD, ['a', 'out'], (at) => `var r = t;
  var off = 0u;
  var step = 1u;
  var inside = true;
  for (var ax = ${P_PAD.get('rank')}; ax > 0u; ax = ax - 1u) {
    let i = ax - 1u;
    let q = r % ${P_PAD.get('shape', 'i')};
    r = r / ${P_PAD.get('shape', 'i')};
    let c = i32(q) - i32(${P_PAD.get('begin', 'i')});
    let extent = ${P_PAD.get('extent', 'i')};
    inside = inside && c >= 0 && c < i32(extent);
    off = off + u32(max(c, 0)) * step;
    step = step * extent;
  }
  ${at('out', 't')} = select(0.0, ${at('a', 'off')}, inside);`);

/** Writes one part of a concatenation (layout {@link P_PLACE}). */
export const placeSource = (): KernelSource => {
  const p = P_PLACE;
  return flat(p, ['a', 'out'], (at) => `${at('out', `(t / ${p.get('partRow')}) * ${p.get('outRow')} + ${p.get('colOffset')} + t % ${p.get('partRow')}`)} = ${at('a', 't')};`);
};

/** The running reduction of each op: identity, combining step, final form. */
const REDUCE: Record<ReduceOp, { init: string; step: (acc: string, x: string) => string }> = {
  sum: { init: '0.0', step: (acc, x) => `${acc} = ${acc} + ${x};` },
  // once acc is NaN it stays NaN (x > NaN is false)
  max: { init: '-inf_f32()', step: (acc, x) => `if (is_nan(${x}) || ${x} > ${acc}) { ${acc} = ${x}; }` },
};

/**
 * One [outer, red, inner] → [outer, inner] reduction step, one thread per output
 * (reads are coalesced across threads when inner > 1); layout {@link P_REDUCE}.
 */
export function reduceLoopSource(op: ReduceOp): KernelSource {
  const r = REDUCE[op];
  return flat(P_REDUCE, ['a', 'out'], (at) => `let red = ${P_REDUCE.get('red')};
  let inner = ${P_REDUCE.get('inner')};
  let base = (t / inner) * red * inner + t % inner;
  var acc: f32 = ${r.init};
  for (var k = 0u; k < red; k = k + 1u) {
    let x = ${at('a', 'base + k * inner')};
    ${r.step('acc', 'x')}
  }
  ${at('out', 't')} = acc;`);
}

/** A tree reduction of `sh` (WG entries) in workgroup memory; thread 0 ends with the result in sh[0]. */
function treeReduce(op: ReduceOp): string {
  const r = REDUCE[op];
  return `for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (l < s) { let x = sh[l + s]; var acc = sh[l]; ${r.step('acc', 'x')} sh[l] = acc; }
    workgroupBarrier();
  }`;
}

/** Builtins of a kernel with one workgroup per row or column: `w` is the flattened workgroup id, `l` the thread. */
const WG_ARGS = '@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) l: u32';

/**
 * A kernel with one workgroup per row of `a` (layout {@link P_ROWS}: n rows), `w` the row
 * and `l` the thread; `sh` is WG words of workgroup memory for tree reductions.
 */
function rowKernel(body: (at: At<'a' | 'out'>) => string): KernelSource {
  return (chunks) => {
    const ops = new Operands(['a', 'out'] as const, chunks);
    return `${PARAM_PRELUDE}
${ops.bindings}
var<workgroup> sh: array<f32, ${WG}>;
@compute @workgroup_size(${WG})
fn main(${WG_ARGS}) {
  let w = wid.x + wid.y * nwg.x;
  if (w >= ${P_ROWS.get('n')}) { return; }
  ${ops.offsets}
  ${body(ops.at)}
}`;
  };
}

/** A reduction step with inner = 1 and a long reduced axis: one workgroup per output, `cols` = the reduced length. */
export function reduceRowsSource(op: ReduceOp): KernelSource {
  const r = REDUCE[op];
  return rowKernel((at) => `let red = ${P_ROWS.get('cols')};
  var acc: f32 = ${r.init};
  for (var k = l; k < red; k = k + ${WG}u) { let x = ${at('a', 'w * red + k')}; ${r.step('acc', 'x')} }
  sh[l] = acc;
  workgroupBarrier();
  ${treeReduce(op)}
  if (l == 0u) { ${at('out', 'w')} = sh[0]; }`);
}

/** Row softmax (or log-softmax), one workgroup per row, max-shifted; layout {@link P_ROWS}. */
export function softmaxSource(log: boolean): KernelSource {
  return rowKernel((at) => `let cols = ${P_ROWS.get('cols')};
  let base = w * cols;
  var acc: f32 = -inf_f32();
  for (var k = l; k < cols; k = k + ${WG}u) { let x = ${at('a', 'base + k')}; ${REDUCE.max.step('acc', 'x')} }
  sh[l] = acc;
  workgroupBarrier();
  ${treeReduce('max')}
  let m = sh[0];
  workgroupBarrier();
  acc = 0.0;
  for (var k = l; k < cols; k = k + ${WG}u) { acc = acc + exp(${at('a', 'base + k')} - m); }
  sh[l] = acc;
  workgroupBarrier();
  ${treeReduce('sum')}
  let s = sh[0];
  for (var k = l; k < cols; k = k + ${WG}u) {
    ${at('out', 'base + k')} = ${log ? `${at('a', 'base + k')} - m - log(s)` : `exp(${at('a', 'base + k')} - m) / s`};
  }`);
}

/**
 * out[i, c] = a[idx[i], c]; layout {@link P_ROWS_OF} (rows = rows of a). An index out of range (which an
 * asynchronous backend cannot check without waiting) reads the nearest row, never another tensor's memory.
 */
export const gatherSource = (): KernelSource => flat(P_ROWS_OF, ['a', 'idx', 'out'], (at) => `let d = ${P_ROWS_OF.get('d')};
  let row = u32(clamp(${at('idx', 't / d')}, 0.0, f32(${P_ROWS_OF.get('rows')} - 1u)));
  ${at('out', 't')} = ${at('a', 'row * d + t % d')};`);

/** out[row, c] = Σ_{i : idx[i] = row} a[i, c], one thread per output; layout {@link P_ROWS_OF} (rows = indices). */
export const scatterAddSource = (): KernelSource => flat(P_ROWS_OF, ['a', 'idx', 'out'], (at) => `let d = ${P_ROWS_OF.get('d')};
  let row = f32(t / d);
  let c = t % d;
  var acc = 0.0;
  for (var i = 0u; i < ${P_ROWS_OF.get('rows')}; i = i + 1u) { if (${at('idx', 'i')} == row) { acc = acc + ${at('a', 'i * d + c')}; } }
  ${at('out', 't')} = acc;`);

/** out[i, k] = [idx[i] = k]; layout {@link P_ONE_HOT}. */
export const oneHotSource = (): KernelSource => flat(P_ONE_HOT, ['idx', 'out'],
  (at) => `let d = ${P_ONE_HOT.get('depth')};\n  ${at('out', 't')} = select(0.0, 1.0, ${at('idx', 't / d')} == f32(t % d));`);

/** Adam's scalars as WGSL reads of their slots. */
const A = Object.fromEntries(ADAM_SCALARS.map((k) => [k, P_ADAM.get(k)])) as Record<AdamScalar, string>;

/** Adam written over p, m, v (PyTorch's update, backend.ts); layout {@link P_ADAM}; operands g, p, m, v. */
export const adamSource = (): KernelSource => flat(P_ADAM, ['g', 'p', 'm', 'v'], (at) => `let b1 = ${A.beta1};
  let b2 = ${A.beta2};
  let pt = ${at('p', 't')};
  let gi = ${at('g', 't')} + ${A.weightDecay} * pt;
  let mi = b1 * ${at('m', 't')} + (1.0 - b1) * gi;
  let vi = b2 * ${at('v', 't')} + (1.0 - b2) * gi * gi;
  ${at('m', 't')} = mi;
  ${at('v', 't')} = vi;
  ${at('p', 't')} = pt - ${A.step} * mi / (sqrt(vi) * ${A.invRootBc2} + ${A.eps});`);

/** Columns per workgroup of the column reductions, and row lanes per column. */
export const COLS = 16;
const LANES = 16;

/**
 * A reduction down the columns of [in, out] matrices, COLS columns per workgroup and
 * LANES threads per column striding over rows (adjacent threads read adjacent columns);
 * `term` is the summand of row i (element k = i·cols + j), `finish` maps the column sum
 * s to the output. Operands `names`, then `out`. Layout {@link P_COLUMNS}.
 */
function columnReduce<N extends string>(names: readonly N[], term: (at: At<N | 'out'>) => string, finish: (at: At<N | 'out'>) => string): KernelSource {
  return (chunks) => {
    const ops = new Operands<N | 'out'>([...names, 'out'], chunks);
    return `${PARAM_PRELUDE}
${ops.bindings}
var<workgroup> sh: array<array<f32, ${COLS}>, ${LANES}>;
@compute @workgroup_size(${COLS}, ${LANES})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  ${ops.offsets}
  let cols = ${P_COLUMNS.get('cols')};
  let rows = ${P_COLUMNS.get('rows')};
  let j = wid.x * ${COLS}u + lid.x;
  var acc = 0.0;
  if (j < cols) {
    for (var i = lid.y; i < rows; i = i + ${LANES}u) {
      let k = i * cols + j;
      acc = acc + ${term(ops.at)};
    }
  }
  sh[lid.y][lid.x] = acc;
  workgroupBarrier();
  for (var s = ${LANES / 2}u; s > 0u; s = s >> 1u) {
    if (lid.y < s) { sh[lid.y][lid.x] = sh[lid.y][lid.x] + sh[lid.y + s][lid.x]; }
    workgroupBarrier();
  }
  if (lid.y == 0u && j < cols) { let s = sh[0][lid.x]; ${ops.at('out', 'j')} = ${finish(ops.at)}; }
}`;
  };
}

/** Ṽ_ij: |V_ij|, or max(|V⁺_ij|, |V⁻_ij|) for the CReLU pair (docs/math.md §5). */
const magnitude = (at: At<'v0' | 'v1'>, pair: boolean): string => (pair ? `max(abs(${at('v0', 'k')}), abs(${at('v1', 'k')}))` : `abs(${at('v0', 'k')})`);

/** Column norms n_j = Σ_i Ṽ_ij (L1) or √(Σ_i Ṽ_ij²) (L2), docs/math.md §2. */
export function normsSource(kind: NormKind, pair: boolean): KernelSource {
  return columnReduce<'v0' | 'v1'>(pair ? ['v0', 'v1'] : ['v0'], (at) => {
    const m = magnitude(at, pair);
    return kind === 'l1' ? m : `${m} * ${m}`;
  }, () => (kind === 'l1' ? 's' : 'sqrt(s)'));
}

/** c_j = Σ_i Σ_pair G_ij V_ij / n_j (docs/math.md §3). */
export function normCoefSource(pair: boolean): KernelSource {
  return columnReduce<'gw0' | 'v0' | 'gw1' | 'v1' | 'n'>(pair ? ['gw0', 'v0', 'gw1', 'v1', 'n'] : ['gw0', 'v0', 'n'],
    (at) => (pair ? `${at('gw0', 'k')} * ${at('v0', 'k')} + ${at('gw1', 'k')} * ${at('v1', 'k')}` : `${at('gw0', 'k')} * ${at('v0', 'k')}`),
    (at) => `s / ${at('n', 'j')}`);
}

/** W = g·V/n columnwise; layout {@link P_NORM}. */
export const normApplySource = (): KernelSource => flat(P_NORM, ['v', 'g', 'n', 'out'], (at) => `let j = t % ${P_NORM.get('cols')};
  let gj = select(${at('g', 'j')}, ${at('g', '0u')}, ${P_NORM.get('shared')} == 1u);
  ${at('out', 't')} = gj * ${at('v', 't')} / ${at('n', 'j')};`);

/**
 * ∂L/∂V = (g·G − g·c·∂n/∂V)/n for one matrix (docs/math.md §3, §5), with ∂n/∂V =
 * sign(v)·a (L1) or (Ṽ/n)·sign(v)·a (L2), a the matrix's share of the max in the pair.
 * Layout {@link P_NORM}; sign and the tie share are the op table's (ops.ts).
 */
export function normGradSource(kind: NormKind, pair: boolean): KernelSource {
  type N = 'gw' | 'v' | 'other' | 'g' | 'n' | 'c' | 'out';
  const names: N[] = pair ? ['gw', 'v', 'other', 'g', 'n', 'c', 'out'] : ['gw', 'v', 'g', 'n', 'c', 'out'];
  return flat(P_NORM, names, (at) => `let j = t % ${P_NORM.get('cols')};
  let gj = select(${at('g', 'j')}, ${at('g', '0u')}, ${P_NORM.get('shared')} == 1u);
  let nj = ${at('n', 'j')};
  let x = ${at('v', 't')};
  let ax = abs(x);
  ${pair ? `let ao = abs(${at('other', 't')});
  let share = ${render(BINARY_OPS.winShare.wgsl, { a: 'ax', b: 'ao' })};
  let mag = max(ax, ao);` : `let share = 1.0;
  let mag = ax;`}
  let s = ${UNARY_OPS.sign.wgsl};
  let dn = ${kind === 'l1' ? 's * share' : '(mag / nj) * s * share'};
  ${at('out', 't')} = (gj * ${at('gw', 't')} - gj * ${at('c', 'j')} * dn) / nj;`);
}

/**
 * τ of the L1-sphere projection per column of a non-negative [in, out] matrix, by
 * ranks instead of a sort (docs/math.md §7), one workgroup per column. Entry i's
 * rank k_i counts the entries larger than it, ties broken by position (a stable
 * descending sort), S_i is the sum of the entries ranked up to k_i, and
 * ρ = #{i : (S_i − 1)/k_i < y_i}; the support is the ρ top-ranked entries and
 * τ = (Σ_support y − 1)/ρ. Writes τ [out] and weight [in, out] = 1[i ∈ S_j]/ρ_j
 * (the backward's ∂τ_j/∂Ṽ_ij). O(in²) per column. Layout {@link P_COLUMNS}; operands y, tau, weight.
 */
export const sphereTauSource = (): KernelSource => (chunks) => {
  const ops = new Operands(['y', 'tau', 'weight'] as const, chunks);
  const at = ops.at;
  return `${PARAM_PRELUDE}
${ops.bindings}
var<workgroup> sh: array<f32, ${WG}>;
@compute @workgroup_size(${WG})
fn main(${WG_ARGS}) {
  let j = wid.x + wid.y * nwg.x;
  let cols = ${P_COLUMNS.get('cols')};
  let rows = ${P_COLUMNS.get('rows')};
  if (j >= cols) { return; }
  ${ops.offsets}
  var flags = 0.0;
  for (var i = l; i < rows; i = i + ${WG}u) {
    let yi = ${at('y', 'i * cols + j')};
    var rank = 1.0;
    var sum = yi;
    for (var q = 0u; q < rows; q = q + 1u) {
      let yq = ${at('y', 'q * cols + j')};
      if (yq > yi || (yq == yi && q < i)) { rank = rank + 1.0; sum = sum + yq; }
    }
    ${at('weight', 'i * cols + j')} = rank;
    if ((sum - 1.0) / rank < yi) { flags = flags + 1.0; }
  }
  sh[l] = flags;
  workgroupBarrier();
  ${treeReduce('sum')}
  let rho = sh[0];
  workgroupBarrier();
  var top = 0.0;
  for (var i = l; i < rows; i = i + ${WG}u) {
    let k = i * cols + j;
    let inside = ${at('weight', 'k')} <= rho;
    if (inside) { top = top + ${at('y', 'k')}; }
    ${at('weight', 'k')} = select(0.0, 1.0 / rho, inside);
  }
  sh[l] = top;
  workgroupBarrier();
  ${treeReduce('sum')}
  if (l == 0u) { ${at('tau', 'j')} = select(0.0, (sh[0] - 1.0) / rho, rho > 0.0); }
}`;
};

/**
 * WGSL sources of the `webgpu` backend's kernels (all but matmul, see matmul.ts).
 *
 * Conventions shared by every kernel:
 * - binding 0 is the uniform parameter block `P` (up to 64 u32 words); each kernel's
 *   parameters are declared once, by name, in a {@link Params} layout (params.ts) that
 *   both writes the WGSL reading them and packs the backend's words;
 * - a kernel is written over named arrays (`a`, `out`, …) declared as storage buffers in
 *   the order the backend passes its operands, outputs last. Every tensor really lives in
 *   a chunk of the device heap (bindings 1, 2, …: `H0`, `H1`, …, usually just H0):
 *   {@link onHeap} turns each declared array into an offset into its chunk, read from the
 *   parameter block (word OPERAND_BASE + operand number), so dispatches share bind groups;
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


/**
 * Moves a kernel onto the heap: drops its storage-array declarations, binds the chunks
 * H0, H1, … instead, starts `main` with each array's offset `o_<name>` and rewrites
 * every `name[i]` in `main` as `Hc[o_name + (i)]`, where operand k lives in chunk
 * `chunkOf[k]` (all in H0 by default).
 */
export function onHeap(src: string, chunkOf: readonly number[] = []): string {
  const names: string[] = [];
  const decl = /@group\(0\) @binding\((\d+)\) var<storage, (?:read|read_write)> (\w+): array<f32>;\n?/g;
  let out = src.replace(decl, (_, b: string, name: string) => { names[Number(b) - 1] = name; return ''; });
  const chunk = (k: number): number => chunkOf[k] ?? 0;
  const count = Math.max(1, ...names.map((_, k) => chunk(k) + 1));
  const heap = Array.from({ length: count }, (_, c) => `@group(0) @binding(${c + 1}) var<storage, read_write> H${c}: array<f32>;\n`).join('');
  out = out.replace('@compute', `${heap}@compute`);
  const open = out.indexOf(') {', out.indexOf('fn main(')) + 3;
  let body = out.slice(open);
  names.forEach((name, k) => { body = rewriteIndexing(body, name, `H${chunk(k)}`); });
  const offsets = names.map((n, i) => `\n  let o_${n} = pu(${OPERAND_BASE + i}u);`).join('');
  return out.slice(0, open) + offsets + body;
}

/** `name[e]` → `heap[o_name + (e)]` throughout `code`, brackets matched (e may index arrays itself). */
function rewriteIndexing(code: string, name: string, heap: string): string {
  const re = new RegExp(`\\b${name}\\[`, 'g');
  let out = '';
  let from = 0;
  for (let m = re.exec(code); m; m = re.exec(code)) {
    let depth = 1;
    let i = m.index + m[0].length;
    for (; depth > 0; i++) depth += code[i] === '[' ? 1 : code[i] === ']' ? -1 : 0;
    out += `${code.slice(from, m.index)}${heap}[o_${name} + (${rewriteIndexing(code.slice(m.index + m[0].length, i - 1), name, heap)})]`;
    from = i;
    re.lastIndex = i;
  }
  return out + code.slice(from);
}

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

/** Declares storage buffers 1…n: `names` read-only, then `outs` read-write. */
function buffers(names: readonly string[], outs: readonly string[]): string {
  const all = [...names.map((n) => [n, 'read'] as const), ...outs.map((n) => [n, 'read_write'] as const)];
  return all.map(([n, access], i) => `@group(0) @binding(${i + 1}) var<storage, ${access}> ${n}: array<f32>;`).join('\n');
}

/** A 1-D kernel: `body` runs for each t < n, n the layout's first parameter. */
function flat(p: Reads<'n'>, ins: readonly string[], outs: readonly string[], body: string, helpers = ''): string {
  return `${PARAM_PRELUDE}
${buffers(ins, outs)}
${helpers}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = gid.x + gid.y * nwg.x * ${WG}u;
  if (t >= ${p.get('n')}) { return; }
  ${body}
}`;
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

export const copySource = (): string => flat(P_N, ['a'], ['out'], 'out[t] = a[t];');
export const fillSource = (): string => flat(P_FILL, [], ['out'], `out[t] = ${P_FILL.get('value')};`);

export function unarySource(op: UnaryOp): string {
  return flat(P_N, ['a'], ['out'], `let x = a[t];\n  out[t] = ${UNARY_OPS[op].wgsl};`);
}

/** Binary op; `contiguous` when both inputs have the output's shape (no index arithmetic). */
export function binarySource(op: BinaryOp, contiguous: boolean): string {
  const expr = BINARY_OPS[op].wgsl;
  if (contiguous) return flat(P_N, ['ina', 'inb'], ['out'], `let a = ina[t];\n  let b = inb[t];\n  out[t] = ${expr};`);
  return flat(P_BROADCAST, ['ina', 'inb'], ['out'], `let o = offsets(t);\n  let a = ina[o.x];\n  let b = inb[o.y];\n  out[t] = ${expr};`, offsets(P_BROADCAST));
}

export const whereSource = (): string =>
  flat(P_BROADCAST, ['c', 'a', 'b'], ['out'], 'let o = offsets(t);\n  out[t] = select(b[o.z], a[o.y], c[o.x] != 0.0);', offsets(P_BROADCAST));

/** out[t] = a[offset + Σ coordᵢ·stridesᵢ] (layout {@link P_STRIDED}, the strides in s0). */
export const stridedSource = (): string =>
  flat(P_STRIDED, ['a'], ['out'], `let o = offsets(t);\n  out[t] = a[o.x + ${P_STRIDED.get('offset')}];`, offsets(P_STRIDED));

/** Zero padding (layout {@link P_PAD}). */
export const padSource = (): string => flat(P_PAD, ['a'], ['out'], `var r = t;
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
  out[t] = select(0.0, a[off], inside);`);

/** Writes one part of a concatenation (layout {@link P_PLACE}). */
export const placeSource = (): string => {
  const p = P_PLACE;
  return flat(p, ['a'], ['out'], `out[(t / ${p.get('partRow')}) * ${p.get('outRow')} + ${p.get('colOffset')} + t % ${p.get('partRow')}] = a[t];`);
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
export function reduceLoopSource(op: ReduceOp): string {
  const r = REDUCE[op];
  return flat(P_REDUCE, ['a'], ['out'], `let red = ${P_REDUCE.get('red')};
  let inner = ${P_REDUCE.get('inner')};
  let base = (t / inner) * red * inner + t % inner;
  var acc: f32 = ${r.init};
  for (var k = 0u; k < red; k = k + 1u) {
    let x = a[base + k * inner];
    ${r.step('acc', 'x')}
  }
  out[t] = acc;`);
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
function rowKernel(body: string): string {
  return `${PARAM_PRELUDE}
${buffers(['a'], ['out'])}
var<workgroup> sh: array<f32, ${WG}>;
@compute @workgroup_size(${WG})
fn main(${WG_ARGS}) {
  let w = wid.x + wid.y * nwg.x;
  if (w >= ${P_ROWS.get('n')}) { return; }
  ${body}
}`;
}

/** A reduction step with inner = 1 and a long reduced axis: one workgroup per output, `cols` = the reduced length. */
export function reduceRowsSource(op: ReduceOp): string {
  const r = REDUCE[op];
  return rowKernel(`let red = ${P_ROWS.get('cols')};
  var acc: f32 = ${r.init};
  for (var k = l; k < red; k = k + ${WG}u) { let x = a[w * red + k]; ${r.step('acc', 'x')} }
  sh[l] = acc;
  workgroupBarrier();
  ${treeReduce(op)}
  if (l == 0u) { out[w] = sh[0]; }`);
}

/** Row softmax (or log-softmax), one workgroup per row, max-shifted; layout {@link P_ROWS}. */
export function softmaxSource(log: boolean): string {
  return rowKernel(`let cols = ${P_ROWS.get('cols')};
  let base = w * cols;
  var acc: f32 = -inf_f32();
  for (var k = l; k < cols; k = k + ${WG}u) { let x = a[base + k]; ${REDUCE.max.step('acc', 'x')} }
  sh[l] = acc;
  workgroupBarrier();
  ${treeReduce('max')}
  let m = sh[0];
  workgroupBarrier();
  acc = 0.0;
  for (var k = l; k < cols; k = k + ${WG}u) { acc = acc + exp(a[base + k] - m); }
  sh[l] = acc;
  workgroupBarrier();
  ${treeReduce('sum')}
  let s = sh[0];
  for (var k = l; k < cols; k = k + ${WG}u) {
    ${log ? 'out[base + k] = a[base + k] - m - log(s);' : 'out[base + k] = exp(a[base + k] - m) / s;'}
  }`);
}

/**
 * out[i, c] = a[idx[i], c]; layout {@link P_ROWS_OF} (rows = rows of a). An index out of range (which an
 * asynchronous backend cannot check without waiting) reads the nearest row, never another tensor's memory.
 */
export const gatherSource = (): string =>
  flat(P_ROWS_OF, ['a', 'idx'], ['out'], `let d = ${P_ROWS_OF.get('d')};\n  let row = u32(clamp(idx[t / d], 0.0, f32(${P_ROWS_OF.get('rows')} - 1u)));\n  out[t] = a[row * d + t % d];`);

/** out[row, c] = Σ_{i : idx[i] = row} a[i, c], one thread per output; layout {@link P_ROWS_OF} (rows = indices). */
export const scatterAddSource = (): string => flat(P_ROWS_OF, ['a', 'idx'], ['out'], `let d = ${P_ROWS_OF.get('d')};
  let row = f32(t / d);
  let c = t % d;
  var acc = 0.0;
  for (var i = 0u; i < ${P_ROWS_OF.get('rows')}; i = i + 1u) { if (idx[i] == row) { acc = acc + a[i * d + c]; } }
  out[t] = acc;`);

/** out[i, k] = [idx[i] = k]; layout {@link P_ONE_HOT}. */
export const oneHotSource = (): string =>
  flat(P_ONE_HOT, ['idx'], ['out'], `let d = ${P_ONE_HOT.get('depth')};\n  out[t] = select(0.0, 1.0, idx[t / d] == f32(t % d));`);

/** Adam's scalars as WGSL reads of their slots. */
const A = Object.fromEntries(ADAM_SCALARS.map((k) => [k, P_ADAM.get(k)])) as Record<AdamScalar, string>;

/** Adam written over p, m, v (PyTorch's update, backend.ts); layout {@link P_ADAM}. */
export const adamSource = (): string => `${PARAM_PRELUDE}
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> p: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = gid.x + gid.y * nwg.x * ${WG}u;
  if (t >= ${P_ADAM.get('n')}) { return; }
  let b1 = ${A.beta1};
  let b2 = ${A.beta2};
  let gi = g[t] + ${A.weightDecay} * p[t];
  let mi = b1 * m[t] + (1.0 - b1) * gi;
  let vi = b2 * v[t] + (1.0 - b2) * gi * gi;
  m[t] = mi;
  v[t] = vi;
  p[t] = p[t] - ${A.step} * mi / (sqrt(vi) * ${A.invRootBc2} + ${A.eps});
}`;

/** Columns per workgroup of the column reductions, and row lanes per column. */
export const COLS = 16;
const LANES = 16;

/**
 * A reduction down the columns of [in, out] matrices, COLS columns per workgroup and
 * LANES threads per column striding over rows (adjacent threads read adjacent columns);
 * `term` is the summand of row i, `finish` maps the column sum s to the output.
 * Layout {@link P_COLUMNS}.
 */
function columnReduce(ins: readonly string[], term: string, finish: string): string {
  return `${PARAM_PRELUDE}
${buffers(ins, ['out'])}
var<workgroup> sh: array<array<f32, ${COLS}>, ${LANES}>;
@compute @workgroup_size(${COLS}, ${LANES})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let cols = ${P_COLUMNS.get('cols')};
  let rows = ${P_COLUMNS.get('rows')};
  let j = wid.x * ${COLS}u + lid.x;
  var acc = 0.0;
  if (j < cols) {
    for (var i = lid.y; i < rows; i = i + ${LANES}u) {
      let k = i * cols + j;
      acc = acc + ${term};
    }
  }
  sh[lid.y][lid.x] = acc;
  workgroupBarrier();
  for (var s = ${LANES / 2}u; s > 0u; s = s >> 1u) {
    if (lid.y < s) { sh[lid.y][lid.x] = sh[lid.y][lid.x] + sh[lid.y + s][lid.x]; }
    workgroupBarrier();
  }
  if (lid.y == 0u && j < cols) { let s = sh[0][lid.x]; out[j] = ${finish}; }
}`;
}

/** Ṽ_ij: |V_ij|, or max(|V⁺_ij|, |V⁻_ij|) for the CReLU pair (docs/math.md §5). */
const magnitude = (pair: boolean): string => (pair ? 'max(abs(v0[k]), abs(v1[k]))' : 'abs(v0[k])');

/** Column norms n_j = Σ_i Ṽ_ij (L1) or √(Σ_i Ṽ_ij²) (L2), docs/math.md §2. */
export function normsSource(kind: NormKind, pair: boolean): string {
  const m = magnitude(pair);
  return columnReduce(pair ? ['v0', 'v1'] : ['v0'], kind === 'l1' ? m : `${m} * ${m}`, kind === 'l1' ? 's' : 'sqrt(s)');
}

/** c_j = Σ_i Σ_pair G_ij V_ij / n_j (docs/math.md §3). */
export function normCoefSource(pair: boolean): string {
  const term = pair ? 'gw0[k] * v0[k] + gw1[k] * v1[k]' : 'gw0[k] * v0[k]';
  return columnReduce(pair ? ['gw0', 'v0', 'gw1', 'v1', 'n'] : ['gw0', 'v0', 'n'], term, 's / n[j]');
}

/** W = g·V/n columnwise; layout {@link P_NORM}. */
export const normApplySource = (): string => flat(P_NORM, ['v', 'g', 'n'], ['out'], `let j = t % ${P_NORM.get('cols')};
  let gj = select(g[j], g[0], ${P_NORM.get('shared')} == 1u);
  out[t] = gj * v[t] / n[j];`);

/**
 * ∂L/∂V = (g·G − g·c·∂n/∂V)/n for one matrix (docs/math.md §3, §5), with ∂n/∂V =
 * sign(v)·a (L1) or (Ṽ/n)·sign(v)·a (L2), a the matrix's share of the max in the pair.
 * Layout {@link P_NORM}; sign and the tie share are the op table's (ops.ts).
 */
export function normGradSource(kind: NormKind, pair: boolean): string {
  const ins = pair ? ['gw', 'v', 'other', 'g', 'n', 'c'] : ['gw', 'v', 'g', 'n', 'c'];
  return flat(P_NORM, ins, ['out'], `let j = t % ${P_NORM.get('cols')};
  let gj = select(g[j], g[0], ${P_NORM.get('shared')} == 1u);
  let x = v[t];
  let ax = abs(x);
  ${pair ? `let ao = abs(other[t]);
  let share = ${render(BINARY_OPS.winShare.wgsl, { a: 'ax', b: 'ao' })};
  let mag = max(ax, ao);` : `let share = 1.0;
  let mag = ax;`}
  let s = ${UNARY_OPS.sign.wgsl};
  let dn = ${kind === 'l1' ? 's * share' : '(mag / n[j]) * s * share'};
  out[t] = (gj * gw[t] - gj * c[j] * dn) / n[j];`);
}

/**
 * τ of the L1-sphere projection per column of a non-negative [in, out] matrix, by
 * ranks instead of a sort (docs/math.md §7), one workgroup per column. Entry i's
 * rank k_i counts the entries larger than it, ties broken by position (a stable
 * descending sort), S_i is the sum of the entries ranked up to k_i, and
 * ρ = #{i : (S_i − 1)/k_i < y_i}; the support is the ρ top-ranked entries and
 * τ = (Σ_support y − 1)/ρ. Writes τ [out] and weight [in, out] = 1[i ∈ S_j]/ρ_j
 * (the backward's ∂τ_j/∂Ṽ_ij). O(in²) per column. Layout {@link P_COLUMNS}.
 */
export const sphereTauSource = (): string => `${PARAM_PRELUDE}
${buffers(['y'], ['tau', 'weight'])}
var<workgroup> sh: array<f32, ${WG}>;
@compute @workgroup_size(${WG})
fn main(${WG_ARGS}) {
  let j = wid.x + wid.y * nwg.x;
  let cols = ${P_COLUMNS.get('cols')};
  let rows = ${P_COLUMNS.get('rows')};
  if (j >= cols) { return; }
  var flags = 0.0;
  for (var i = l; i < rows; i = i + ${WG}u) {
    let yi = y[i * cols + j];
    var rank = 1.0;
    var sum = yi;
    for (var q = 0u; q < rows; q = q + 1u) {
      let yq = y[q * cols + j];
      if (yq > yi || (yq == yi && q < i)) { rank = rank + 1.0; sum = sum + yq; }
    }
    weight[i * cols + j] = rank;
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
    let inside = weight[k] <= rho;
    if (inside) { top = top + y[k]; }
    weight[k] = select(0.0, 1.0 / rho, inside);
  }
  sh[l] = top;
  workgroupBarrier();
  ${treeReduce('sum')}
  if (l == 0u) { tau[j] = select(0.0, (sh[0] - 1.0) / rho, rho > 0.0); }
}`;

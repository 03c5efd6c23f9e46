/**
 * The `wasm` backend's kernels as WebAssembly text, generated from TypeScript.
 *
 * Why generated text: the elementwise kernels come from the one op table
 * (ops.ts: each op's `wasm` expression), and the matmul microkernel is an
 * MR × NR register tile (4 × 8 plain, 5 × 8 with relaxed SIMD's fused multiply-add)
 * whose 32–40 multiply-adds per k-step are easier to read as a loop in the
 * generator than unrolled by hand. `scripts/assemble-wasm.mjs` turns this
 * text into bytes with wabt (a dev dependency) at development time; the bytes are
 * committed in `binary.ts`, so installing the package compiles nothing, and a
 * test checks that the committed bytes match this source.
 *
 * Conventions: every pointer is a byte address in the one linear memory,
 * every count is in float32 elements. Buffers are allocated with 16 bytes of
 * slack past their end (heap.ts), so a kernel may read a whole vector where
 * fewer than four elements remain; it never writes past an output's end
 * (partial vectors are stored lane by lane).
 */
import { BINARY_OPS, UNARY_OPS, type BinaryOp, type ElementwiseDef, type UnaryOp } from '../ops.js';
import { render } from '../expr.js';
import { header, KERNELS, type BroadcastMode, type KernelHead } from './signatures.js';

/** Which variant of the module to emit. */
export interface WatOptions {
  /** Import a shared memory (needed for worker threads; SharedArrayBuffer). */
  shared: boolean;
  /** Use `f32x4.relaxed_madd` (fused multiply-add where the CPU has it) in matmul. */
  relaxed: boolean;
  /** The matmul blocking to emit (default: {@link gemmTile} of `relaxed`); bench/matmul-tile.ts tries others. */
  tile?: GemmTile;
}

/** Matmul blocking (GotoBLAS/XNNPACK-style), in elements. */
export interface GemmTile {
  /** Rows × columns of the register tile (NR a multiple of 4: MR · NR/4 f32x4 accumulators). */
  readonly MR: number;
  readonly NR: number;
  /** k-steps per microkernel loop iteration. */
  readonly UNROLL: number;
  /** k-depth of a packed panel: one MR × KC A panel and one KC × NR B panel stay in L1. */
  readonly KC: number;
  /** Rows of A packed at a time (a multiple of MR; MC × KC floats in L2). */
  readonly MC: number;
  /** Columns of B packed at a time (a multiple of NR; KC × NC floats in L2/L3). */
  readonly NC: number;
}

/** The plain-SIMD build's blocking: a 4 × 8 tile (8 accumulators), tuned on Node 20. */
export const GEMM: GemmTile = { MR: 4, NR: 8, UNROLL: 1, KC: 256, MC: 128, NC: 512 };

/**
 * The relaxed-SIMD (fused multiply-add) build's blocking: a 5 × 8 tile (10 accumulators,
 * 13 live v128 values per k-step), the fastest tile that beat 4 × 8 in every transpose
 * case at the MLP shapes on Node 24 (tile search in the README; bench/matmul-tile.ts).
 */
export const GEMM_RELAXED: GemmTile = { ...GEMM, MR: 5, MC: 125 };

/** The blocking of the build with or without relaxed SIMD. */
export function gemmTile(relaxed: boolean): GemmTile {
  return relaxed ? GEMM_RELAXED : GEMM;
}

/** Bytes of matmul scratch a tile needs per thread: packed A, packed B, one spilled tile. */
export function gemmScratchBytes(t: GemmTile): number {
  return 4 * (t.MC * t.KC + t.KC * t.NC + t.MR * t.NR);
}

/** Bytes of scratch one thread's matmul needs, in either build. */
export const GEMM_SCRATCH_BYTES = Math.max(gemmScratchBytes(GEMM), gemmScratchBytes(GEMM_RELAXED));

const get = (n: string) => `(local.get $${n})`;
const set = (n: string, v: string) => `(local.set $${n} ${v})`;
const i32 = (v: number) => `(i32.const ${v})`;
const add = (a: string, b: string) => `(i32.add ${a} ${b})`;
const mul = (a: string, b: string) => `(i32.mul ${a} ${b})`;
const bytes = (elems: string) => `(i32.shl ${elems} (i32.const 2))`;
const inc = (n: string, by: number | string) => set(n, add(get(n), typeof by === 'number' ? i32(by) : by));
/** Parameters of the internal (not exported) helper functions. */
const params = (...ns: string[]) => ns.map((n) => `(param $${n} i32)`).join(' ');
const locals = (type: string, ...ns: string[]) => ns.map((n) => `(local $${n} ${type})`).join(' ');
/** while (cond) { body } */
const whileLoop = (label: string, cond: string, body: string) =>
  `(block $${label}_end (loop $${label} (br_if $${label}_end (i32.eqz ${cond})) ${body} (br $${label})))`;
const lt = (a: string, b: string) => `(i32.lt_s ${a} ${b})`;
const min = (a: string, b: string) => `(select ${a} ${b} (i32.lt_s ${a} ${b}))`;
/** An op's SIMD expression (KERNELS lists only the ops that have one). */
const wasmOf = (d: ElementwiseDef): string => d.wasm!;
/** Stores the first `rem` (1–3) lanes of vector `v` at `ptr`. */
const storeLanes = (ptr: string, v: string, rem: string) =>
  [0, 1, 2].map((l) => `(if (i32.gt_u ${rem} ${i32(l)}) (then (v128.store32_lane offset=${4 * l} ${l} ${ptr} ${v})))`).join(' ');

/** out[i] = op(x[i]) for the vectors covering [i, end). */
function unaryKernel(k: KernelHead, expr: string): string {
  return `${header(k)} ${locals('v128', 'X')}
  ${whileLoop('l', lt(get('i'), get('end')), `
    ${set('X', `(v128.load ${add(get('x'), bytes(get('i')))})`)}
    (v128.store ${add(get('o'), bytes(get('i')))} ${render(expr, { X: get('X') })})
    ${inc('i', 4)}`)})`;
}

/**
 * out = op(a, b) over rows [r, r1) of a rows × cols block: row r of input a starts
 * at a + r·ar, and is read contiguously (mode v) or as one value splat over the row
 * (mode s); out is contiguous with row length cols.
 */
function binaryKernel(k: KernelHead, expr: string, mode: BroadcastMode): string {
  const [ma, mb] = [mode[0], mode[1]] as ['v' | 's', 'v' | 's'];
  const load = (x: string, mode: 'v' | 's', P: string) => (mode === 'v' ? set(x, `(v128.load ${get(P)})`) + inc(P, 16) : '');
  const splat = (x: string, mode: 'v' | 's', P: string) => (mode === 's' ? set(x, `(v128.load32_splat ${get(P)})`) : '');
  const body = render(expr, { A: get('A'), B: get('B') });
  return `${header(k)}
  ${locals('i32', 'pa', 'pb', 'po', 'j', 'rem')} ${locals('v128', 'A', 'B', 'V')}
  ${set('rem', `(i32.and ${get('cols')} ${i32(3)})`)}
  ${whileLoop('rows', lt(get('r'), get('r1')), `
    ${set('pa', add(get('a'), bytes(mul(get('r'), get('ar')))))}
    ${set('pb', add(get('b'), bytes(mul(get('r'), get('br')))))}
    ${set('po', add(get('o'), bytes(mul(get('r'), get('cols')))))}
    ${splat('A', ma, 'pa')} ${splat('B', mb, 'pb')}
    ${set('j', i32(0))}
    ${whileLoop('cols', `(i32.le_s ${add(get('j'), i32(4))} ${get('cols')})`, `
      ${load('A', ma, 'pa')} ${load('B', mb, 'pb')}
      (v128.store ${get('po')} ${body})
      ${inc('po', 16)} ${inc('j', 4)}`)}
    (if ${get('rem')} (then ${load('A', ma, 'pa')} ${load('B', mb, 'pb')} ${set('V', body)} ${storeLanes(get('po'), get('V'), get('rem'))}))
    ${inc('r', 1)}`)})`;
}

/**
 * Reductions of the middle axis of [outer, red, inner], for outer indices [o, o1).
 * `r_<op>_rows` handles inner = 1 (each row to one value: vector partial results,
 * then the four lanes and a scalar tail); `r_<op>_mid` handles inner > 1 by
 * combining whole rows into the output row, which stays in L1.
 */
function reduceKernels(op: 'sum' | 'max'): string {
  const vop = op === 'sum' ? 'f32x4.add' : 'f32x4.max';
  const sop = op === 'sum' ? 'f32.add' : 'f32.max';
  const init = op === 'sum' ? '0' : '-inf';
  const vinit = `(v128.const f32x4 ${init} ${init} ${init} ${init})`;
  const lane = (l: number) => `(f32x4.extract_lane ${l} ${get('V')})`;
  return `${header(KERNELS.reduce[op].rows)} ${locals('i32', 'p', 'j')} ${locals('v128', 'V')} ${locals('f32', 's')}
  ${whileLoop('outer', lt(get('o'), get('o1')), `
    ${set('p', add(get('x'), bytes(mul(get('o'), get('red')))))}
    ${set('V', vinit)} ${set('j', i32(0))}
    ${whileLoop('vec', `(i32.le_s ${add(get('j'), i32(4))} ${get('red')})`, `
      ${set('V', `(${vop} ${get('V')} (v128.load ${get('p')}))`)} ${inc('p', 16)} ${inc('j', 4)}`)}
    ${set('s', `(${sop} (${sop} ${lane(0)} ${lane(1)}) (${sop} ${lane(2)} ${lane(3)}))`)}
    ${whileLoop('tail', lt(get('j'), get('red')), `${set('s', `(${sop} ${get('s')} (f32.load ${get('p')}))`)} ${inc('p', 4)} ${inc('j', 1)}`)}
    (f32.store ${add(get('out'), bytes(get('o')))} ${get('s')})
    ${inc('o', 1)}`)})
${header(KERNELS.reduce[op].mid)} ${locals('i32', 'p', 'q', 'r', 'j', 'row')}
  ${whileLoop('outer', lt(get('o'), get('o1')), `
    ${set('row', add(get('out'), bytes(mul(get('o'), get('inner')))))}
    ${set('q', get('row'))} ${set('j', i32(0))}
    ${whileLoop('init', lt(get('j'), get('inner')), `(f32.store ${get('q')} (f32.const ${init})) ${inc('q', 4)} ${inc('j', 1)}`)}
    ${set('p', add(get('x'), bytes(mul(mul(get('o'), get('red')), get('inner')))))}
    ${set('r', i32(0))}
    ${whileLoop('red', lt(get('r'), get('red')), `
      ${set('q', get('row'))} ${set('j', i32(0))}
      ${whileLoop('vec', `(i32.le_s ${add(get('j'), i32(4))} ${get('inner')})`, `
        (v128.store ${get('q')} (${vop} (v128.load ${get('q')}) (v128.load ${get('p')}))) ${inc('p', 16)} ${inc('q', 16)} ${inc('j', 4)}`)}
      ${whileLoop('tail', lt(get('j'), get('inner')), `
        (f32.store ${get('q')} (${sop} (f32.load ${get('q')}) (f32.load ${get('p')}))) ${inc('p', 4)} ${inc('q', 4)} ${inc('j', 1)}`)}
      ${inc('r', 1)}`)}
    ${inc('o', 1)}`)})`;
}

/**
 * Matmul: C[i0:i1, j0:j1] = op(A)·op(B), op(A)[i,p] = A[i·ars + p·acs],
 * op(B)[p,j] = B[p·brs + j·bcs] (so the four transpose cases are four stride
 * pairs, absorbed by the packing). Loop nest jc → pc → ic → jr → ir over packed
 * panels, an MR × NR register-tile microkernel innermost (`tile`, see {@link GemmTile}).
 */
function gemmKernels(relaxed: boolean, tile: GemmTile): string {
  const { MR, NR, KC, MC, NC, UNROLL } = tile;
  // packA writes whole MR-row panels and packB whole NR-column panels: MC, NC must be multiples
  if (NR % 4 !== 0 || MC % MR !== 0 || NC % NR !== 0) throw new Error(`wat: bad matmul tile ${JSON.stringify(tile)}`);
  const madd = (acc: string, a: string, b: string) =>
    relaxed ? `(f32x4.relaxed_madd ${a} ${b} ${acc})` : `(f32x4.add ${acc} (f32x4.mul ${a} ${b}))`;
  const acc = (r: number, h: number) => `c${r}${h}`;
  const H = NR / 4; // f32x4 vectors per tile row
  const hs = [...Array(H).keys()];
  const accs = [...Array(MR).keys()].flatMap((r) => hs.map((h) => acc(r, h)));
  const rowsU = [...Array(MR).keys()];
  // one k-step of the tile: NR/4 B vectors, MR splatted A values, MR·NR/4 multiply-adds
  const step = (u: number) => `${hs.map((h) => set(`b${h}`, `(v128.load offset=${4 * NR * u + 16 * h} ${get('bp')})`)).join(' ')}
    ${rowsU.map((r) => `${set('a', `(v128.load32_splat offset=${4 * (MR * u + r)} ${get('ap')})`)}
    ${hs.map((h) => set(acc(r, h), madd(get(acc(r, h)), get('a'), get(`b${h}`)))).join(' ')}`).join('\n    ')}`;
  // micro: the MR × NR tile over kc packed steps (unrolled UNROLL times), then written to C (added when accum ≠ 0):
  // as vectors when the tile is whole, else lane by lane via tmp
  const micro = `(func $micro ${params('ap', 'bp', 'kc', 'c', 'ldc', 'rows', 'cols', 'accum', 'tmp')}
  ${locals('v128', ...accs, ...hs.map((h) => `b${h}`), 'a')} ${locals('i32', 'p', 'r', 'j', 'dst', 'src')}
  ${whileLoop('k4', `(i32.le_s ${add(get('p'), i32(UNROLL))} ${get('kc')})`, `
    ${[...Array(UNROLL).keys()].map((u) => step(u)).join('\n    ')}
    ${inc('ap', 4 * MR * UNROLL)} ${inc('bp', 4 * NR * UNROLL)} ${inc('p', UNROLL)}`)}
  ${whileLoop('k', lt(get('p'), get('kc')), `
    ${step(0)}
    ${inc('ap', 4 * MR)} ${inc('bp', 4 * NR)} ${inc('p', 1)}`)}
  (if (i32.and (i32.eq ${get('rows')} ${i32(MR)}) (i32.eq ${get('cols')} ${i32(NR)}))
    (then
      ${rowsU.map((r) => {
        const row = r === 0 ? get('c') : add(get('c'), mul(get('ldc'), i32(r)));
        return hs.map((h) => `(v128.store offset=${16 * h} ${row} (if (result v128) ${get('accum')} (then (f32x4.add (v128.load offset=${16 * h} ${row}) ${get(acc(r, h))})) (else ${get(acc(r, h))})))`).join(' ');
      }).join('\n      ')})
    (else
      ${rowsU.map((r) => hs.map((h) => `(v128.store offset=${4 * (r * NR + 4 * h)} ${get('tmp')} ${get(acc(r, h))})`).join(' ')).join(' ')}
      ${set('r', i32(0))}
      ${whileLoop('er', lt(get('r'), get('rows')), `
        ${set('dst', add(get('c'), mul(get('r'), get('ldc'))))} ${set('src', add(get('tmp'), mul(get('r'), i32(4 * NR))))}
        ${set('j', i32(0))}
        ${whileLoop('ec', lt(get('j'), get('cols')), `
          (f32.store ${get('dst')} (if (result f32) ${get('accum')} (then (f32.add (f32.load ${get('dst')}) (f32.load ${get('src')}))) (else (f32.load ${get('src')}))))
          ${inc('dst', 4)} ${inc('src', 4)} ${inc('j', 1)}`)}
        ${inc('r', 1)}`)}))
)`;
  // pack A rows [i0, i0+mc) × k-range [p0, p0+kc) into MR-row panels, zero rows past mc
  const packA = `(func $packA ${params('a', 'ars', 'acs', 'i0', 'mc', 'p0', 'kc', 'dst')} ${locals('i32', 'ip', 'p', 'i', 'src')}
  ${whileLoop('panels', lt(get('ip'), get('mc')), `
    ${set('p', i32(0))}
    ${whileLoop('depth', lt(get('p'), get('kc')), `
      ${rowsU.map((r) => `${set('i', add(get('ip'), i32(r)))}
      (f32.store offset=${4 * r} ${get('dst')} (if (result f32) ${lt(get('i'), get('mc'))}
        (then (f32.load ${add(get('a'), bytes(add(mul(add(get('i0'), get('i')), get('ars')), mul(add(get('p0'), get('p')), get('acs')))))}))
        (else (f32.const 0))))`).join('\n      ')}
      ${inc('dst', 4 * MR)} ${inc('p', 1)}`)}
    ${inc('ip', MR)}`)})`;
  // pack B k-range [p0, p0+kc) × columns [j0, j0+nc) into NR-column panels, zero columns past nc
  const packB = `(func $packB ${params('b', 'brs', 'bcs', 'p0', 'kc', 'j0', 'nc', 'dst')} ${locals('i32', 'jp', 'p', 'jj', 'w', 'src')}
  ${whileLoop('panels', lt(get('jp'), get('nc')), `
    ${set('w', min(i32(NR), `(i32.sub ${get('nc')} ${get('jp')})`))}
    ${set('p', i32(0))}
    ${whileLoop('depth', lt(get('p'), get('kc')), `
      ${set('src', add(get('b'), bytes(add(mul(add(get('p0'), get('p')), get('brs')), mul(add(get('j0'), get('jp')), get('bcs'))))))}
      (if (i32.and (i32.eq ${get('w')} ${i32(NR)}) (i32.eq ${get('bcs')} ${i32(1)}))
        (then ${hs.map((h) => `(v128.store offset=${16 * h} ${get('dst')} (v128.load offset=${16 * h} ${get('src')}))`).join(' ')})
        (else
          ${set('jj', i32(0))}
          ${whileLoop('cols', lt(get('jj'), i32(NR)), `
            (f32.store ${add(get('dst'), bytes(get('jj')))} (if (result f32) ${lt(get('jj'), get('w'))}
              (then (f32.load ${add(get('src'), bytes(mul(get('jj'), get('bcs'))))})) (else (f32.const 0))))
            ${inc('jj', 1)}`)}))
      ${inc('dst', 4 * NR)} ${inc('p', 1)}`)}
    ${inc('jp', NR)}`)})`;
  const gemm = `${header(KERNELS.gemm)}
  ${locals('i32', 'jc', 'nc', 'pc', 'kc', 'ic', 'mc', 'jr', 'ir', 'sA', 'sB', 'sT')}
  ${set('sA', get('scratch'))} ${set('sB', add(get('scratch'), i32(4 * MC * KC)))} ${set('sT', add(get('sB'), i32(4 * KC * NC)))}
  ${set('jc', get('j0'))}
  ${whileLoop('jc', lt(get('jc'), get('j1')), `
    ${set('nc', min(i32(NC), `(i32.sub ${get('j1')} ${get('jc')})`))}
    ${set('pc', i32(0))}
    ${whileLoop('pc', lt(get('pc'), get('k')), `
      ${set('kc', min(i32(KC), `(i32.sub ${get('k')} ${get('pc')})`))}
      (call $packB ${get('b')} ${get('brs')} ${get('bcs')} ${get('pc')} ${get('kc')} ${get('jc')} ${get('nc')} ${get('sB')})
      ${set('ic', get('i0'))}
      ${whileLoop('ic', lt(get('ic'), get('i1')), `
        ${set('mc', min(i32(MC), `(i32.sub ${get('i1')} ${get('ic')})`))}
        (call $packA ${get('a')} ${get('ars')} ${get('acs')} ${get('ic')} ${get('mc')} ${get('pc')} ${get('kc')} ${get('sA')})
        ${set('jr', i32(0))}
        ${whileLoop('jr', lt(get('jr'), get('nc')), `
          ${set('ir', i32(0))}
          ${whileLoop('ir', lt(get('ir'), get('mc')), `
            (call $micro
              ${add(get('sA'), bytes(mul(get('ir'), get('kc'))))} ${add(get('sB'), bytes(mul(get('jr'), get('kc'))))} ${get('kc')}
              ${add(get('c'), bytes(add(mul(add(get('ic'), get('ir')), get('ldc')), add(get('jc'), get('jr')))))} ${bytes(get('ldc'))}
              ${min(i32(MR), `(i32.sub ${get('mc')} ${get('ir')})`)} ${min(i32(NR), `(i32.sub ${get('nc')} ${get('jr')})`)}
              (i32.gt_s ${get('pc')} ${i32(0)}) ${get('sT')})
            ${inc('ir', MR)}`)}
          ${inc('jr', NR)}`)}
        ${inc('ic', MC)}`)}
      ${inc('pc', KC)}`)}
    ${inc('jc', NC)}`)})`;
  return [micro, packA, packB, gemm].join('\n');
}

/**
 * Fused column-wise weight normalization (docs/math.md §2, §3, §5), the O(in·out)
 * passes; the O(out) per-column arithmetic runs on the host. Each kernel covers
 * columns [j, j1) of a rows × cols matrix (j, j1 multiples of 4 except at the end),
 * so threads split by columns and own their accumulators.
 *
 * - `wn_colnorm`: acc_j = Σ_i t_ij (L1) or Σ_i t_ij² (L2), t = |V| or max(|V⁺|, |V⁻|).
 * - `wn_coldot`: acc_j += Σ_i G_ij·V_ij.
 * - `wn_dv`: dV = α_j·G − β_j·s·π, s = sign(v), π = share of v in the pair's max
 *   (1, ½, 0), times t for L2: the closed-form ∂L/∂V with the column factors α, β
 *   precomputed on the host.
 */
function weightNormKernels(): string {
  // every column kernel's signature ends with rows, cols, j, j1 (signatures.ts)
  const colLoop = (k: KernelHead, ls: string, body: (col: string) => string) =>
    `${header(k)} ${locals('i32', 'i', 'off')} ${ls}
  ${whileLoop('cols', lt(get('j'), get('j1')), `
    ${set('i', i32(0))}
    ${body(bytes(get('j')))}
    ${inc('j', 4)}`)})`;
  const rowOff = set('off', bytes(add(mul(get('i'), get('cols')), get('j'))));
  const at = (p: string) => `(v128.load ${add(get(p), get('off'))})`;
  const ZERO = '(v128.const f32x4 0 0 0 0)';
  // |v| or max(|v⁺|, |v⁻|)
  const tOf = `(if (result v128) ${get('pair')} (then (f32x4.max (f32x4.abs ${at('v')}) (f32x4.abs ${at('w')}))) (else (f32x4.abs ${at('v')})))`;
  const store = (p: string, v: string, col: string) =>
    `(if (i32.le_s ${add(get('j'), i32(4))} ${get('j1')}) (then (v128.store ${add(get(p), col)} ${v})) (else ${storeLanes(add(get(p), col), v, `(i32.sub ${get('j1')} ${get('j')})`)}))`;
  const colnorm = colLoop(KERNELS.colNorm, locals('v128', 'S', 'T'), (col) => `
    ${set('S', ZERO)}
    ${whileLoop('rows', lt(get('i'), get('rows')), `${rowOff}
      ${set('T', tOf)}
      ${set('S', `(f32x4.add ${get('S')} (if (result v128) ${get('l2')} (then (f32x4.mul ${get('T')} ${get('T')})) (else ${get('T')})))`)}
      ${inc('i', 1)}`)}
    ${store('acc', get('S'), col)}`);
  const coldot = colLoop(KERNELS.colDot, locals('v128', 'S'), (col) => `
    ${set('S', `(v128.load ${add(get('acc'), col)})`)}
    ${whileLoop('rows', lt(get('i'), get('rows')), `${rowOff}
      ${set('S', `(f32x4.add ${get('S')} (f32x4.mul ${at('g')} ${at('v')}))`)}
      ${inc('i', 1)}`)}
    ${store('acc', get('S'), col)}`);
  // sign and the max-tie share come from the op table (ops.ts), as everywhere
  const sign = render(wasmOf(UNARY_OPS.sign), { X: get('V') });
  const share = render(wasmOf(BINARY_OPS.winShare), { A: get('AV'), B: get('AW') });
  const dv = colLoop(KERNELS.normGrad, locals('v128', 'AL', 'BE', 'V', 'AV', 'AW', 'S', 'P', 'R'), (col) => `
    ${set('AL', `(v128.load ${add(get('alpha'), col)})`)} ${set('BE', `(v128.load ${add(get('beta'), col)})`)}
    ${whileLoop('rows', lt(get('i'), get('rows')), `${rowOff}
      ${set('V', at('v'))} ${set('AV', '(f32x4.abs (local.get $V))')}
      ${set('S', sign)}
      (if ${get('pair')}
        (then
          ${set('AW', `(f32x4.abs ${at('w')})`)}
          ;; π = 1 if |v| > |w|, ½ if equal, 0 otherwise
          ${set('P', share)}
          ${set('S', `(f32x4.mul ${get('S')} ${get('P')})`)}
          (if ${get('l2')} (then ${set('S', `(f32x4.mul ${get('S')} (f32x4.max ${get('AV')} ${get('AW')}))`)})))
        (else (if ${get('l2')} (then ${set('S', `(f32x4.mul ${get('S')} ${get('AV')})`)}))))
      ${set('R', `(f32x4.sub (f32x4.mul ${get('AL')} ${at('g')}) (f32x4.mul ${get('BE')} ${get('S')}))`)}
      (if (i32.le_s ${add(get('j'), i32(4))} ${get('j1')}) (then (v128.store ${add(get('out'), get('off'))} ${get('R')}))
        (else ${storeLanes(add(get('out'), get('off')), get('R'), `(i32.sub ${get('j1')} ${get('j')})`)}))
      ${inc('i', 1)}`)}`);
  return [colnorm, coldot, dv].join('\n');
}

/** In-place Adam (PyTorch's update) over elements [i, end), the scalars of adam.ts: see Backend.adamStep. */
function adamKernel(): string {
  const v = (x: number) => `(v128.const f32x4 ${x} ${x} ${x} ${x})`;
  const sp = (n: string) => `(f32x4.splat ${get(n)})`;
  return `${header(KERNELS.adam)}
  ${locals('i32', 'o')} ${locals('v128', 'G', 'M', 'V', 'P', 'B1', 'B2', 'C1', 'C2', 'ST', 'RB', 'EP', 'WD')}
  ${set('B1', sp('beta1'))} ${set('B2', sp('beta2'))} ${set('C1', `(f32x4.sub ${v(1)} ${get('B1')})`)} ${set('C2', `(f32x4.sub ${v(1)} ${get('B2')})`)}
  ${set('ST', sp('step'))} ${set('RB', sp('invRootBc2'))} ${set('EP', sp('eps'))} ${set('WD', sp('weightDecay'))}
  ${whileLoop('l', lt(get('i'), get('end')), `
    ${set('o', bytes(get('i')))}
    ${set('P', `(v128.load ${add(get('p'), get('o'))})`)}
    ${set('G', `(f32x4.add (v128.load ${add(get('g'), get('o'))}) (f32x4.mul ${get('WD')} ${get('P')}))`)}
    ${set('M', `(f32x4.add (f32x4.mul ${get('B1')} (v128.load ${add(get('m'), get('o'))})) (f32x4.mul ${get('C1')} ${get('G')}))`)}
    ${set('V', `(f32x4.add (f32x4.mul ${get('B2')} (v128.load ${add(get('v'), get('o'))})) (f32x4.mul ${get('C2')} (f32x4.mul ${get('G')} ${get('G')})))`)}
    (v128.store ${add(get('m'), get('o'))} ${get('M')})
    (v128.store ${add(get('v'), get('o'))} ${get('V')})
    (v128.store ${add(get('p'), get('o'))} (f32x4.sub ${get('P')} (f32x4.div (f32x4.mul ${get('ST')} ${get('M')}) (f32x4.add (f32x4.mul (f32x4.sqrt ${get('V')}) ${get('RB')}) ${get('EP')}))))
    ${inc('i', 4)}`)})`;
}

/** The whole module's text. */
export function watSource(opts: WatOptions): string {
  const unary = Object.entries(KERNELS.unary).map(([op, k]) => unaryKernel(k, wasmOf(UNARY_OPS[op as UnaryOp])));
  const binary = Object.entries(KERNELS.binary).flatMap(([op, modes]) =>
    Object.entries(modes).map(([mode, k]) => binaryKernel(k, wasmOf(BINARY_OPS[op as BinaryOp]), mode as BroadcastMode)));
  return `(module
(import "env" "memory" (memory 1 65536${opts.shared ? ' shared' : ''}))
${unary.join('\n')}
${binary.join('\n')}
${reduceKernels('sum')}
${reduceKernels('max')}
${gemmKernels(opts.relaxed, opts.tile ?? gemmTile(opts.relaxed))}
${weightNormKernels()}
${adamKernel()}
)`;
}

/**
 * The `webgpu` backend's matmul, C = op(A)·op(B), generated per tile shape.
 *
 * Each workgroup computes a BM × BN tile of C. It walks K in slices of BK: the
 * threads copy a BM × BK slice of A and a BK × BN slice of B into workgroup memory
 * (zeros past the matrix edges), wait, and then each thread multiplies out its own
 * TM × TN register tile — an outer product of TM values of A and TN values of B per
 * k, TM·TN fused multiply-adds. With `vec4` tiles a thread's rows and columns come in
 * runs of four read as one vec4 (TM/4 + TN/4 workgroup-memory loads per k); without,
 * they are single rows and columns strided by the thread grid (TM + TN loads). Either
 * way adjacent threads read adjacent words. Transposed operands are read in place: only the
 * index arithmetic of the copy into workgroup memory changes, chosen so that adjacent
 * threads read adjacent addresses of global memory in all four cases.
 */
import { Operands, PARAM_PRELUDE, type KernelSource } from './wgsl.js';
import { params } from './params.js';

/** The matmul kernels' parameters: C [M, N] = op(A) [M, K] · op(B) [K, N]. */
export const P_MATMUL = params({ M: 'u32', K: 'u32', N: 'u32' });

/**
 * A tile shape: BM × BN outputs per workgroup, BK-deep slices, TM × TN outputs per thread.
 * `vec4`: a thread owns TM/4 runs of 4 adjacent rows and TN/4 runs of 4 adjacent columns
 * (run j of thread t starting at 4·(j·threads-per-side + t), so adjacent threads read adjacent
 * 16-byte words), reads workgroup memory four floats at a time and accumulates in vec4s:
 * per k, TM/4 + TN/4 loads for TM·TN multiply-adds. Without it a thread's rows and
 * columns are single ones strided by the thread grid: TM + TN scalar loads per k.
 */
export interface MatmulTile {
  /** Output rows per workgroup tile. */
  bm: number;
  /** Output columns per workgroup tile. */
  bn: number;
  /** Depth (the shared k dimension) of each step's tile of A and B. */
  bk: number;
  /** Output rows per thread. */
  tm: number;
  /** Output columns per thread. */
  tn: number;
  /** Read the workgroup tiles as vec4 (four floats a load) instead of scalars. */
  vec4: boolean;
}

/** 32 × 32 tiles, 4 × 4 per thread (64 threads), vec4 reads: 4× the workgroups of `small`, for outputs too small to fill a big card. */
export const TINY_TILE: MatmulTile = { bm: 32, bn: 32, bk: 16, tm: 4, tn: 4, vec4: true };
/** 64 × 64 tiles, 4 × 4 per thread (256 threads), vec4 reads: the middle sizes, such as most matrices of training. */
export const SMALL_TILE: MatmulTile = { bm: 64, bn: 64, bk: 16, tm: 4, tn: 4, vec4: true };
/** 128 × 128 tiles, 8 × 8 per thread (256 threads), vec4 reads: twice the arithmetic per load, for big matrices. */
export const LARGE_TILE: MatmulTile = { bm: 128, bn: 128, bk: 8, tm: 8, tn: 8, vec4: true };
/** The large tile with scalar workgroup reads, strided rows and columns: kept to measure what vec4 reads buy. */
export const LARGE_SCALAR_TILE: MatmulTile = { ...LARGE_TILE, vec4: false };

/** The named tiles, for benchmarks that compare them. */
export const MATMUL_TILES = {
  /** 32 × 32 tiles, 4 × 4 per thread, vec4 reads (small outputs). */
  tiny: TINY_TILE,
  /** 64 × 64 tiles, 4 × 4 per thread, vec4 reads (middle sizes). */
  small: SMALL_TILE,
  /** 128 × 128 tiles, 8 × 8 per thread, vec4 reads (big matrices). */
  large: LARGE_TILE,
  /** The large tile with scalar workgroup reads (to measure what vec4 buys). */
  'large-scalar': LARGE_SCALAR_TILE,
} as const;
/** The name of a tile shape, or `auto` to choose by the output's size. */
export type MatmulTileName = keyof typeof MATMUL_TILES | 'auto';

/**
 * The largest tile that still gives the output at least 256 workgroups (so each of a
 * big card's 100+ multiprocessors gets a couple), else `tiny`: `large` from about
 * 2048², `small` from about 1024², `tiny` below (a 200 × 500 activation product gets 112
 * workgroups instead of `small`'s 32). Reasoned, not yet tuned on a card (bench/RESULTS.md).
 */
export function chooseTile(m: number, n: number, name: MatmulTileName = 'auto'): MatmulTile {
  if (name !== 'auto') return MATMUL_TILES[name];
  const groups = (t: MatmulTile) => Math.ceil(m / t.bm) * Math.ceil(n / t.bn);
  for (const t of [LARGE_TILE, SMALL_TILE]) if (groups(t) >= 256) return t;
  return TINY_TILE;
}

/** WGSL of the matmul kernel for one tile shape and transpose case; layout {@link P_MATMUL}, operands a, b, out. */
export const matmulSource = (tile: MatmulTile, transA: boolean, transB: boolean): KernelSource => (chunks) => {
  const ops = new Operands(['a', 'b', 'out'] as const, chunks);
  const at = ops.at;
  const { bm, bn, bk } = tile;
  // A slice element e → (row r, depth kk): depth fastest when A is row-major [M, K], row fastest when stored [K, M]
  const loadA = transA
    ? `let r = e % ${bm}u; let kk = e / ${bm}u; let gi = row0 + r; let gk = k0 + kk;
      var x = 0.0; if (gi < M && gk < K) { x = ${at('a', 'gk * M + gi')}; }`
    : `let kk = e % ${bk}u; let r = e / ${bk}u; let gi = row0 + r; let gk = k0 + kk;
      var x = 0.0; if (gi < M && gk < K) { x = ${at('a', 'gi * K + gk')}; }`;
  const loadB = transB
    ? `let kk = e % ${bk}u; let c = e / ${bk}u; let gj = col0 + c; let gk = k0 + kk;
      var x = 0.0; if (gj < N && gk < K) { x = ${at('b', 'gj * K + gk')}; }`
    : `let c = e % ${bn}u; let kk = e / ${bn}u; let gj = col0 + c; let gk = k0 + kk;
      var x = 0.0; if (gj < N && gk < K) { x = ${at('b', 'gk * N + gj')}; }`;
  const pad = tile.vec4 ? 4 : 1; // padding per row of the A slice, in floats (vec4 rows must stay aligned)
  const aRow = bm + pad;
  const body = tile.vec4 ? vec4Body : scalarBody;
  return `${PARAM_PRELUDE}
${ops.bindings}
${body(tile, loadA, loadB, aRow, ops)}`;
};

/** The workgroup's preamble: its corner of C, the threads' indices, the operands' heap offsets. */
function head(tile: MatmulTile, ops: Operands<'a' | 'b' | 'out'>): string {
  return `@compute @workgroup_size(${tile.bn / tile.tn}, ${tile.bm / tile.tm})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let M = ${P_MATMUL.get('M')};
  let K = ${P_MATMUL.get('K')};
  let N = ${P_MATMUL.get('N')};
  ${ops.offsets}
  let row0 = wid.y * ${tile.bm}u;
  let col0 = wid.x * ${tile.bn}u;`;
}

/** The copy of one K-slice of A and B into workgroup memory, `store` placing x at (kk, r) / (kk, c). */
function slice(tile: MatmulTile, loadA: string, loadB: string, storeA: string, storeB: string): string {
  const threads = (tile.bn / tile.tn) * (tile.bm / tile.tm);
  return `for (var e = li; e < ${tile.bm * tile.bk}u; e = e + ${threads}u) {
      ${loadA}
      ${storeA}
    }
    for (var e = li; e < ${tile.bk * tile.bn}u; e = e + ${threads}u) {
      ${loadB}
      ${storeB}
    }
    workgroupBarrier();`;
}

/** Scalar reads: thread rows lid.y + r·TY and columns lid.x + c·TX, one accumulator each. */
function scalarBody(tile: MatmulTile, loadA: string, loadB: string, aRow: number, ops: Operands<'a' | 'b' | 'out'>): string {
  const at = ops.at;
  const { bm, bn, bk, tm, tn } = tile;
  const tx = bn / tn, ty = bm / tm;
  const rows = Array.from({ length: tm }, (_, r) => r);
  const cols = Array.from({ length: tn }, (_, c) => c);
  return `// one padding word per row of the A slice keeps the depth-fastest copy free of bank conflicts
var<workgroup> As: array<f32, ${bk * aRow}>;
var<workgroup> Bs: array<f32, ${bk * bn}>;
${head(tile, ops)}
  ${rows.flatMap((r) => cols.map((c) => `var acc${r}_${c} = 0.0;`)).join(' ')}
  for (var k0 = 0u; k0 < K; k0 = k0 + ${bk}u) {
    ${slice(tile, loadA, loadB, `As[kk * ${aRow}u + r] = x;`, `Bs[kk * ${bn}u + c] = x;`)}
    for (var kk = 0u; kk < ${bk}u; kk = kk + 1u) {
      ${rows.map((r) => `let a${r} = As[kk * ${aRow}u + lid.y + ${r * ty}u];`).join(' ')}
      ${cols.map((c) => `let b${c} = Bs[kk * ${bn}u + lid.x + ${c * tx}u];`).join(' ')}
      ${rows.map((r) => cols.map((c) => `acc${r}_${c} = fma(a${r}, b${c}, acc${r}_${c});`).join(' ')).join('\n      ')}
    }
    workgroupBarrier();
  }
  ${rows.map((r) => `{ let i = row0 + lid.y + ${r * ty}u; if (i < M) {
    ${cols.map((c) => `{ let j = col0 + lid.x + ${c * tx}u; if (j < N) { ${at('out', 'i * N + j')} = acc${r}_${c}; } }`).join(' ')}
  } }`).join('\n  ')}
}`;
}

/**
 * vec4 reads: thread row run p covers rows 4·(p·TY + lid.y) + 0…3, column run q covers
 * columns 4·(q·TX + lid.x) + 0…3; accumulator acc{row}_{q} holds 4 adjacent columns.
 */
function vec4Body(tile: MatmulTile, loadA: string, loadB: string, aRow: number, ops: Operands<'a' | 'b' | 'out'>): string {
  const at = ops.at;
  const { bm, bn, bk, tm, tn } = tile;
  const tx = bn / tn, ty = bm / tm;
  const rowRuns = Array.from({ length: tm / 4 }, (_, p) => p);
  const colRuns = Array.from({ length: tn / 4 }, (_, q) => q);
  const rows = rowRuns.flatMap((p) => [0, 1, 2, 3].map((l) => ({ p, l, name: `${p}_${l}` })));
  const lane = ['x', 'y', 'z', 'w'];
  return `// the A slice is k-major with 4 floats of padding per row: rows stay vec4-aligned, the copy avoids bank conflicts
var<workgroup> As: array<vec4<f32>, ${(bk * aRow) / 4}>;
var<workgroup> Bs: array<vec4<f32>, ${(bk * bn) / 4}>;
${head(tile, ops)}
  ${rows.flatMap((r) => colRuns.map((q) => `var acc${r.name}_${q} = vec4<f32>(0.0);`)).join(' ')}
  for (var k0 = 0u; k0 < K; k0 = k0 + ${bk}u) {
    ${slice(tile, loadA, loadB, `As[(kk * ${aRow}u + r) >> 2u][r & 3u] = x;`, `Bs[(kk * ${bn}u + c) >> 2u][c & 3u] = x;`)}
    for (var kk = 0u; kk < ${bk}u; kk = kk + 1u) {
      ${rowRuns.map((p) => `let a${p} = As[kk * ${aRow / 4}u + ${p * ty}u + lid.y];`).join(' ')}
      ${colRuns.map((q) => `let b${q} = Bs[kk * ${bn / 4}u + ${q * tx}u + lid.x];`).join(' ')}
      ${rows.map((r) => colRuns.map((q) => `acc${r.name}_${q} = fma(vec4<f32>(a${r.p}.${lane[r.l]}), b${q}, acc${r.name}_${q});`).join(' ')).join('\n      ')}
    }
    workgroupBarrier();
  }
  ${rows.map((r) => `{ let i = row0 + 4u * (${r.p * ty}u + lid.y) + ${r.l}u; if (i < M) {
    ${colRuns.map((q) => `{ let j = col0 + 4u * (${q * tx}u + lid.x); let v = acc${r.name}_${q};
      ${[0, 1, 2, 3].map((l) => `if (j + ${l}u < N) { ${at('out', `i * N + j + ${l}u`)} = v.${lane[l]}; }`).join(' ')} }`).join('\n    ')}
  } }`).join('\n  ')}
}`;
}

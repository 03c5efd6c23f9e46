/**
 * The `webgpu` backend's matmul, C = op(A)·op(B), generated per tile shape.
 *
 * Each workgroup computes a BM × BN tile of C. It walks K in slices of BK: the
 * threads copy a BM × BK slice of A and a BK × BN slice of B into workgroup memory
 * (zeros past the matrix edges), wait, and then each thread multiplies out its own
 * TM × TN register tile — an outer product of TM values of A and TN values of B per
 * k, TM·TN fused multiply-adds for TM + TN workgroup-memory loads. A thread's rows
 * are strided by the number of thread rows (and its columns likewise), so adjacent
 * threads read adjacent words. Transposed operands are read in place: only the
 * index arithmetic of the copy into workgroup memory changes, chosen so that adjacent
 * threads read adjacent addresses of global memory in all four cases.
 */
import { PARAM_PRELUDE } from './wgsl.js';

/** A tile shape: BM × BN outputs per workgroup, BK-deep slices, TM × TN outputs per thread. */
export interface MatmulTile { bm: number; bn: number; bk: number; tm: number; tn: number }

/** 64 × 64 tiles, 4 × 4 per thread (256 threads): enough workgroups for the small matrices of training. */
export const SMALL_TILE: MatmulTile = { bm: 64, bn: 64, bk: 16, tm: 4, tn: 4 };
/** 128 × 128 tiles, 8 × 8 per thread (256 threads): twice the arithmetic per load, for big matrices. */
export const LARGE_TILE: MatmulTile = { bm: 128, bn: 128, bk: 8, tm: 8, tn: 8 };

/** The named tiles, for benchmarks that compare them. */
export const MATMUL_TILES = { small: SMALL_TILE, large: LARGE_TILE } as const;
/** The name of a tile shape, or `auto` to choose by the output's size. */
export type MatmulTileName = keyof typeof MATMUL_TILES | 'auto';

/**
 * `large` once the output has at least 256 large tiles (so every multiprocessor of a
 * big card still gets a few), `small` below.
 */
export function chooseTile(m: number, n: number, name: MatmulTileName = 'auto'): MatmulTile {
  if (name !== 'auto') return MATMUL_TILES[name];
  const big = Math.ceil(m / LARGE_TILE.bm) * Math.ceil(n / LARGE_TILE.bn);
  return big >= 256 ? LARGE_TILE : SMALL_TILE;
}

/** WGSL of the matmul kernel for one tile shape and transpose case; params [M, K, N]. */
export function matmulSource(tile: MatmulTile, transA: boolean, transB: boolean): string {
  const { bm, bn, bk, tm, tn } = tile;
  const tx = bn / tn; // thread columns
  const ty = bm / tm; // thread rows
  const threads = tx * ty;
  // A slice element e → (row r, depth kk): depth fastest when A is row-major [M, K], row fastest when stored [K, M]
  const loadA = transA
    ? `let r = e % ${bm}u; let kk = e / ${bm}u; let gi = row0 + r; let gk = k0 + kk;
      var x = 0.0; if (gi < M && gk < K) { x = a[gk * M + gi]; }`
    : `let kk = e % ${bk}u; let r = e / ${bk}u; let gi = row0 + r; let gk = k0 + kk;
      var x = 0.0; if (gi < M && gk < K) { x = a[gi * K + gk]; }`;
  const loadB = transB
    ? `let kk = e % ${bk}u; let c = e / ${bk}u; let gj = col0 + c; let gk = k0 + kk;
      var x = 0.0; if (gj < N && gk < K) { x = b[gj * K + gk]; }`
    : `let c = e % ${bn}u; let kk = e / ${bn}u; let gj = col0 + c; let gk = k0 + kk;
      var x = 0.0; if (gj < N && gk < K) { x = b[gk * N + gj]; }`;
  const rows = Array.from({ length: tm }, (_, r) => r);
  const cols = Array.from({ length: tn }, (_, c) => c);
  const accs = rows.flatMap((r) => cols.map((c) => `acc${r}_${c}`));
  return `${PARAM_PRELUDE}
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
// one padding word per row of the A slice keeps the depth-fastest copy free of bank conflicts
var<workgroup> As: array<f32, ${bk * (bm + 1)}>;
var<workgroup> Bs: array<f32, ${bk * bn}>;
@compute @workgroup_size(${tx}, ${ty})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let M = pu(0u);
  let K = pu(1u);
  let N = pu(2u);
  let row0 = wid.y * ${bm}u;
  let col0 = wid.x * ${bn}u;
  ${accs.map((v) => `var ${v} = 0.0;`).join(' ')}
  for (var k0 = 0u; k0 < K; k0 = k0 + ${bk}u) {
    for (var e = li; e < ${bm * bk}u; e = e + ${threads}u) {
      ${loadA}
      As[kk * ${bm + 1}u + r] = x;
    }
    for (var e = li; e < ${bk * bn}u; e = e + ${threads}u) {
      ${loadB}
      Bs[kk * ${bn}u + c] = x;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${bk}u; kk = kk + 1u) {
      ${rows.map((r) => `let a${r} = As[kk * ${bm + 1}u + lid.y + ${r * ty}u];`).join(' ')}
      ${cols.map((c) => `let b${c} = Bs[kk * ${bn}u + lid.x + ${c * tx}u];`).join(' ')}
      ${rows.map((r) => cols.map((c) => `acc${r}_${c} = fma(a${r}, b${c}, acc${r}_${c});`).join(' ')).join('\n      ')}
    }
    workgroupBarrier();
  }
  ${rows.map((r) => `{ let i = row0 + lid.y + ${r * ty}u; if (i < M) {
    ${cols.map((c) => `{ let j = col0 + lid.x + ${c * tx}u; if (j < N) { out[i * N + j] = acc${r}_${c}; } }`).join(' ')}
  } }`).join('\n  ')}
}`;
}

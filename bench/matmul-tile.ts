/**
 * The matmul tile search (packages/kernels/README.md, "Matmul tile search"): builds the
 * relaxed-SIMD gemm with each candidate register tile from wat.ts, checks it against a
 * float64 product, and times it on one thread at the MLP shapes in all four transpose
 * cases, rounds interleaved across tiles, medians reported with each tile's ratio to the
 * first (the current tile). Run it on the runtime to tune for, e.g. Node 24:
 *   node --import tsx bench/matmul-tile.ts [--rounds=5] [--tiles=4x8,6x8,4x12] [--plain]
 * (`--plain` times the non-relaxed build instead).
 */
import { gemmTile, watSource, type GemmTile } from '../packages/kernels/dist/wasm/wat.js';
import { KERNELS, argsOf } from '../packages/kernels/dist/wasm/signatures.js';
// @ts-expect-error: a plain .mjs dev script, untyped
import { assemble } from '../packages/kernels/scripts/assemble-wasm.mjs';
import { median, relErr, seeded } from './harness.js';

interface Product { name: string; m: number; k: number; n: number; ta: boolean; tb: boolean }
const argv = process.argv.slice(2);
const opt = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const rounds = Number(opt('rounds') ?? 5);
const relaxed = !argv.includes('--plain');
const base = gemmTile(relaxed);
/** "MRxNR[uU][kKC]": MC, NC rounded down to multiples of the tile. */
const parseTile = (s: string): GemmTile => {
  const [, mr, nr, u, kc] = /^(\d+)x(\d+)(?:u(\d+))?(?:k(\d+))?$/.exec(s) ?? [];
  if (!mr) throw new Error(`matmul-tile: bad tile "${s}" (want e.g. 6x8, 4x8u2 or 6x8k384)`);
  const MR = Number(mr), NR = Number(nr), MC = 128 - (128 % MR), NC = 512 - (512 % NR);
  return { ...base, MR, NR, UNROLL: Number(u ?? 1), KC: Number(kc ?? 256), MC, NC };
};
const tiles = (opt('tiles') ?? `${base.MR}x${base.NR},6x8,4x12`).split(',').map((s) => ({ label: s, tile: parseTile(s) }));

/** Forward X·W of each MLP layer shape, then its gradient products and the fourth transpose case. */
const products: Product[] = ([[200, 784, 500], [400, 13, 500], [400, 500, 500]] as const).flatMap(([m, k, n]) => [
  { name: `NN ${m}×${k}·${k}×${n}`, m, k, n, ta: false, tb: false },
  { name: `TN ∂W ${k}×${m}·${m}×${n}`, m: k, k: m, n, ta: true, tb: false },
  { name: `NT ∂X ${m}×${n}·${n}×${k}`, m, k: n, n: k, ta: false, tb: true },
  { name: `TT ${m}×${k}·${k}×${n}`, m, k, n, ta: true, tb: true },
]);

const MAX = 784 * 500;
const memory = new WebAssembly.Memory({ initial: 256, maximum: 65536 });
const f32 = () => new Float32Array(memory.buffer);
// layout: A, B, C (MAX floats each, 16 bytes slack), then scratch
const [pA, pB, pC, pS] = [0, 1, 2, 3].map((i) => 1024 + i * (4 * MAX + 64));
const runners = await Promise.all(tiles.map(async ({ label, tile }) => {
  const bytes = await assemble(watSource({ shared: false, relaxed, tile }));
  const instance = await WebAssembly.instantiate(await WebAssembly.compile(bytes), { env: { memory } });
  const gemm = instance.exports[KERNELS.gemm.export] as (...a: number[]) => void;
  return { label, tile, gemm };
}));
const need = pS + 4 * (1 << 20);
if (memory.buffer.byteLength < need) memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536));

/** Writes p's inputs to the heap and returns the float64 product, op(A)·op(B). */
function prepare(p: Product): Float64Array {
  const a = seeded(p.m * p.k, 1), b = seeded(p.k * p.n, 2);
  f32().set(a, pA / 4); f32().set(b, pB / 4);
  const A = Float32Array.from(a), B = Float32Array.from(b);
  const ref = new Float64Array(p.m * p.n);
  for (let i = 0; i < p.m; i++) for (let q = 0; q < p.k; q++) {
    const x = A[p.ta ? q * p.m + i : i * p.k + q]!;
    for (let j = 0; j < p.n; j++) ref[i * p.n + j]! += x * B[p.tb ? j * p.k + q : q * p.n + j]!;
  }
  return ref;
}
const call = (gemm: (...a: number[]) => void, p: Product) => {
  const [ars, acs] = p.ta ? [1, p.m] : [p.k, 1];
  const [brs, bcs] = p.tb ? [1, p.k] : [p.n, 1];
  gemm(...argsOf(KERNELS.gemm, { a: pA, ars, acs, b: pB, brs, bcs, c: pC, ldc: p.n, k: p.k, i0: 0, i1: p.m, j0: 0, j1: p.n, scratch: pS }));
};

const times = new Map<string, number[]>();
for (const p of products) {
  const ref = prepare(p);
  for (const r of runners) {
    call(r.gemm, p);
    const err = relErr(f32().subarray(pC / 4, pC / 4 + p.m * p.n), ref);
    if (!(err <= 1e-5)) throw new Error(`matmul-tile: tile ${r.label} ${p.name}: relative error ${err}`);
  }
}
for (let round = 0; round < rounds; round++) {
  for (const p of products) {
    prepare(p);
    // interleave: each tile in turn, rotated each round, several calls each
    for (let t = 0; t < runners.length; t++) {
      const r = runners[(t + round) % runners.length]!;
      const w0 = performance.now();
      while (performance.now() - w0 < 30) call(r.gemm, p);
      const xs: number[] = [];
      for (let i = 0; i < 5; i++) { const t0 = performance.now(); call(r.gemm, p); xs.push(performance.now() - t0); }
      const key = `${r.label}|${p.name}`;
      times.set(key, [...(times.get(key) ?? []), median(xs)]);
    }
  }
}
console.log(`node ${process.version}, ${relaxed ? 'relaxed' : 'plain'} build, 1 thread, ${rounds} interleaved rounds, medians (GFLOP/s, ratio to ${runners[0]!.label})`);
console.log(`| product | ${runners.map((r) => r.label).join(' | ')} |`);
console.log(`| --- | ${runners.map(() => '---').join(' | ')} |`);
for (const p of products) {
  const gf = runners.map((r) => (2 * p.m * p.k * p.n) / (median(times.get(`${r.label}|${p.name}`)!) * 1e6));
  console.log(`| ${p.name} | ${gf.map((g, i) => (i === 0 ? g.toFixed(1) : `${g.toFixed(1)} (${(g / gf[0]!).toFixed(2)}×)`)).join(' | ')} |`);
}

/**
 * The wasm backend's own facts: the committed Wasm bytes are what the generator
 * (src/wasm/wat.ts) and the assembler produce today, the heap's size classes,
 * the thread split, and start-up options.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend, WasmBackend, type Backend, type BackendBuffer } from '@psilon/kernels';
import { relErr } from './helpers/random.js';
import { GEMM, GEMM_RELAXED, GEMM_SCRATCH_BYTES, gemmScratchBytes, watSource } from '../packages/kernels/src/wasm/wat.js';
import { WASM_MODULES } from '../packages/kernels/src/wasm/binary.js';
import { sizeClass } from '../packages/kernels/src/wasm/heap.js';
import { KERNELS, argsOf, type KernelHead } from '../packages/kernels/src/wasm/signatures.js';
// @ts-expect-error: a plain .mjs build script without type declarations
import { assemble, binarySource } from '../packages/kernels/scripts/assemble-wasm.mjs';
import { readFileSync } from 'node:fs';

describe('wasm backend', () => {
  it('the committed binary.ts matches the WAT generator (run `pnpm --filter @psilon/kernels wasm` after changing it)', async () => {
    const fresh = await (binarySource as (w: typeof watSource) => Promise<string>)(watSource);
    const committed = readFileSync(new URL('../packages/kernels/src/wasm/binary.ts', import.meta.url), 'utf8');
    expect(committed === fresh, 'src/wasm/binary.ts is stale').toBe(true);
    for (const [name, b64] of Object.entries(WASM_MODULES)) {
      if (!name.includes('Relaxed')) expect(WebAssembly.validate(Buffer.from(b64, 'base64')), name).toBe(true);
    }
  });

  it('every exported kernel is declared once in signatures.ts, with as many parameters as its declaration names', async () => {
    const mod = await WebAssembly.compile(Buffer.from(WASM_MODULES.unshared, 'base64'));
    const inst = await WebAssembly.instantiate(mod, { env: { memory: new WebAssembly.Memory({ initial: 1, maximum: 65536 }) } });
    const declared = new Map<string, KernelHead>();
    const visit = (x: unknown): void => {
      if (x && typeof x === 'object' && 'export' in x && 'sig' in x) { const k = x as KernelHead; expect(declared.has(k.export), k.export).toBe(false); declared.set(k.export, k); }
      else if (x && typeof x === 'object') Object.values(x).forEach(visit);
    };
    visit(KERNELS);
    const exported = WebAssembly.Module.exports(mod).filter((e) => e.kind === 'function').map((e) => e.name);
    expect(exported.sort()).toEqual([...declared.keys()].sort());
    for (const [name, k] of declared) expect((inst.exports[name] as (...a: number[]) => void).length, name).toBe(Object.keys(k.sig).length);
  });

  it('the relaxed build\'s matmul tile, emitted without relaxed SIMD so every runtime runs it, matches float64 in all four transpose cases', async () => {
    // Node 20 cannot run the relaxed build, so its tile (GEMM_RELAXED, not GEMM's 4 × 8) is checked in the plain build here
    expect(GEMM_RELAXED).not.toEqual(GEMM);
    expect(GEMM_SCRATCH_BYTES).toBe(Math.max(gemmScratchBytes(GEMM), gemmScratchBytes(GEMM_RELAXED)));
    const bytes = await (assemble as (t: string) => Promise<Uint8Array<ArrayBuffer>>)(watSource({ shared: false, relaxed: false, tile: GEMM_RELAXED }));
    const memory = new WebAssembly.Memory({ initial: 256, maximum: 65536 });
    const instance = await WebAssembly.instantiate(await WebAssembly.compile(bytes), { env: { memory } });
    const gemm = instance.exports[KERNELS.gemm.export] as (...a: number[]) => void;
    const MAX = 1 << 20, [pA, pB, pC, pS] = [0, 1, 2, 3].map((i) => i * 4 * (MAX + 16));
    let seed = 7;
    const rand = (n: number) => Float32Array.from({ length: n }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 31) - 1);
    // edge tiles in rows and columns, k past one KC panel, m past one MC block, n past one NC block
    for (const [m, k, n] of [[1, 1, 1], [7, 33, 5], [13, 300, 9], [131, 600, 261], [11, 260, 530]] as const) for (const ta of [false, true]) for (const tb of [false, true]) {
      const A = rand(m * k), B = rand(k * n), heap = new Float32Array(memory.buffer);
      heap.set(A, pA / 4); heap.set(B, pB / 4);
      const [ars, acs] = ta ? [1, m] : [k, 1];
      const [brs, bcs] = tb ? [1, k] : [n, 1];
      gemm(...argsOf(KERNELS.gemm, { a: pA, ars, acs, b: pB, brs, bcs, c: pC, ldc: n, k, i0: 0, i1: m, j0: 0, j1: n, scratch: pS }));
      const ref = new Float64Array(m * n);
      for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) ref[i * n + j]! += A[ars * i + acs * p]! * B[brs * p + bcs * j]!;
      expect(relErr(heap.subarray(pC / 4, pC / 4 + m * n), ref), `${m}×${k}·${k}×${n} ta=${ta} tb=${tb}`).toBeLessThan(1e-5);
    }
    // packA writes whole MR-row panels: a row block MC that MR does not divide would overrun packed A
    expect(() => watSource({ shared: false, relaxed: true, tile: { ...GEMM_RELAXED, MC: GEMM_RELAXED.MR * 25 + 1 } })).toThrow(/bad matmul tile/);
  });

  it('size classes: multiples of 64 bytes with 16 bytes of slack, at most 25% over the request', () => {
    for (const n of [0, 1, 3, 4, 60, 61, 100, 1000, 4097, 250_000, 1 << 20]) {
      const c = sizeClass(n);
      expect(c % 64).toBe(0);
      expect(c).toBeGreaterThanOrEqual(4 * n + 16);
      if (n > 64) expect(c).toBeLessThanOrEqual(1.25 * (4 * n + 16));
    }
  });

  it('rejects bad thread counts and float64, and says how many threads run', async () => {
    await expect(WasmBackend.create({ threads: 0 })).rejects.toThrow(/threads must be a positive integer, got 0/);
    const be = await WasmBackend.create({ threads: 2 });
    try {
      expect(be.threads).toBe(2);
      expect(be.description).toMatch(/2 threads/);
      expect(() => be.fill(3, 0, 'float64')).toThrow(/float64 is not supported .* use the 'cpu' backend/);
    } finally { await be.dispose(); }
  });

  it('memory growth in the middle of a kernel (1 thread: growth detaches the old buffer) changes no result', async () => {
    const be = await WasmBackend.create({ threads: 1 });
    const cpu = new CpuBackend();
    const keep: BackendBuffer[] = [];
    try {
      for (let i = 0; i < 60; i++) {
        // outputs are kept, so the heap keeps growing, and some growth lands inside one of these calls
        const [rows, cols] = [40 + 13 * i, 30 + 7 * i];
        const x = Float64Array.from({ length: rows * cols }, (_, k) => Math.sin(k + i) + 0.01);
        const g = Float64Array.from({ length: cols }, (_, k) => 1 + k / cols);
        const spec = { inDim: rows, outDim: cols, kind: 'l1' as const, shared: false };
        const run = (b: Backend, dtype: 'float32' | 'float64') => {
          const X = b.upload(x, dtype), G = b.upload(g, dtype);
          const c = b.cast(X, dtype), cat = b.concat([X, c], [[rows, cols], [rows, cols]], 0);
          const f = b.weightNorm!([X], G, spec);
          const d = b.weightNormBackward!([c], [X], G, f.norms, spec);
          const outs = [c, cat, ...f.w, f.norms, ...d.dv, d.dg];
          const host = outs.map((o) => Array.from(b.readSync(o)));
          if (b === be) keep.push(X, G, ...outs);
          return host;
        };
        const got = run(be, 'float32'), want = run(cpu, 'float64');
        got.forEach((a, k) => expect(relErr(a, want[k]!), `output ${k} at step ${i}`).toBeLessThan(1e-4));
      }
    } finally {
      for (const b of keep) be.free(b);
      await be.dispose();
    }
  });

  it('a process with live workers exits on its own after dispose() (and even without it)', async () => {
    const { spawnSync } = await import('node:child_process');
    const url = new URL('../packages/kernels/dist/wasm/index.js', import.meta.url).href;
    for (const body of ['await be.dispose();', '']) {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e',
        `import { WasmBackend } from '${url}'; const be = await WasmBackend.create({ threads: 2 }); be.readSync(be.upload([1], 'float32')); ${body} console.log('ok');`],
      { encoding: 'utf8', timeout: 20_000 });
      expect(r.stdout.trim()).toBe('ok');
      expect(r.status).toBe(0);
    }
  });
});

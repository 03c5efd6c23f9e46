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

describe('wasm threads: hand-offs', () => {
  const rnd = (n: number, seed: number) => { let s = seed; return Float32Array.from({ length: n }, () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 31) - 1); };
  /** Hand-offs that `f` caused on `be`. */
  const handoffs = (be: WasmBackend, f: () => void) => { const a = be.threadStats().handoffs; f(); return be.threadStats().handoffs - a; };
  const mm = (be: WasmBackend, m: number, k: number, n: number) => {
    const a = be.upload(rnd(m * k, 1), 'float32'), b = be.upload(rnd(k * n, 2), 'float32');
    return () => { const c = be.matmul(a, b, m, k, n, false, false); be.free(c); };
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('small kernels never touch the pool; large ones do; mid-sized ones only while the workers are awake', async () => {
    const be = await WasmBackend.create({ threads: 3, spinUs: 0 }); // spin 0: a worker sleeps as soon as it is idle
    try {
      const x = be.upload(rnd(1000, 3), 'float32');
      expect(handoffs(be, () => { mm(be, 16, 16, 16)(); be.free(be.unary('relu', x)); be.free(be.binary('add', x, [1000], x, [1000], [1000])); })).toBe(0);
      const [p, g, m, v] = [0, 1, 2, 3].map((i) => be.upload(rnd(1000, 10 + i), 'float32'));
      be.adamStepInPlace(p!, g!, m!, v!, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, bc1: 0.1, bc2: 0.001 });
      expect(be.threadStats().handoffs).toBe(0);
      // m·k·n = 2²⁴ multiply-adds and 2²² elements: past the wake thresholds, so always split
      expect(handoffs(be, mm(be, 256, 256, 256))).toBe(1);
      const big = be.upload(rnd(1 << 22, 4), 'float32');
      expect(handoffs(be, () => be.free(be.unary('relu', big)))).toBe(1);
      // 160³ ≈ 2²² multiply-adds: split for awake workers only; these are asleep (no spin)
      await sleep(50);
      expect(handoffs(be, mm(be, 160, 160, 160))).toBe(0);
    } finally { await be.dispose(); }
    const awake = await WasmBackend.create({ threads: 3, spinUs: 500_000 }); // workers spin half a second after each kernel
    try {
      mm(awake, 256, 256, 256)();
      expect(handoffs(awake, mm(awake, 160, 160, 160))).toBe(1);
      expect(awake.threadStats().spinUs).toBe(500_000);
    } finally { await awake.dispose(); }
  });

  it('results are the same bit for bit on 1 and 3 threads, whoever runs each job', async () => {
    const force = { gemm: 0, elements: 0, gemmWake: 0, elementsWake: 0 };
    const one = await WasmBackend.create({ threads: 1 });
    const three = await WasmBackend.create({ threads: 3, parallelMin: force, spinUs: 0 });
    try {
      const run = (be: WasmBackend) => {
        const out: Float32Array[] = [];
        for (const [m, k, n] of [[67, 45, 33], [33, 70, 129], [301, 260, 9]] as const) {
          for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
            const a = be.upload(rnd(m * k, m), 'float32'), b = be.upload(rnd(k * n, n), 'float32');
            out.push(be.readSync(be.matmul(a, b, m, k, n, ta, tb)) as Float32Array);
          }
        }
        const x = be.upload(rnd(271 * 37, 5), 'float32'), y = be.upload(rnd(37, 6), 'float32');
        out.push(be.readSync(be.unary('relu', x)) as Float32Array);
        out.push(be.readSync(be.binary('mul', x, [271, 37], y, [37], [271, 37])) as Float32Array);
        const wn = be.weightNorm([x], be.upload([0.7], 'float32'), { inDim: 271, outDim: 37, kind: 'l1', shared: true });
        out.push(be.readSync(wn.w[0]!) as Float32Array, be.readSync(wn.norms) as Float32Array);
        const [p, g, m, v] = [0, 1, 2, 3].map((i) => be.upload(rnd(10007, 20 + i), 'float32'));
        be.adamStepInPlace(p!, g!, m!, v!, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, bc1: 0.271, bc2: 0.003 });
        out.push(...[p, m, v].map((b) => be.readSync(b!) as Float32Array));
        return out;
      };
      const want = run(one);
      const before = three.threadStats();
      const got = run(three);
      got.forEach((o, i) => expect(Buffer.from(o.buffer).equals(Buffer.from(want[i]!.buffer)), `output ${i}`).toBe(true));
      expect(three.threadStats().handoffs - before.handoffs).toBe(17); // 12 matmuls, relu, mul, the weight norm's 2 passes, Adam
      // different kernels back to back (a worker may still be finishing one while the next is posted)
      const a = [one, three].map((be) => [be.upload(rnd(33 * 70, 8), 'float32'), be.upload(rnd(70 * 129, 9), 'float32')] as const);
      for (let i = 0; i < 100; i++) {
        const [c1, c3] = [one, three].map((be, j) => be.readSync(be.unary('relu', be.matmul(a[j]![0], a[j]![1], 33, 70, 129, i % 2 === 1, false))));
        expect(Buffer.from(c3!.buffer).equals(Buffer.from(c1!.buffer)), `round ${i}`).toBe(true);
      }
      // awake workers run jobs at the same time as the caller, each on its own packing scratch
      const awake = await WasmBackend.create({ threads: 3, spinUs: 200_000 });
      try {
        for (const [m, k, n, ta, tb] of [[300, 280, 260, false, false], [260, 300, 280, true, true], [64, 300, 600, false, true]] as const) {
          const [c1, c3] = [one, awake].map((be) => be.readSync(be.matmul(be.upload(rnd(m * k, 30), 'float32'), be.upload(rnd(k * n, 31), 'float32'), m, k, n, ta, tb)));
          expect(Buffer.from(c3!.buffer).equals(Buffer.from(c1!.buffer)), `${m}×${k}×${n}`).toBe(true);
        }
        expect(awake.threadStats().jobs - awake.threadStats().byCaller).toBeGreaterThan(0);
      } finally { await awake.dispose(); }
      // tiny kernels handed to sleeping workers: the caller runs the jobs nobody has claimed, with the same result
      const x = three.upload(rnd(64, 7), 'float32');
      const ref = one.readSync(one.unary('relu', one.upload(rnd(64, 7), 'float32')));
      const s0 = three.threadStats().byCaller;
      for (let i = 0; i < 200; i++) expect(three.readSync(three.unary('relu', x))).toEqual(ref);
      expect(three.threadStats().byCaller).toBeGreaterThan(s0);
    } finally { await one.dispose(); await three.dispose(); }
  });

  it('refuses a bad spin time', async () => {
    await expect(WasmBackend.create({ threads: 2, spinUs: -1 })).rejects.toThrow(/spinUs must be between 0 and 10⁶ µs, got -1/);
  });
});

/**
 * The wasm backend's own facts: the committed Wasm bytes are what the generator
 * (src/wasm/wat.ts) and the assembler produce today, the heap's size classes,
 * the thread split, and start-up options.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend, WasmBackend, type Backend, type BackendBuffer } from '@psilon/kernels';
import { relErr } from './helpers/random.js';
import { watSource } from '../packages/kernels/src/wasm/wat.js';
import { WASM_MODULES } from '../packages/kernels/src/wasm/binary.js';
import { sizeClass } from '../packages/kernels/src/wasm/heap.js';
import { KERNELS, type KernelHead } from '../packages/kernels/src/wasm/signatures.js';
// @ts-expect-error: a plain .mjs build script without type declarations
import { binarySource } from '../packages/kernels/scripts/assemble-wasm.mjs';
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

/**
 * What is particular to the `webgpu` backend, beyond the shared suites it runs with every
 * other backend (helpers/backends.ts): both matmul tiles at their edges, grids past the
 * 65,535-workgroup limit of one axis, the device's size limit, and one submission per
 * training step. Runs over the software Vulkan driver in CI (required there).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as C from '@psilon/core';
import { CpuBackend, MATMUL_TILES, WebGpuBackend, type BackendBuffer } from '@psilon/kernels';
import { relErr, rng, uniform } from './helpers/random.js';

const ref = new CpuBackend();
let be: WebGpuBackend | undefined;
let why = '';

beforeAll(async () => { try { be = await WebGpuBackend.create(); } catch (e) { why = (e as Error).message; } });
afterAll(async () => { await be?.dispose(); });

/** The backend, or a skip (a failure under CI, where the software driver is installed). */
function gpu(ctx: { skip: (note?: string) => void }): WebGpuBackend {
  if (!be) {
    if (process.env.CI) throw new Error(`webgpu must run in CI: ${why}`);
    ctx.skip(`webgpu did not start: ${why}`);
  }
  return be!;
}

describe('webgpu backend', () => {
  it('names the adapter it runs on', (ctx) => {
    const g = gpu(ctx);
    expect(g.description).toMatch(/^webgpu \(WGSL\) on \S/);
  });

  for (const tile of Object.keys(MATMUL_TILES) as (keyof typeof MATMUL_TILES)[]) {
    it(`matmul with the ${tile} tile: four transpose cases at tile edges, K ≫ M`, async (ctx) => {
      const g0 = gpu(ctx);
      const g = await WebGpuBackend.create({ matmulTile: tile });
      try {
        const r = rng(tile.length);
        expect(g.description).toContain('webgpu');
        for (const [m, k, n] of [[1, 1, 1], [129, 7, 131], [257, 33, 1], [3, 1000, 5], [65, 129, 127]] as const) {
          for (const ta of [false, true]) for (const tb of [false, true]) {
            const a = uniform(r, m * k), b = uniform(r, k * n);
            const got = await g.read(g.matmul(g.upload(a, 'float32'), g.upload(b, 'float32'), m, k, n, ta, tb));
            const want = ref.readSync(ref.matmul(ref.upload(a, 'float64'), ref.upload(b, 'float64'), m, k, n, ta, tb));
            expect(relErr(got, want), `${m}×${k}×${n} ${ta ? 'Aᵀ' : 'A'}${tb ? 'Bᵀ' : 'B'}`).toBeLessThan(1e-5);
          }
        }
        expect(g0.name).toBe('webgpu');
      } finally {
        await g.dispose();
      }
    });
  }

  it('runs grids past 65,535 workgroups on one axis (one thread per element, one workgroup per row)', async (ctx) => {
    const g = gpu(ctx);
    const n = 256 * 65535 + 7; // the output alone fills half of lavapipe's 128 MiB heap
    const x = g.upload([-2], 'float32');
    const y = g.strided(x, [n], [0], 0); // a broadcast copy: one thread per output element
    const got = await g.read(y);
    expect(got.length).toBe(n);
    expect(got[0]).toBe(-2);
    expect(got[n - 1]).toBe(-2);
    expect(got.every((v) => v === -2)).toBe(true);
    for (const b of [x, y]) g.free(b);
    const rows = 70001;
    const s = g.fill(rows * 2, 1, 'float32');
    const sm = await g.read(g.softmax(s, rows, 2, false));
    expect(sm[0]).toBe(0.5);
    expect(sm[2 * rows - 1]).toBe(0.5);
    g.free(s);
  });

  it('opening and disposing backends in a loop under garbage collection leaves the process running (one Dawn instance)', (ctx) => {
    gpu(ctx);
    const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(new URL('./fixtures/dawn-churn.mjs', import.meta.url))], { encoding: 'utf8', timeout: 120_000 });
    expect(r.signal, r.stderr.split('\n').filter((l) => !l.startsWith('Warning: ')).join('\n')).toBeNull();
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('ok');
  }, 150_000);

  it('refuses a software adapter when asked for hardware, before opening a device on it (what auto relies on)', async (ctx) => {
    const g = gpu(ctx);
    if (!/software rasterizer/.test(g.description)) { ctx.skip('this machine has a hardware adapter'); return; }
    await expect(WebGpuBackend.create({ requireHardware: true })).rejects.toThrow(/WebGPU reaches only a software rasterizer \(.+\)/);
  });

  it('refuses a buffer beyond the device limit at the op, naming the size, and stays usable', async (ctx) => {
    const g = gpu(ctx);
    const limit = g.maxElements;
    const live = g.liveBuffers();
    expect(() => g.fill(limit + 1, 0, 'float32')).toThrow(new RegExp(`a buffer of ${limit + 1} floats exceeds this device's largest storage binding \\(${limit} floats\\)`));
    expect(g.liveBuffers()).toBe(live);
    const ok = g.fill(5, 1, 'float32'); // nothing was reserved by the refused request
    expect(Array.from(await g.read(ok))).toEqual([1, 1, 1, 1, 1]);
    g.free(ok);
  });

  it('spreads tensors over several heap chunks when one storage binding cannot hold them all', async (ctx) => {
    const g = gpu(ctx);
    const limit = g.maxElements;
    const n = Math.ceil(limit * 0.6); // two of these never share a chunk
    const a = g.fill(n, 1.5, 'float32');
    const b = g.fill(n, 2, 'float32');
    const s = g.upload([0.25], 'float32'); // back in the first chunk's free space
    const sum = g.binary('add', a, [n], b, [n], [n]); // three operands, three chunks
    const scaled = g.binary('mul', sum, [n], s, [1], [n]);
    const got = await g.read(scaled);
    expect(got[0]).toBe(0.875);
    expect(got[n - 1]).toBe(0.875);
    expect(got.every((v) => v === 0.875)).toBe(true);
    expect(g.heapBytes()).toBeGreaterThan(4 * 4 * n);
    for (const x of [a, b, s, sum, scaled]) g.free(x);
  });

  it('a device error (here a kernel that does not compile) fails the next read-back with its message, and the backend refuses work after it', async (ctx) => {
    gpu(ctx);
    const g = await WebGpuBackend.create();
    try {
      const a = g.upload([1, 2], 'float32');
      const internals = g as unknown as { run: (key: string, src: () => (chunks: readonly number[]) => string, words: number[], bufs: BackendBuffer[], threads: number) => void };
      internals.run('broken', () => () => 'fn main( {', [2], [a], 2);
      await expect(g.read(a)).rejects.toThrow(/webgpu: the device rejected a command: .*/);
      expect(() => g.unary('neg', a)).toThrow(/the device rejected a command/);
    } finally {
      await g.dispose();
    }
  });

  it('a training step is one submission: forward, backward and Adam recorded, one read-back', async (ctx) => {
    const g = gpu(ctx);
    const prev = C.setBackend(g);
    try {
      const rng0 = new C.RNG(1);
      const w = C.randn([9, 5], { rng: rng0, requiresGrad: true });
      const X = C.randn([33, 9], { rng: rng0 });
      const Y = C.randn([33, 5], { rng: rng0 });
      const opt = new C.Adam([w], { lr: 1e-2 });
      const step = async () => {
        const loss = C.tidy(() => {
          opt.zeroGrad();
          const l = C.mse(C.matmul(X, w), Y);
          l.backward();
          opt.step();
          return l;
        });
        await loss.data();
        loss.dispose();
      };
      await step();
      const before = g.stats();
      await step();
      const after = g.stats();
      expect(after.submissions - before.submissions).toBe(1);
      expect(after.dispatches - before.dispatches).toBeGreaterThan(5);
      expect(after.pipelines).toBe(before.pipelines); // nothing recompiled on the second step
      for (const t of [w, X, Y]) t.dispose();
      opt.dispose();
    } finally {
      C.setBackend(prev);
    }
  });

  it('uploads never overwrite a buffer a recorded kernel still has to read', async (ctx) => {
    const g = gpu(ctx);
    // a is read by a recorded kernel, freed, and its memory is the first candidate for the next upload
    const outs: BackendBuffer[] = [];
    for (let i = 0; i < 50; i++) {
      const a = g.upload([i, i, i], 'float32');
      outs.push(g.unary('square', a));
      g.free(a);
    }
    for (let i = 0; i < 50; i++) expect(Array.from(await g.read(outs[i]!))).toEqual([i * i, i * i, i * i]);
    for (const o of outs) g.free(o);
  });
});

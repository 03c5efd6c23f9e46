/** Backend selection: explicit, by environment variable, automatic, and the errors. */
import { afterEach, describe, expect, it } from 'vitest';
import { CpuBackend, createBackend, getBackend, initBackend, setBackend } from '@psilon/kernels';

afterEach(() => { setBackend(new CpuBackend()); delete process.env.PSILON_BACKEND; });

describe('backend selection', () => {
  it('setBackend swaps the active backend and returns the previous one', () => {
    const a = new CpuBackend();
    const prev = setBackend(a);
    expect(getBackend()).toBe(a);
    expect(setBackend(prev)).toBe(a);
  });

  it('initBackend reads PSILON_BACKEND, and an explicit name wins', async () => {
    process.env.PSILON_BACKEND = 'gpujs:cpu';
    const b = await initBackend();
    expect([b.name, b.mode]).toEqual(['gpujs', 'cpu']);
    expect(getBackend()).toBe(b);
    await b.dispose();
    const c = await initBackend('cpu');
    expect(c.name).toBe('cpu');
  });

  it('auto prefers a hardware GPU and otherwise takes wasm, saying why', async () => {
    const b = await createBackend('auto');
    if (b.name === 'webgpu') expect(b.description).not.toMatch(/software rasterizer/);
    else {
      expect(b.name).toBe('wasm');
      expect(b.description).toMatch(/auto chose wasm: (WebGPU would? reach(es)? only a software|no hardware GPU)/);
    }
    await b.dispose();
  });

  it('wasm by name and by PSILON_BACKEND; PSILON_THREADS sets its threads', async () => {
    process.env.PSILON_BACKEND = 'wasm';
    process.env.PSILON_THREADS = '1';
    try {
      const b = await initBackend();
      expect(b.name).toBe('wasm');
      expect(b.description).toMatch(/1 thread\b/);
      await b.dispose();
      process.env.PSILON_THREADS = 'two';
      await expect(createBackend('wasm')).rejects.toThrow(/PSILON_THREADS must be a positive integer, got 'two'/);
    } finally {
      delete process.env.PSILON_THREADS;
    }
  });

  it('gpujs falls back through the modes and names what it fell back from', async () => {
    const b = await createBackend('gpujs');
    expect(['webgpu', 'headlessgl', 'webasm', 'cpu']).toContain(b.mode);
    if (b.mode !== 'webgpu') expect(b.description).toMatch(/fell back from webgpu: /);
    await b.dispose();
  });

  it('unknown names are errors that list the valid ones', async () => {
    await expect(createBackend('cuda')).rejects.toThrow(/unknown backend 'cuda' \(expected auto, cpu, wasm, webgpu, gpujs or gpujs:</);
    await expect(createBackend('gpujs:metal')).rejects.toThrow(/unknown backend 'gpujs:metal'/);
  });
});

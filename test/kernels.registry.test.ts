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

  it('auto prefers a hardware GPU and otherwise says why it chose cpu', async () => {
    const b = await createBackend('auto');
    if (b.name === 'gpujs') expect(b.description).not.toMatch(/software rasterizer/);
    else expect(b.description).toMatch(/auto chose cpu: (WebGPU reaches only a software rasterizer|no hardware GPU)/);
    await b.dispose();
  });

  it('gpujs falls back through the modes and names what it fell back from', async () => {
    const b = await createBackend('gpujs');
    expect(['webgpu', 'headlessgl', 'webasm', 'cpu']).toContain(b.mode);
    if (b.mode !== 'webgpu') expect(b.description).toMatch(/fell back from webgpu: /);
    await b.dispose();
  });

  it('unknown names are errors that list the valid ones', async () => {
    await expect(createBackend('cuda')).rejects.toThrow(/unknown backend 'cuda' \(expected auto, cpu, gpujs or gpujs:</);
    await expect(createBackend('gpujs:metal')).rejects.toThrow(/unknown backend 'gpujs:metal'/);
  });
});

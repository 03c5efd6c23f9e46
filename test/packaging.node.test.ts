/**
 * What differs on newer Node (CI also runs the suite on Node 24, .ci/run): Node ≥ 21
 * defines its own `globalThis.navigator` (a getter, without `gpu`), where gpu.js's
 * webgpu mode needs a `navigator.gpu` from Dawn. Simulated here on older Node.
 */
import { describe, expect, it } from 'vitest';
import { GpuJsBackend } from '@psilon/kernels';

describe('Node ≥ 21', () => {
  it("gpu.js's webgpu mode starts beside Node's own navigator, and puts Node's back on dispose", async (ctx) => {
    const g = globalThis as { navigator?: unknown };
    const own = Object.getOwnPropertyDescriptor(g, 'navigator');
    const nodeNavigator = { hardwareConcurrency: 2, userAgent: 'Node.js/test' };
    // as Node 21+ defines it: an enumerable, configurable getter and no setter
    if (!own) Object.defineProperty(g, 'navigator', { get: () => nodeNavigator, configurable: true, enumerable: true });
    const before = Object.getOwnPropertyDescriptor(g, 'navigator');
    try {
      const be = await GpuJsBackend.create({ mode: 'webgpu' }).catch((e: Error) => e);
      if (be instanceof Error) {
        if (/no WebGPU adapter/.test(be.message) && !process.env.CI) return ctx.skip(`no Vulkan driver: ${be.message}`);
        throw be;
      }
      expect(be.mode).toBe('webgpu');
      const c = be.upload([1, 2, 3], 'float32');
      expect(Array.from(await be.read(c))).toEqual([1, 2, 3]);
      be.free(c);
      await be.dispose();
      expect(Object.getOwnPropertyDescriptor(g, 'navigator')).toEqual(before);
    } finally {
      if (!own) delete g.navigator;
    }
  });
});

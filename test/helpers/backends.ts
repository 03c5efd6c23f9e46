/**
 * One test body, every backend (in the spirit of tfjs's describeWithFlags(ALL_ENVS)).
 * Each case is started once per describe block; a backend that cannot start on this
 * machine is reported as skipped with the reason, except where CI requires it.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { CpuBackend, GpuJsBackend, WasmBackend, WebGpuBackend, type Backend, type GpuJsMode } from '@psilon/kernels';

export interface BackendCase {
  label: string;
  make: () => Promise<Backend>;
  /** Under CI=true this backend must start (the software Vulkan driver is installed there). */
  requiredInCI?: boolean;
}

const gpujsModes: GpuJsMode[] = (process.env.PSILON_GPUJS_MODES?.split(',') as GpuJsMode[]) ?? ['cpu', 'webasm', 'webgpu'];

/** Every backend and mode the project ships, float32. */
export const ALL_BACKENDS: BackendCase[] = [
  { label: 'cpu float32', make: async () => new CpuBackend() },
  { label: 'wasm 1 thread', make: () => WasmBackend.create({ threads: 1 }) },
  { label: 'wasm 3 threads', make: () => WasmBackend.create({ threads: 3 }) },
  { label: 'webgpu', make: () => WebGpuBackend.create(), requiredInCI: true },
  ...gpujsModes.map((mode) => ({ label: `gpujs[${mode}]`, make: () => GpuJsBackend.create({ mode }), requiredInCI: mode === 'webgpu' })),
];

/** The backends fast enough for whole training runs (gpu.js's plain-JS `cpu` mode is left out). */
export const TRAINING_BACKENDS = ALL_BACKENDS.filter((c) => c.label !== 'gpujs[cpu]');

export type BackendIt = (name: string, fn: (be: Backend) => unknown) => void;

/** Declares `describe(title on <backend>)` for each case; `body` declares tests with `itOn`. */
export function describeBackends(title: string, body: (itOn: BackendIt, c: BackendCase) => void, cases: readonly BackendCase[] = ALL_BACKENDS): void {
  for (const c of cases) {
    describe(`${title} on ${c.label}`, () => {
      let be: Backend | undefined;
      let why = '';
      beforeAll(async () => { try { be = await c.make(); } catch (e) { why = (e as Error).message; } });
      afterAll(async () => { await be?.dispose(); });
      body((name, fn) => it(name, async (ctx) => {
        if (!be) {
          if (c.requiredInCI && process.env.CI) throw new Error(`${c.label} must run in CI: ${why}`);
          ctx.skip(`${c.label} did not start: ${why}`);
          return;
        }
        await fn(be);
      }), c);
    });
  }
}

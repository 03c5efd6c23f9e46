/**
 * WebGPU for gpu.js in Node, through Dawn (npm `webgpu@0.3.10`). gpu.js reads
 * `navigator.gpu`, so this module installs one while the backend lives and
 * removes it on teardown (a `navigator` left behind keeps Node alive; an
 * undestroyed device can crash the process at exit — see DESIGN.md).
 */

interface DawnModule {
  create(flags: string[]): GPULike;
  globals: Record<string, unknown>;
}
interface GPULike {
  requestAdapter(opts?: unknown): Promise<AdapterLike | null>;
}
interface AdapterLike {
  requestDevice(desc?: unknown): Promise<DeviceLike>;
  info?: { description?: string; vendor?: string; architecture?: string; device?: string };
}
interface DeviceLike { destroy(): void }

export interface WebGpuEnv {
  /** The adapter's own description, e.g. "llvmpipe: Mesa 25…" or an NVIDIA card name. */
  adapterName: string;
  /** True when the adapter is a software rasterizer (lavapipe/llvmpipe, SwiftShader). */
  software: boolean;
  teardown(): Promise<void>;
}

/**
 * Installs `navigator.gpu` from Dawn and checks that an adapter exists.
 * Throws with the reason when Dawn cannot load or no adapter answers.
 */
export async function installWebGpu(): Promise<WebGpuEnv> {
  let dawn: DawnModule;
  try {
    dawn = (await import('webgpu')) as unknown as DawnModule;
  } catch (e) {
    throw new Error(`npm 'webgpu' (Dawn) did not load: ${(e as Error).message.split('\n')[0]}`);
  }
  const g = globalThis as Record<string, unknown>;
  for (const [k, v] of Object.entries(dawn.globals)) if (!(k in g)) g[k] = v;
  const gpu = dawn.create([]);
  const probe = await gpu.requestAdapter();
  if (!probe) throw new Error('Dawn loaded but no WebGPU adapter is available (no Vulkan driver? install mesa-vulkan-drivers)');
  const info = probe.info ?? {};
  const adapterName = [info.device, info.description, info.vendor, info.architecture].filter(Boolean).join(' ') || 'unknown adapter';
  const devices: DeviceLike[] = [];
  // gpu.js assigns a plain function to device.onuncapturederror, which dawn.node
  // rejects; shadow that property on each device before gpu.js sees it.
  const wrapped: GPULike = {
    requestAdapter: async (opts?: unknown) => {
      const adapter = await gpu.requestAdapter(opts);
      if (!adapter) return adapter;
      const requestDevice = adapter.requestDevice.bind(adapter);
      adapter.requestDevice = async (desc?: unknown) => {
        const device = await requestDevice(desc);
        Object.defineProperty(device, 'onuncapturederror', { value: null, writable: true, configurable: true });
        devices.push(device);
        return device;
      };
      return adapter;
    },
  };
  g.navigator = { gpu: wrapped };
  return {
    adapterName,
    software: /llvmpipe|lavapipe|swiftshader|software/i.test(adapterName),
    async teardown() {
      for (const d of devices) d.destroy();
      devices.length = 0;
      delete g.navigator;
    },
  };
}

/**
 * Whether a hardware GPU can be reached on Linux, without starting Dawn (which prints
 * warnings on every start): `none` when no GPU device node exists (/dev/dri/renderD*
 * for Mesa's drivers, /dev/nvidiactl for NVIDIA's), so only a software Vulkan driver
 * could answer; `maybe` when one exists; `unknown` off Linux (ask Dawn).
 */
export async function gpuDevices(): Promise<'none' | 'maybe' | 'unknown'> {
  if (typeof process === 'undefined' || process.platform !== 'linux') return 'unknown';
  const { existsSync, readdirSync } = await import('node:fs');
  if (existsSync('/dev/nvidiactl')) return 'maybe';
  const dri = existsSync('/dev/dri') ? readdirSync('/dev/dri') : [];
  return dri.some((f) => f.startsWith('renderD')) ? 'maybe' : 'none';
}

/**
 * WebGPU in Node through Dawn (npm `webgpu@0.3.10`), for both GPU backends.
 * The `webgpu` backend opens a device directly ({@link openDawn}). gpu.js reads
 * `navigator.gpu`, so {@link installWebGpu} installs one while the gpujs backend
 * lives and removes it on teardown (a `navigator` left behind keeps Node alive; an
 * undestroyed device can crash the process at exit — see the kernels README).
 */
import { importOptional, isMissingPackage, runtimeImport } from './optional.js';

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
  limits: Record<string, number>;
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
 * The one Dawn instance of this process, shared by every backend and never dropped.
 * Each backend once made its own and dropped it at teardown: collecting an instance
 * while another's devices run let Dawn abort the process (`std::system_error`, a glibc
 * mutex assertion), reproduced by opening and disposing backends in a loop under GC.
 * A referenced instance also keeps Dawn processing events, so a pending mapAsync settles.
 */
let gpuInstance: GPULike | undefined;

/** Loads Dawn and asks it for an adapter; throws with the reason when either fails. */
async function adapter(): Promise<{ dawn: DawnModule; gpu: GPULike; adapter: AdapterLike; adapterName: string; software: boolean }> {
  let dawn: DawnModule;
  try {
    dawn = await importOptional<DawnModule>('webgpu', 'WebGPU in Node (Dawn)');
  } catch (e) {
    if (isMissingPackage(e)) throw e;
    throw new Error(`npm 'webgpu' (Dawn) did not load: ${(e as Error).message.split('\n')[0]}`);
  }
  gpuInstance ??= dawn.create([]);
  const gpu = gpuInstance;
  const found = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!found) throw new Error('Dawn loaded but no WebGPU adapter is available (no Vulkan driver? install mesa-vulkan-drivers)');
  return { dawn, gpu, adapter: found, ...named(found) };
}

/** The adapter's own description, and whether it is a software rasterizer. */
function named(a: AdapterLike): { adapterName: string; software: boolean } {
  const info = a.info ?? {};
  const adapterName = [info.device, info.description, info.vendor, info.architecture].filter(Boolean).join(' ') || 'unknown adapter';
  return { adapterName, software: isSoftware(adapterName) };
}

/** The browser's WebGPU, when this runs in a page (Node's `navigator` has no `gpu`, unless gpu.js installed one). */
function browserGpu(): GPULike | undefined {
  if (typeof process !== 'undefined' && process.versions?.node) return undefined;
  return (globalThis as { navigator?: { gpu?: GPULike } }).navigator?.gpu;
}

const isSoftware = (name: string): boolean => /llvmpipe|lavapipe|swiftshader|software/i.test(name);

/** A WebGPU device opened through Dawn (or the browser), with what it runs on. */
export interface DawnDevice {
  /** The GPUDevice (typed by its user). */
  device: unknown;
  adapterName: string;
  software: boolean;
  /** Destroys the device (the process's Dawn instance stays, see `gpuInstance`). */
  teardown(): Promise<void>;
}

/**
 * Opens a device on the best adapter (the browser's WebGPU in a page, Dawn in Node),
 * with the adapter's own buffer-size limits (the defaults cap a storage binding at
 * 128 MiB; one 8192² float matrix is 256). With `requireHardware`, a software adapter
 * is refused before any device is opened on it.
 */
export async function openDawn(options: { requireHardware?: boolean } = {}): Promise<DawnDevice> {
  const page = browserGpu();
  const found = page ? await fromBrowser(page) : await adapter();
  if (options.requireHardware && found.software) throw new Error(`WebGPU reaches only a software rasterizer (${found.adapterName})`);
  const { maxStorageBufferBindingSize, maxBufferSize } = found.adapter.limits;
  const opened: DawnDevice = {
    device: await found.adapter.requestDevice({ requiredLimits: { maxStorageBufferBindingSize, maxBufferSize } }),
    adapterName: found.adapterName,
    software: found.software,
    async teardown() {
      (opened.device as DeviceLike | undefined)?.destroy();
      opened.device = undefined;
    },
  };
  return opened;
}

async function fromBrowser(gpu: GPULike): Promise<{ adapter: AdapterLike; adapterName: string; software: boolean }> {
  const found = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!found) throw new Error('this browser offers WebGPU but no adapter (is hardware acceleration off?)');
  return { adapter: found, ...named(found) };
}

/**
 * Installs `navigator.gpu` from Dawn and checks that an adapter exists.
 * Throws with the reason when Dawn cannot load or no adapter answers.
 */
export async function installWebGpu(): Promise<WebGpuEnv> {
  const { dawn, gpu, adapterName, software } = await adapter();
  const g = globalThis as Record<string, unknown>;
  for (const [k, v] of Object.entries(dawn.globals)) if (!(k in g)) g[k] = v;
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
  // Node ≥ 21 has its own navigator (a getter, no gpu): shadow it while gpu.js lives, put it back on teardown
  const nodeNavigator = Object.getOwnPropertyDescriptor(g, 'navigator');
  Object.defineProperty(g, 'navigator', { value: { gpu: wrapped }, writable: true, configurable: true, enumerable: true });
  return {
    adapterName,
    software,
    async teardown() {
      for (const d of devices) d.destroy();
      devices.length = 0;
      if (nodeNavigator) Object.defineProperty(g, 'navigator', nodeNavigator);
      else delete g.navigator;
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
  const { existsSync, readdirSync } = await runtimeImport<typeof import('node:fs')>('node:fs');
  if (existsSync('/dev/nvidiactl')) return 'maybe';
  const dri = existsSync('/dev/dri') ? readdirSync('/dev/dri') : [];
  return dri.some((f) => f.startsWith('renderD')) ? 'maybe' : 'none';
}

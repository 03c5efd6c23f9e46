import type { Backend } from './backend.js';
import { CpuBackend } from './cpu/index.js';
import { GpuJsBackend, GPUJS_MODES, type GpuJsMode } from './gpujs/index.js';
import { gpuDevices } from './dawn.js';
import { isMissingPackage } from './optional.js';
import { WasmBackend } from './wasm/index.js';
import { WebGpuBackend } from './webgpu/index.js';

/**
 * Names accepted by {@link initBackend} and the `PSILON_BACKEND` environment variable: `cpu` (plain JS),
 * `wasm` (SIMD, threads from `PSILON_THREADS`, else every core), `webgpu` (WGSL through Dawn or the
 * browser), `gpujs` (the best gpu.js mode) or `gpujs:<mode>`, and `auto` (the default: `webgpu` on a
 * hardware GPU, else `wasm`).
 */
export type BackendName = 'auto' | 'cpu' | 'wasm' | 'webgpu' | 'gpujs' | `gpujs:${GpuJsMode}`;

let active: Backend | undefined;

/** The active backend; the `cpu` backend until another is set. */
export function getBackend(): Backend {
  active ??= new CpuBackend();
  return active;
}

/** Makes `backend` the active one (tensors already made keep theirs). Returns the previous one. */
export function setBackend(backend: Backend): Backend {
  const prev = getBackend();
  active = backend;
  return prev;
}

/**
 * Creates a backend by name: `cpu`, `wasm` (threads: PSILON_THREADS, else every
 * core), `webgpu` (hand-written WGSL through Dawn), `gpujs` (best gpu.js mode),
 * `gpujs:<mode>` (`webgpu`, `headlessgl`, `webasm`, `cpu`), or `auto`, which takes
 * `webgpu` only when WebGPU reaches a hardware GPU and the `wasm` backend otherwise
 * (`cpu` where WebAssembly SIMD is missing); a software rasterizer is slower than wasm.
 * `webgpu` in Node and `gpujs` need the optional packages `webgpu` (Dawn) and `gpu.js`:
 * asked for by name without them, they throw one line naming the `npm install` to run;
 * `auto` without Dawn takes `wasm` and its description says so.
 * @param name a {@link BackendName}: `cpu`, `wasm`, `webgpu`, `gpujs`, `gpujs:<mode>` or `auto`
 */
export async function createBackend(name: BackendName | string): Promise<Backend> {
  if (name === 'cpu') return new CpuBackend();
  if (name === 'wasm') return WasmBackend.create();
  if (name === 'webgpu') return WebGpuBackend.create();
  if (name === 'gpujs') return GpuJsBackend.create({ mode: 'auto' });
  if (name.startsWith('gpujs:')) {
    const mode = name.slice(6) as GpuJsMode;
    if (!GPUJS_MODES.includes(mode)) throw new Error(`unknown backend '${name}' (gpu.js modes: ${GPUJS_MODES.join(', ')})`);
    return GpuJsBackend.create({ mode });
  }
  if (name === 'auto') {
    // on Linux without a GPU device node only a software Vulkan driver could answer: Dawn is not even started (nor its warnings printed)
    if ((await gpuDevices()) === 'none') return cpuSide('no hardware GPU (no /dev/dri render node or NVIDIA device)');
    try {
      // a software adapter is refused before a device is opened on it
      return await WebGpuBackend.create({ requireHardware: true });
    } catch (e) {
      const why = (e as Error).message.split('\n')[0];
      // a small install has no Dawn: say which package would let auto try the GPU
      return cpuSide(isMissingPackage(e) ? `WebGPU is not available (${why})` : `no hardware GPU through WebGPU (${why})`);
    }
  }
  throw new Error(`unknown backend '${name}' (expected auto, cpu, wasm, webgpu, gpujs or gpujs:<${GPUJS_MODES.join('|')}>)`);
}

/** The best CPU backend, its description saying why no GPU was taken. */
async function cpuSide(why: string): Promise<Backend> {
  try {
    return withNote(await WasmBackend.create(), `auto chose wasm: ${why}`);
  } catch (e) {
    return withNote(new CpuBackend(), `auto chose cpu: ${why}; wasm did not start (${(e as Error).message})`);
  }
}

function withNote(b: Backend, note: string): Backend {
  Object.defineProperty(b, 'description', { value: `${b.description}; ${note}` });
  return b;
}

/**
 * Creates the backend named by `name`, else by the `PSILON_BACKEND` environment
 * variable, else `auto` (the `webgpu` backend on a hardware GPU when there is one, the `wasm`
 * backend otherwise; its `description` says what it chose and why), makes it
 * active and returns it.
 * @param name a {@link BackendName} (default: `PSILON_BACKEND`, else `auto`)
 */
export async function initBackend(name?: BackendName | string): Promise<Backend> {
  const chosen = name ?? (typeof process !== 'undefined' ? process.env?.PSILON_BACKEND : undefined) ?? 'auto';
  const b = await createBackend(chosen);
  setBackend(b);
  return b;
}

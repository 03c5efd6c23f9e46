/** Backend set-up and teardown for every command, in one place. */
import * as C from '@psilon/core';
import type { Backend } from '@psilon/core';
import { num, UsageError, type OptionDecls, type Values } from './args.js';

/** Where a backend computes: the JS `cpu` backend, the `wasm` backend, or a GPU (webgpu, gpu.js). */
export type BackendKind = 'cpu' | 'wasm' | 'gpu';

/** The kind of a backend, by its class (not by comparing names). */
export function kindOf(b: Backend): BackendKind {
  return b instanceof C.CpuBackend ? 'cpu' : b instanceof C.WasmBackend ? 'wasm' : 'gpu';
}

/** The `--backend` and `--threads` options every computing command has. */
export const BACKEND_OPTIONS: OptionDecls = {
  backend: {
    arg: '<name>', default: process.env.PSILON_BACKEND ?? 'auto', helpDefault: 'auto, or env PSILON_BACKEND',
    help: 'auto (webgpu on a hardware GPU if WebGPU finds one, else wasm), cpu, wasm, webgpu, gpujs, gpujs:<webgpu|headlessgl|webasm|cpu>',
  },
  threads: { arg: '<n>', help: "the wasm backend's threads", helpDefault: 'env PSILON_THREADS, else every core' },
};

/** The backend of `--backend`, with `--threads` for wasm (also when `auto` chooses wasm). */
async function open(name: string, threads: number | undefined): Promise<Backend> {
  if (threads === undefined) return C.createBackend(name);
  if (name === 'wasm') return C.WasmBackend.create({ threads });
  const b = await C.createBackend('auto');
  if (!(b instanceof C.WasmBackend) || b.threads === threads) return b;
  // auto chose wasm with the default threads: reopen it with the asked number, keeping auto's note
  const why = b.description.split('; ').slice(1).join('; ');
  await b.dispose();
  const w = await C.WasmBackend.create({ threads });
  if (why) Object.defineProperty(w, 'description', { value: `${w.description}; ${why}` });
  return w;
}

/**
 * Runs `fn` with the backend of the command's `--backend`/`--threads` active, then disposes it
 * and restores the previous one (a disposed backend must not stay active).
 */
export async function withBackend<T>(o: Values, fn: (backend: Backend, kind: BackendKind) => Promise<T>): Promise<T> {
  const threads = threadsOf(o);
  const prev = C.getBackend();
  const backend = await open(String(o.backend), threads);
  C.setBackend(backend);
  try {
    return await fn(backend, kindOf(backend));
  } finally {
    await backend.dispose();
    C.setBackend(prev);
  }
}

/** The `--threads` value, checked (call it before reading data, so a bad value fails at once). */
export function threadsOf(o: Values): number | undefined {
  if (o.threads === undefined) return undefined;
  const t = num('threads', o.threads, { int: true, min: 1 });
  if (!['wasm', 'auto'].includes(String(o.backend))) throw new UsageError(`--threads applies to the wasm backend (and auto), not '${String(o.backend)}'`);
  return t;
}

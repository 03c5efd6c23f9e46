/**
 * Backends as the page's worker makes them. The wasm backend gets every core when the
 * page is cross-origin isolated (served with COOP/COEP, so shared memory can be posted to
 * workers), its worker threads being Web Workers (worker-threads.ts).
 *
 * The wasm backend (packages/kernels/src/wasm/index.ts) only starts threads where
 * `process.versions.node` exists; until it has a browser path, `process` is defined for
 * the duration of its creation and removed after. Its pool blocks in Atomics.wait, which
 * a page's main thread may not do: this runs in a dedicated worker.
 */
import * as C from '@psilon/core';
import { allStarted } from './worker-threads.js';

/** The threads the wasm backend may use here: every core when cross-origin isolated, else 1. */
export function wasmThreads(): number {
  return globalThis.crossOriginIsolated && typeof SharedArrayBuffer !== 'undefined' ? Math.max(1, navigator.hardwareConcurrency || 1) : 1;
}

/**
 * Creates the named backend: `wasm` multi-threaded where allowed (see above), `wasm:1` on
 * one thread (for small nets on a busy machine the threads' hand-offs can cost more than
 * they save), else what @psilon/core's createBackend makes of the name.
 */
export async function makeBackend(name: string): Promise<C.Backend> {
  if (name === 'wasm:1') return C.WasmBackend.create({ threads: 1 });
  if (name !== 'wasm') return C.createBackend(name);
  const threads = wasmThreads();
  const g = globalThis as { process?: unknown };
  const shim = threads > 1 && g.process === undefined;
  if (shim) g.process = { versions: { node: 'web-worker' }, env: {} };
  try {
    const backend = await C.WasmBackend.create({ threads });
    await allStarted();
    return backend;
  } finally {
    if (shim) delete g.process;
  }
}

/**
 * A browser stand-in for `node:worker_threads`, so the wasm backend's thread pool
 * (packages/kernels/src/wasm/threads.ts) starts Web Workers in the page. build.mjs
 * resolves `node:worker_threads` to this module.
 *
 * The pool creates `new Worker(source, { eval: true, workerData })` with a CommonJS
 * source that calls `require('node:worker_threads').workerData`; here each becomes a
 * dedicated Web Worker from a Blob whose first message is that workerData (the compiled
 * module and the shared memory, which a cross-origin isolated page may post). Each worker
 * says "started" before it enters its Atomics.wait loop; {@link allStarted} resolves when
 * all have, so the thread that drives them (which then blocks in Atomics.wait) never
 * waits on a worker the browser has not started yet.
 */
const started: Promise<void>[] = [];

/** The subset of Node's Worker the pool uses. */
export class Worker {
  private readonly w: globalThis.Worker;

  constructor(source: string, options: { eval?: boolean; workerData?: unknown }) {
    if (!options.eval) throw new Error('worker-threads shim: only { eval: true } workers are supported');
    const boot = `self.onmessage = (e) => {\n self.onmessage = null;\n postMessage('started');\n const require = () => ({ workerData: e.data });\n${source}\n};`;
    const url = URL.createObjectURL(new Blob([boot], { type: 'text/javascript' }));
    this.w = new globalThis.Worker(url);
    started.push(new Promise((resolve, reject) => {
      this.w.onmessage = () => { URL.revokeObjectURL(url); resolve(); };
      this.w.onerror = (e) => reject(new Error(`wasm worker failed to start: ${e.message}`));
    }));
    this.w.postMessage(options.workerData);
  }

  /** Nothing to do: a page's workers never keep anything alive. */
  unref(): void {}

  terminate(): Promise<number> {
    this.w.terminate();
    return Promise.resolve(0);
  }
}

/** Resolves once every worker made so far has started. */
export async function allStarted(): Promise<void> {
  await Promise.all(started.splice(0));
}

/**
 * A pool of worker threads for experiment grids: each worker owns a backend
 * (the `wasm` backend on one thread, so the workers share the cores) and runs
 * one grid point at a time. Results are identical to a serial run: every point
 * starts from its own seeded initialisation, and the wasm kernels give the same
 * bits on any number of threads.
 */
import type { Worker as NodeWorker } from 'node:worker_threads';
import type { ExperimentName } from './registry.js';

/** The compiled worker script: next to this file in dist/, or dist/ when running from src/ (tests). */
function workerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts') ? new URL('../../dist/experiments/worker.js', here) : new URL('./worker.js', here);
}

export class WorkerPool {
  private constructor(private readonly workers: NodeWorker[], private readonly name: ExperimentName, private readonly options: Record<string, unknown>) {}
  private readonly idle: NodeWorker[] = [];
  private readonly waiting: ((w: NodeWorker) => void)[] = [];

  /** Starts `count` workers for experiment `name` with plain-data `options`, each on backend `backend`. */
  static async start(count: number, name: ExperimentName, options: Record<string, unknown>, backend: string): Promise<WorkerPool> {
    const { Worker } = await import('node:worker_threads');
    const workers = Array.from({ length: count }, () => new Worker(workerUrl(), {
      workerData: { backend }, env: { ...process.env, PSILON_THREADS: '1' }, stderr: false,
    }));
    const pool = new WorkerPool(workers, name, options);
    pool.idle.push(...workers);
    return pool;
  }

  private acquire(): Promise<NodeWorker> {
    const w = this.idle.pop();
    return w ? Promise.resolve(w) : new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(w: NodeWorker): void {
    const next = this.waiting.shift();
    if (next) next(w); else this.idle.push(w);
  }

  /** Runs one point on the next free worker. */
  async run(point: { id: string }): Promise<unknown> {
    const w = await this.acquire();
    try {
      return await new Promise((resolve, reject) => {
        const onError = (e: Error) => { w.off('message', onMessage); reject(e); };
        const onMessage = (m: { ok: boolean; result?: unknown; error?: string }) => {
          w.off('error', onError);
          if (m.ok) resolve(m.result); else reject(new Error(`${point.id}: ${m.error}`));
        };
        w.once('message', onMessage);
        w.once('error', onError);
        w.postMessage({ name: this.name, options: this.options, point });
      });
    } finally {
      this.release(w);
    }
  }

  /** Stops every worker (after their backends are disposed). */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => new Promise<void>((resolve) => {
      w.once('exit', () => resolve());
      w.postMessage('close');
    })));
  }
}

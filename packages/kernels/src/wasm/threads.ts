/**
 * Worker threads for the `wasm` backend (Node's worker_threads).
 *
 * Every worker instantiates the same compiled module over the same shared
 * memory, then waits on its slot of a control block in that memory. To run a
 * kernel on all threads the caller writes each worker's arguments into its slot,
 * bumps the slot's generation and wakes it (Atomics.notify), runs its own share,
 * and waits (Atomics.wait, allowed on Node's main thread) until every worker
 * has written the generation back: the op API stays synchronous. A postMessage
 * round trip costs tens of microseconds; this costs a few.
 *
 * Slot layout (SLOT_BYTES each, from the control block's address): int32 [0] the
 * generation to run (−1: exit), int32 [1] the generation done; float64 [1] the
 * kernel's index in `exportNames`, [2] the argument count (−1 after a trap), [3…] the arguments.
 */
export const SLOT_BYTES = 256;
const MAX_ARGS = SLOT_BYTES / 8 - 3;

/** Code each worker runs (evaluated as a CommonJS worker script). */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, slot, names } = workerData;
const inst = new WebAssembly.Instance(module, { env: { memory } });
const fns = names.map((n) => inst.exports[n]);
const i32 = new Int32Array(memory.buffer, slot, 2);
const f64 = new Float64Array(memory.buffer, slot, ${SLOT_BYTES / 8});
let seen = 0;
for (;;) {
  // spin briefly (a step issues kernels back to back), then sleep until woken
  for (let s = 0; s < 20000 && Atomics.load(i32, 0) === seen; s++);
  Atomics.wait(i32, 0, seen);
  const gen = Atomics.load(i32, 0);
  if (gen < 0) break;
  if (gen === seen) continue;
  seen = gen;
  const n = f64[2];
  const args = new Array(n);
  for (let i = 0; i < n; i++) args[i] = f64[3 + i];
  try { fns[f64[1]](...args); } catch (e) { f64[2] = -1; }
  Atomics.store(i32, 1, gen);
  Atomics.notify(i32, 1);
}
`;

interface WorkerLike { unref(): void; terminate(): Promise<number> }

export class ThreadPool {
  private readonly i32: Int32Array[];
  private readonly f64: Float64Array[];
  private gen = 0;

  private constructor(
    private readonly workers: WorkerLike[],
    memory: WebAssembly.Memory,
    slots: number[],
    private readonly index: ReadonlyMap<string, number>,
  ) {
    this.i32 = slots.map((s) => new Int32Array(memory.buffer, s, 2));
    this.f64 = slots.map((s) => new Float64Array(memory.buffer, s, SLOT_BYTES / 8));
  }

  /** Starts `count` workers over `module` and the shared `memory`, control slots at `base`. */
  static async start(module: WebAssembly.Module, memory: WebAssembly.Memory, count: number, base: number, exportNames: readonly string[]): Promise<ThreadPool> {
    const { Worker } = await import('node:worker_threads');
    const slots = Array.from({ length: count }, (_, w) => base + w * SLOT_BYTES);
    const workers = slots.map((slot) => {
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, slot, names: exportNames } });
      w.unref(); // never keeps the process alive
      return w;
    });
    return new ThreadPool(workers, memory, slots, new Map(exportNames.map((n, i) => [n, i])));
  }

  /** Number of worker threads (the caller is one more). */
  get size(): number { return this.workers.length; }

  /**
   * Runs `fn` with `jobs[t]` on thread t: jobs[0] on the calling thread (via
   * `local`), the rest on the workers; returns when all are done.
   */
  run(fn: string, jobs: readonly (readonly number[])[], local: (...args: number[]) => void): void {
    const idx = this.index.get(fn);
    if (idx === undefined) throw new Error(`wasm threads: unknown kernel '${fn}'`);
    const gen = ++this.gen;
    for (let w = 1; w < jobs.length; w++) {
      const f = this.f64[w - 1]!, args = jobs[w]!;
      if (args.length > MAX_ARGS) throw new Error(`wasm threads: ${fn} takes ${args.length} arguments, at most ${MAX_ARGS} fit a slot`);
      f[1] = idx;
      f[2] = args.length;
      for (let i = 0; i < args.length; i++) f[3 + i] = args[i]!;
      Atomics.store(this.i32[w - 1]!, 0, gen);
      Atomics.notify(this.i32[w - 1]!, 0);
    }
    local(...jobs[0]!);
    for (let w = 1; w < jobs.length; w++) {
      const s = this.i32[w - 1]!;
      for (let seen = Atomics.load(s, 1); seen !== gen; seen = Atomics.load(s, 1)) Atomics.wait(s, 1, seen, 1000);
      if (this.f64[w - 1]![2] === -1) throw new Error(`wasm threads: kernel ${fn} failed on worker ${w}`);
    }
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    for (const s of this.i32) { Atomics.store(s, 0, -1); Atomics.notify(s, 0); }
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

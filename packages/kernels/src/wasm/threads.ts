/**
 * Worker threads for the `wasm` backend (Node's worker_threads).
 *
 * Every worker instantiates the same compiled module over the same shared
 * memory, then waits on its slot of a control block in that memory. To run a
 * kernel on all threads the caller writes each worker's arguments into its slot,
 * bumps the slot's generation and wakes it (Atomics.notify) — once per kernel,
 * never per chunk — runs its own share, then waits until every worker has
 * written the generation back: the op API stays synchronous.
 *
 * Both sides spin briefly before sleeping, and the spin is bounded in time:
 * they poll the control word for at most `spinUs` µs by the clock (read every
 * 32 polls; an iteration count calibrated once would change with the JIT tier
 * the loop runs in), then sleep in Atomics.wait. A step issues kernels back
 * to back, so a worker usually sees the next generation while still spinning
 * (no futex round trip); on a busy machine a worker sleeps instead of burning a
 * core another process needs. The caller never waits longer than needed: it
 * takes its own share first, then, for each worker, either claims that worker's
 * share itself if the worker has not started it (a descheduled or sleeping
 * worker costs no waiting: the share runs here, with the same arguments, so
 * the result is the same bit for bit), or spins, then waits, for a worker that
 * is already running its share. So two threads cost at most one thread's time
 * plus a hand-off, unless a worker is preempted in the middle of its share.
 *
 * Claiming: posting generation G stores G in the slot's claim word; whoever
 * turns it into −G (compareExchange) runs the share, so exactly one thread
 * does, and a worker holding a stale generation can never match.
 *
 * Slot layout (SLOT_BYTES each, from the control block's address): int32 [0] the
 * generation to run (−1: exit), int32 [1] the generation done; float64 [1] the
 * kernel's index in `exportNames`, [2] the argument count (−1 after a trap),
 * [3…] the arguments; int32 [SLOT_BYTES/4 − 3] 1 while the worker sleeps,
 * [SLOT_BYTES/4 − 2] the claim word (G posted, −G claimed), the last int32
 * counts the times the worker went to sleep.
 *
 * A sleeping worker is notified; a spinning one is not (no futex call). The
 * worker raises its sleep flag before Atomics.wait and the caller reads it
 * after storing the generation; both are sequentially consistent, so either
 * the caller sees the flag and notifies or the worker's wait sees the new
 * generation and returns at once. Waking a sleeping worker costs tens of µs on
 * a virtual machine (mostly in the caller's notify), so the backend asks
 * {@link ThreadPool.asleep} and hands a mid-sized kernel to workers only when
 * they are awake.
 */
export const SLOT_BYTES = 256;
const MAX_ARGS = SLOT_BYTES / 8 - 5;
/** The last int32 of a slot: how many times its worker slept in Atomics.wait. */
const SLEEPS = SLOT_BYTES / 4 - 1;
/** The int32 before it: the claim word (G: generation G posted and unclaimed; −G: claimed). */
const CLAIM = SLOT_BYTES / 4 - 2;
/** The int32 before that: 1 while the worker sleeps in Atomics.wait (it is notified only then). */
const ASLEEP = SLOT_BYTES / 4 - 3;
/** How long either side polls the control word before sleeping, by default (µs). */
export const SPIN_US = 50;

/** Polls `word[at]` while it equals `value`, for at most `us` µs; true if it changed. */
function spinWhile(word: Int32Array, at: number, value: number, us: number): boolean {
  const end = performance.now() + us / 1000;
  for (;;) {
    for (let i = 0; i < 32; i++) if (Atomics.load(word, at) !== value) return true;
    if (performance.now() > end) return false;
  }
}

/** Code each worker runs (evaluated as a CommonJS worker script). */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, slot, names, spinUs } = workerData;
const spinWhile = ${spinWhile.toString()};
const inst = new WebAssembly.Instance(module, { env: { memory } });
const fns = names.map((n) => inst.exports[n]);
const i32 = new Int32Array(memory.buffer, slot, ${SLOT_BYTES / 4});
const f64 = new Float64Array(memory.buffer, slot, ${SLOT_BYTES / 8});
let seen = 0;
for (;;) {
  // bounded spin (spinUs µs), then sleep until woken
  if (!spinWhile(i32, 0, seen, spinUs)) {
    Atomics.store(i32, ${ASLEEP}, 1);
    Atomics.add(i32, ${SLEEPS}, 1);
    Atomics.wait(i32, 0, seen);
    Atomics.store(i32, ${ASLEEP}, 0);
  }
  const gen = Atomics.load(i32, 0);
  if (gen < 0) break;
  if (gen === seen) continue;
  seen = gen;
  // the caller may have taken this share while we were not running
  if (Atomics.compareExchange(i32, ${CLAIM}, gen, -gen) !== gen) continue;
  const n = f64[2];
  const args = new Array(n);
  for (let i = 0; i < n; i++) args[i] = f64[3 + i];
  try { fns[f64[1]](...args); } catch (e) { f64[2] = -1; }
  Atomics.store(i32, 1, gen);
  Atomics.notify(i32, 1);
}
`;

/** Counters of the wasm backend's worker hand-offs ({@link WasmBackend.threadStats}; all zero on one thread). */
export interface WasmThreadStats {
  /** Kernels handed to the workers (one wake-up of each worker per kernel). */
  handoffs: number;
  /** Workers' shares the caller ran itself because the worker had not started them. */
  stolen: number;
  /** Of the hand-offs, how many times the caller had to sleep (its spin ran out before a worker finished). */
  callerSleeps: number;
  /** Times the workers went to sleep after their spin ran out (all workers together). */
  workerSleeps: number;
  /** How long either side polls before sleeping (µs). */
  spinUs: number;
}

interface WorkerLike { unref(): void; terminate(): Promise<number> }

export class ThreadPool {
  private readonly i32: Int32Array[];
  private readonly f64: Float64Array[];
  private gen = 0;
  private handoffs = 0;
  private callerSleeps = 0;
  private stolen = 0;

  private constructor(
    private readonly workers: WorkerLike[],
    memory: WebAssembly.Memory,
    slots: number[],
    private readonly index: ReadonlyMap<string, number>,
    private readonly spinUs: number,
  ) {
    this.i32 = slots.map((s) => new Int32Array(memory.buffer, s, SLOT_BYTES / 4));
    this.f64 = slots.map((s) => new Float64Array(memory.buffer, s, SLOT_BYTES / 8));
  }

  /** Starts `count` workers over `module` and the shared `memory`, control slots at `base`. */
  static async start(module: WebAssembly.Module, memory: WebAssembly.Memory, count: number, base: number, exportNames: readonly string[], spinUs = SPIN_US): Promise<ThreadPool> {
    const { Worker } = await import('node:worker_threads');
    const slots = Array.from({ length: count }, (_, w) => base + w * SLOT_BYTES);
    const workers = slots.map((slot) => {
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, slot, names: exportNames, spinUs } });
      w.unref(); // never keeps the process alive
      return w;
    });
    return new ThreadPool(workers, memory, slots, new Map(exportNames.map((n, i) => [n, i])), spinUs);
  }

  /** Number of worker threads (the caller is one more). */
  get size(): number { return this.workers.length; }

  /** Whether any worker is sleeping (its spin ran out since the last kernel), so a hand-off would have to wake it. */
  asleep(): boolean {
    for (const s of this.i32) if (Atomics.load(s, ASLEEP) === 1) return true;
    return false;
  }

  /** The hand-off counters since start. */
  stats(): WasmThreadStats {
    let workerSleeps = 0;
    for (const s of this.i32) workerSleeps += Atomics.load(s, SLEEPS);
    return { handoffs: this.handoffs, stolen: this.stolen, callerSleeps: this.callerSleeps, workerSleeps, spinUs: this.spinUs };
  }

  /**
   * Runs `fn` with `jobs[t]` on thread t: jobs[0] on the calling thread (via
   * `local`), the rest on the workers (or here, when a worker has not started
   * its share by the time the caller's is done); returns when all are done.
   */
  run(fn: string, jobs: readonly (readonly number[])[], local: (...args: number[]) => void): void {
    const idx = this.index.get(fn);
    if (idx === undefined) throw new Error(`wasm threads: unknown kernel '${fn}'`);
    if (jobs.length - 1 > this.workers.length) throw new Error(`wasm threads: ${jobs.length} jobs for ${this.workers.length + 1} threads`);
    for (let w = 1; w < jobs.length; w++) {
      if (jobs[w]!.length > MAX_ARGS) throw new Error(`wasm threads: ${fn} takes ${jobs[w]!.length} arguments, at most ${MAX_ARGS} fit a slot`);
    }
    const gen = ++this.gen;
    this.handoffs++;
    for (let w = 1; w < jobs.length; w++) {
      const f = this.f64[w - 1]!, args = jobs[w]!;
      f[1] = idx;
      f[2] = args.length;
      for (let i = 0; i < args.length; i++) f[3 + i] = args[i]!;
      Atomics.store(this.i32[w - 1]!, CLAIM, gen);
      Atomics.store(this.i32[w - 1]!, 0, gen);
      if (Atomics.load(this.i32[w - 1]!, ASLEEP) === 1) Atomics.notify(this.i32[w - 1]!, 0);
    }
    local(...jobs[0]!);
    let slept = false;
    for (let w = 1; w < jobs.length; w++) {
      const s = this.i32[w - 1]!;
      // own share done: a share its worker has not started runs here (same arguments, same result)
      if (Atomics.compareExchange(s, CLAIM, gen, -gen) === gen) { this.stolen++; local(...jobs[w]!); continue; }
      // else the worker is running it: spin (bounded), then sleep until it writes the generation back
      const seen0 = Atomics.load(s, 1);
      if (seen0 !== gen) spinWhile(s, 1, seen0, this.spinUs);
      for (let seen = Atomics.load(s, 1); seen !== gen; seen = Atomics.load(s, 1)) { slept = true; Atomics.wait(s, 1, seen, 1000); }
      if (this.f64[w - 1]![2] === -1) throw new Error(`wasm threads: kernel ${fn} failed on worker ${w}`);
    }
    if (slept) this.callerSleeps++;
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    for (const s of this.i32) { Atomics.store(s, 0, -1); Atomics.notify(s, 0); }
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

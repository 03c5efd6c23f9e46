/**
 * Worker threads for the `wasm` backend (Node's worker_threads).
 *
 * Every worker instantiates the same compiled module over the same shared
 * memory, then waits on its slot of a control block in that memory. A kernel
 * is split into a few more jobs than threads (ranges of rows, columns or
 * elements); the caller writes the jobs into a shared job table, bumps every
 * worker's generation — once per kernel, never per job — and then takes jobs
 * itself. Every thread claims the next job from one shared word until none is
 * left, so a worker that is asleep, descheduled or late simply takes fewer
 * jobs (or none): the caller never waits for a job nobody has started, only
 * for jobs already running, and a job's result does not depend on who runs
 * it (same arguments; only the matmul's packing scratch is the runner's own).
 * Two threads so cost at most about one thread's time plus a hand-off and one
 * job, even on a machine whose other core is busy. The op API stays synchronous.
 *
 * Both sides spin briefly before sleeping, and the spin is bounded in time:
 * they poll for at most `spinUs` µs by the clock (read every 32 polls; an
 * iteration count calibrated once would change with the JIT tier the loop
 * runs in), then sleep in Atomics.wait. A step issues kernels back to back, so
 * a worker usually sees the next generation while still spinning; on a busy
 * machine it sleeps instead of burning a core another process needs.
 *
 * A sleeping worker is notified; a spinning one is not (no futex call). The
 * worker raises its sleep flag before Atomics.wait and the caller reads it
 * after storing the generation; both are sequentially consistent, so either
 * the caller sees the flag and notifies or the worker's wait sees the new
 * generation and returns at once. Waking a sleeping worker costs tens of µs on
 * a virtual machine (mostly in the caller's notify), so the backend asks
 * {@link ThreadPool.asleep} and hands a mid-sized kernel to workers only when
 * they are awake.
 *
 * Memory: worker w's slot (SLOT_BYTES, from the control block's address): int32
 * [0] its generation (−1: exit), [1] 1 while it sleeps, [2] how many times it
 * slept. The job table (JOB_TABLE_BYTES, at the table's address): int32 [0] the
 * claim word — generation tag (16 bits) | job count (8) | next job (8) — [1]
 * jobs finished, [2] 1 after a trap, [3] the kernel's index in `exportNames`,
 * [4] the argument count, [5] the scratch argument's index (−1: none); then one
 * row of MAX_ARGS float64 arguments per job from byte 32.
 */
export const SLOT_BYTES = 64;
/** Jobs one kernel is split into, at most. */
export const MAX_JOBS = 64;
const MAX_ARGS = 16;
/** Bytes of the job table. */
export const JOB_TABLE_BYTES = 32 + MAX_JOBS * MAX_ARGS * 8;
/** How long either side polls before sleeping, by default (µs). */
export const SPIN_US = 50;

/** Polls `word[at]` while it equals `value`, for at most `us` µs; true if it changed. */
function spinWhile(word: Int32Array, at: number, value: number, us: number): boolean {
  const end = performance.now() + us / 1000;
  for (;;) {
    for (let i = 0; i < 32; i++) if (Atomics.load(word, at) !== value) return true;
    if (performance.now() > end) return false;
  }
}

/**
 * Claims and runs jobs of generation `tag` until none is left (shared by the
 * caller and the workers; it is copied into the worker source, so it names no
 * outer constant: 16 is MAX_ARGS, 4 the table's header in float64s): `ctl` is
 * the job table's int32 view, `args` its float64 view, `kernel` the kernel (read
 * before the claim: if the table has moved on, the tag no longer matches and
 * nothing runs), `scratch` this thread's packing scratch. Returns how many jobs
 * this thread ran.
 */
function drain(ctl: Int32Array, args: Float64Array, kernel: (...a: number[]) => void, tag: number, scratch: number): number {
  let ran = 0;
  for (;;) {
    const v = Atomics.load(ctl, 0);
    if (v >>> 16 !== tag || (v & 0xff) >= ((v >>> 8) & 0xff)) return ran;
    if (Atomics.compareExchange(ctl, 0, v, v + 1) !== v) continue;
    // job v & 0xff is ours; the table stays put until every job of this generation is finished
    const n = ctl[4]!, at = 4 + (v & 0xff) * 16, a = new Array(n);
    for (let i = 0; i < n; i++) a[i] = args[at + i];
    if (ctl[5]! >= 0) a[ctl[5]!] = scratch;
    try { kernel(...a); } catch (e) { Atomics.store(ctl, 2, 1); }
    ran++;
    if (Atomics.add(ctl, 1, 1) + 1 === ((v >>> 8) & 0xff)) Atomics.notify(ctl, 1);
  }
}

/** Code each worker runs (evaluated as a CommonJS worker script). */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, slot, table, scratch, names, spinUs } = workerData;
const spinWhile = ${spinWhile.toString()};
const drain = ${drain.toString()};
const inst = new WebAssembly.Instance(module, { env: { memory } });
const fns = names.map((n) => inst.exports[n]);
const i32 = new Int32Array(memory.buffer, slot, ${SLOT_BYTES / 4});
const ctl = new Int32Array(memory.buffer, table, 8);
const args = new Float64Array(memory.buffer, table, ${JOB_TABLE_BYTES / 8});
let seen = 0;
for (;;) {
  // bounded spin (spinUs µs), then sleep until woken
  if (!spinWhile(i32, 0, seen, spinUs)) {
    Atomics.store(i32, 1, 1);
    Atomics.add(i32, 2, 1);
    Atomics.wait(i32, 0, seen);
    Atomics.store(i32, 1, 0);
  }
  const gen = Atomics.load(i32, 0);
  if (gen < 0) break;
  if (gen === seen) continue;
  seen = gen;
  drain(ctl, args, fns[ctl[3]], gen & 0xffff, scratch);
}
`;

/** Counters of the wasm backend's worker hand-offs ({@link WasmBackend.threadStats}; all zero on one thread). */
export interface WasmThreadStats {
  /** Kernels handed to the workers (one wake-up of each worker per kernel). */
  handoffs: number;
  /** Jobs of those kernels (a few per thread). */
  jobs: number;
  /** Of those jobs, how many the calling thread ran (all of them when the workers were late). */
  byCaller: number;
  /** Of the hand-offs, how many times the caller had to sleep (its spin ran out before the last job finished). */
  callerSleeps: number;
  /** Times the workers went to sleep after their spin ran out (all workers together). */
  workerSleeps: number;
  /** How long either side polls before sleeping (µs). */
  spinUs: number;
}

interface WorkerLike { unref(): void; terminate(): Promise<number> }

export class ThreadPool {
  private readonly i32: Int32Array[];
  private readonly ctl: Int32Array;
  private readonly args: Float64Array;
  private gen = 0;
  private readonly counts = { handoffs: 0, jobs: 0, byCaller: 0, callerSleeps: 0 };

  private constructor(
    private readonly workers: WorkerLike[],
    memory: WebAssembly.Memory,
    slots: number[],
    table: number,
    private readonly index: ReadonlyMap<string, number>,
    private readonly spinUs: number,
    private readonly scratch: number,
  ) {
    this.i32 = slots.map((s) => new Int32Array(memory.buffer, s, SLOT_BYTES / 4));
    this.ctl = new Int32Array(memory.buffer, table, 8);
    this.args = new Float64Array(memory.buffer, table, JOB_TABLE_BYTES / 8);
  }

  /**
   * Starts `count` workers over `module` and the shared `memory`: control slots
   * at `base`, the job table at `table`, thread t's matmul scratch at `scratch[t]`
   * (t = 0: the caller).
   */
  static async start(module: WebAssembly.Module, memory: WebAssembly.Memory, count: number, base: number, table: number, scratch: readonly number[], exportNames: readonly string[], spinUs = SPIN_US): Promise<ThreadPool> {
    const { Worker } = await import('node:worker_threads');
    const slots = Array.from({ length: count }, (_, w) => base + w * SLOT_BYTES);
    const workers = slots.map((slot, w) => {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, slot, table, scratch: scratch[w + 1], names: exportNames, spinUs } });
      worker.unref(); // never keeps the process alive
      return worker;
    });
    return new ThreadPool(workers, memory, slots, table, new Map(exportNames.map((n, i) => [n, i])), spinUs, scratch[0]!);
  }

  /** Number of worker threads (the caller is one more). */
  get size(): number { return this.workers.length; }

  /** Whether any worker is sleeping (its spin ran out since the last kernel), so a hand-off would have to wake it. */
  asleep(): boolean {
    for (const s of this.i32) if (Atomics.load(s, 1) === 1) return true;
    return false;
  }

  /** The hand-off counters since start. */
  stats(): WasmThreadStats {
    let workerSleeps = 0;
    for (const s of this.i32) workerSleeps += Atomics.load(s, 2);
    return { ...this.counts, workerSleeps, spinUs: this.spinUs };
  }

  /**
   * Runs `fn` once per job (`jobs[j]`: its arguments) on whichever threads
   * claim them, the caller included (`local` is `fn` on this thread); argument
   * `scratchArg` (if ≥ 0) is replaced by the running thread's scratch. Returns
   * when every job is done.
   */
  run(fn: string, jobs: readonly (readonly number[])[], local: (...args: number[]) => void, scratchArg = -1): void {
    const idx = this.index.get(fn);
    if (idx === undefined) throw new Error(`wasm threads: unknown kernel '${fn}'`);
    const n = jobs[0]?.length ?? 0;
    if (jobs.length > MAX_JOBS || jobs.some((j) => j.length !== n) || n > MAX_ARGS) {
      throw new Error(`wasm threads: ${fn}: ${jobs.length} jobs of ${n} arguments (at most ${MAX_JOBS} of ${MAX_ARGS}, all alike)`);
    }
    const { ctl, args } = this;
    ctl[1] = 0; ctl[2] = 0; ctl[3] = idx; ctl[4] = n; ctl[5] = scratchArg;
    jobs.forEach((job, j) => { for (let i = 0; i < n; i++) args[4 + j * MAX_ARGS + i] = job[i]!; });
    // the generation's tag opens the claim word; then each worker's slot is bumped (and woken if asleep)
    const gen = this.gen = (this.gen % 0xffff) + 1;
    Atomics.store(ctl, 0, (gen << 16) | (jobs.length << 8));
    for (const s of this.i32) {
      Atomics.store(s, 0, gen);
      if (Atomics.load(s, 1) === 1) Atomics.notify(s, 0);
    }
    this.counts.handoffs++;
    this.counts.jobs += jobs.length;
    this.counts.byCaller += drain(ctl, args, local, gen, this.scratch);
    // every job is claimed: spin (bounded), then sleep, until the running ones finish
    const seen0 = Atomics.load(ctl, 1);
    if (seen0 !== jobs.length) spinWhile(ctl, 1, seen0, this.spinUs);
    let slept = false;
    for (let done = Atomics.load(ctl, 1); done !== jobs.length; done = Atomics.load(ctl, 1)) { slept = true; Atomics.wait(ctl, 1, done, 1000); }
    if (slept) this.counts.callerSleeps++;
    if (ctl[2] === 1) throw new Error(`wasm threads: kernel ${fn} trapped in one of its ${jobs.length} jobs`);
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    for (const s of this.i32) { Atomics.store(s, 0, -1); Atomics.notify(s, 0); }
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

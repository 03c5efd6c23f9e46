/**
 * The `wasm` backend: hand-written WebAssembly SIMD kernels (wat.ts) over one
 * linear memory (heap.ts), with matmul, weight normalization and Adam split
 * over worker threads (threads.ts). float32 only; the `cpu` backend stays the
 * float64 reference.
 */
import { ownBuffer, releaseBuffer, type AdamHyper, type Backend, type BackendBuffer, type SphereTauResult, WeightNormGrads, WeightNormResult, WeightNormSpec } from '../backend.js';
import type { DType, Shape, TypedArray } from '../types.js';
import { sizeOf } from '../types.js';
import type { BinaryOp, ReduceOp, UnaryOp } from '../ops.js';
import { planBroadcast, planReduce } from '../layout.js';
import { binaryInto, unaryInto } from '../cpu/elementwise.js';
import { concatInto, gatherRowsInto, oneHotInto, padInto, scatterAddRowsInto, softmaxInto, stridedInto, whereInto } from '../cpu/kernels.js';
import { sphereTauInto } from '../cpu/projection.js';
import { WasmHeap, RESERVED_BYTES } from './heap.js';
import { ThreadPool, SLOT_BYTES, JOB_TABLE_BYTES, MAX_JOBS, type WasmThreadStats } from './threads.js';
import { runtimeImport } from '../optional.js';
import { GEMM_SCRATCH_BYTES, gemmTile } from './wat.js';
import { argsOf, KERNELS, type ArgsOf, type BroadcastMode, type KernelDef, type Signature } from './signatures.js';
import { adamScalars } from '../adam.js';
import { WASM_MODULES } from './binary.js';

class WasmBuffer implements BackendBuffer {
  readonly backend = 'wasm';
  readonly dtype: DType = 'float32';
  freed = false;
  constructor(readonly ptr: number, readonly size: number) {}
}

/** Options of {@link WasmBackend.create}. */
export interface WasmOptions {
  /**
   * Threads to use, the caller included: a number, or `auto` for the
   * `PSILON_THREADS` environment variable, else every core.
   */
  threads?: number | 'auto';
  /** Use relaxed SIMD (fused multiply-add) when the runtime has it (default true). */
  relaxed?: boolean;
  /**
   * Work below which a kernel stays on the calling thread: `gemm` in m·k·n
   * multiply-adds (default 2²¹), `elements` for the elementwise, Adam and
   * weight-norm passes (default 2¹⁸); `gemmWake` and `elementsWake` (defaults
   * 2²⁴, 2²¹): the work it takes to wake sleeping workers. For measuring the
   * crossover (bench/threads.ts).
   */
  parallelMin?: {
    /** Matmul work, in m·k·n multiply-adds, below which a matmul stays on the calling thread (default 2²¹). */
    gemm?: number;
    /** Elements below which an elementwise, Adam or weight-norm pass stays on the calling thread (default 2¹⁸). */
    elements?: number;
    /** Matmul work, in m·k·n multiply-adds, below which sleeping workers are not woken (default 2²⁴). */
    gemmWake?: number;
    /** Elements below which sleeping workers are not woken for an elementwise pass (default 2²¹). */
    elementsWake?: number;
  };
  /** How long a waiting thread polls before it sleeps in Atomics.wait, in µs (default 50). */
  spinUs?: number;
}

/**
 * Size thresholds: the work below which a kernel runs entirely on the calling
 * thread (no hand-off), per kernel family — matmul in m·k·n multiply-adds, the
 * elementwise, Adam and weight-norm passes in elements — and the larger work it
 * takes to wake workers that have gone to sleep (their spin ran out: a wake
 * costs tens of µs on a virtual machine). Measured on the 2-core VM with
 * `pnpm --filter benchmark threads --crossover` (the numbers are in the package
 * README, "Threads").
 */
/** Jobs per thread a handed-off kernel is split into (a late worker then leaves at most one job's wait). */
const JOBS_PER_THREAD = 2;

const PARALLEL_MIN = { gemm: 1 << 21, elements: 1 << 18, gemmWake: 1 << 24, elementsWake: 1 << 21 };

type Kernel = (...args: number[]) => void;

function decode(b64: string): Uint8Array<ArrayBuffer> {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Splits [0, n) into `parts` ranges whose inner boundaries are multiples of `align`. */
function split(n: number, parts: number, align: number): [number, number][] {
  const out: [number, number][] = [];
  let start = 0;
  for (let t = 0; t < parts; t++) {
    const end = t === parts - 1 ? n : Math.min(n, Math.ceil((n * (t + 1)) / parts / align) * align);
    if (end > start) out.push([start, end]);
    start = end;
  }
  return out;
}

/** PSILON_THREADS if set, else every core (Node's os.availableParallelism, a browser's hardwareConcurrency). */
async function defaultThreads(): Promise<number> {
  const env = typeof process !== 'undefined' ? process.env?.PSILON_THREADS : undefined;
  if (env !== undefined && env !== '') {
    const t = Number(env);
    if (!Number.isInteger(t) || t < 1) throw new Error(`PSILON_THREADS must be a positive integer, got '${env}'`);
    return t;
  }
  if (typeof process !== 'undefined' && process.versions?.node) {
    const os = await runtimeImport<typeof import('node:os')>('node:os');
    return os.availableParallelism();
  }
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
}

export class WasmBackend implements Backend {
  readonly name = 'wasm';
  readonly synchronous = true;
  readonly mode: string;
  readonly description: string;
  private readonly k: Record<string, Kernel>;
  private readonly scratch: number[];
  private readonly minWork: typeof PARALLEL_MIN;

  private constructor(
    private readonly heap: WasmHeap,
    instance: WebAssembly.Instance,
    private readonly pool: ThreadPool | undefined,
    relaxed: boolean,
    scratch: number[],
    parallelMin: WasmOptions['parallelMin'] = {},
  ) {
    this.minWork = { ...PARALLEL_MIN, ...parallelMin };
    this.k = instance.exports as unknown as Record<string, Kernel>;
    this.scratch = scratch;
    this.mode = relaxed ? 'simd+relaxed' : 'simd';
    const threads = (pool?.size ?? 0) + 1;
    this.description = `wasm: hand-written WebAssembly SIMD kernels${relaxed ? ' with relaxed SIMD (fused multiply-add)' : ''}, ${threads} thread${threads > 1 ? 's' : ''} (float32)`;
  }

  /**
   * Compiles the kernels, sets up the memory and starts the worker threads.
   * @param opts `threads`: a count, caller included, or `auto` (the default: `PSILON_THREADS`, else every core); `relaxed`: use relaxed SIMD (fused multiply-add) when the runtime has it (default true); `parallelMin`: `{ gemm, elements, gemmWake, elementsWake }`, the work below which a kernel stays on the calling thread, in m·k·n multiply-adds or elements (defaults 2²¹, 2¹⁸) and below which sleeping workers are not woken (2²⁴, 2²¹); `spinUs`: how long a waiting thread polls before it sleeps, in µs (default 50)
   */
  static async create(opts: WasmOptions = {}): Promise<WasmBackend> {
    if (typeof WebAssembly === 'undefined' || !WebAssembly.validate(decode(WASM_MODULES.unshared))) {
      throw new Error('wasm backend: this runtime has no WebAssembly SIMD');
    }
    const want = opts.threads === undefined || opts.threads === 'auto' ? await defaultThreads() : opts.threads;
    if (!Number.isInteger(want) || want < 1) throw new Error(`wasm backend: threads must be a positive integer, got ${want}`);
    let threads = want;
    if (opts.spinUs !== undefined && !(opts.spinUs >= 0 && opts.spinUs <= 1e6)) throw new Error(`wasm backend: spinUs must be between 0 and 10⁶ µs, got ${opts.spinUs}`);
    if (threads > 1 && (typeof SharedArrayBuffer === 'undefined' || typeof process === 'undefined' || !process.versions?.node)) threads = 1;
    const shared = threads > 1;
    const relaxedBytes = decode(shared ? WASM_MODULES.sharedRelaxed : WASM_MODULES.unsharedRelaxed);
    const relaxed = opts.relaxed !== false && WebAssembly.validate(relaxedBytes);
    const bytes = relaxed ? relaxedBytes : decode(shared ? WASM_MODULES.shared : WASM_MODULES.unshared);
    const module = await WebAssembly.compile(bytes);
    const heap = new WasmHeap(shared);
    const instance = await WebAssembly.instantiate(module, { env: { memory: heap.memory } });
    // the control block: worker slots from byte 1024, the job table at its end
    const table = RESERVED_BYTES - JOB_TABLE_BYTES;
    const maxThreads = Math.floor((table - 1024) / SLOT_BYTES) + 1;
    if (threads > maxThreads) throw new Error(`wasm backend: at most ${maxThreads} threads, got ${threads}`);
    const scratch = Array.from({ length: threads }, () => heap.alloc(GEMM_SCRATCH_BYTES / 4, 'matmul scratch'));
    const pool = threads > 1
      ? await ThreadPool.start(module, heap.memory, threads - 1, 1024, table, scratch, Object.keys(instance.exports), opts.spinUs)
      : undefined;
    return new WasmBackend(heap, instance, pool, relaxed, scratch, opts.parallelMin);
  }

  /** Jobs a handed-off kernel is split into: a few per thread, at most the job table's rows. */
  private get jobCount(): number { return Math.min(MAX_JOBS, this.threads * JOBS_PER_THREAD); }

  /** Threads kernels may use (the calling one included). */
  get threads(): number { return (this.pool?.size ?? 0) + 1; }

  /** How many kernels went to the workers, and how often either side slept (all zero on one thread). */
  threadStats(): WasmThreadStats {
    return this.pool?.stats() ?? { handoffs: 0, jobs: 0, byCaller: 0, callerSleeps: 0, workerSleeps: 0, spinUs: 0 };
  }

  supportsDType(dtype: DType): boolean { return dtype === 'float32'; }

  private checkDType(dtype: DType, op: string): void {
    if (dtype !== 'float32') throw new Error(`wasm backend: ${op}: ${dtype} is not supported (float32 only; use the 'cpu' backend for float64, e.g. gradient checks)`);
  }

  private get(buf: BackendBuffer): WasmBuffer {
    return ownBuffer(buf, WasmBuffer, 'wasm');
  }

  private alloc(size: number): WasmBuffer {
    return new WasmBuffer(this.heap.alloc(size), size);
  }

  private view(buf: WasmBuffer): Float32Array { return this.heap.view(buf.ptr, buf.size); }

  /** Calls kernel `k` once on this thread, with named arguments. */
  private call<S extends Signature>(k: KernelDef<S>, args: ArgsOf<S>): void {
    this.k[k.export]!(...argsOf(k, args));
  }

  /**
   * Whether `work` (m·k·n for `gemm`, elements for `elements`) is worth handing
   * to the workers: at least the family's threshold, and, if a worker has gone
   * to sleep, at least the larger threshold that pays for waking it.
   */
  private handOff(family: 'gemm' | 'elements', work: number): boolean {
    if (!this.pool || work < this.minWork[family]) return false;
    return work >= this.minWork[family === 'gemm' ? 'gemmWake' : 'elementsWake'] || !this.pool.asleep();
  }

  /**
   * Runs kernel `k` over [0, n), split into aligned ranges (jobs) if its `work`
   * (elements) is worth a hand-off: args(start, end) names each call's arguments.
   */
  private parallel<S extends Signature>(k: KernelDef<S>, n: number, align: number, work: number, args: (start: number, end: number) => ArgsOf<S>): void {
    if (!this.pool || !this.handOff('elements', work)) { this.call(k, args(0, n)); return; }
    const jobs = split(n, this.jobCount, align).map(([s, e]) => argsOf(k, args(s, e)));
    this.pool.run(k.export, jobs, this.k[k.export]!);
  }

  // --- memory ---------------------------------------------------------------
  upload(data: ArrayLike<number>, dtype: DType): BackendBuffer {
    this.checkDType(dtype, 'upload');
    const b = this.alloc(data.length);
    this.view(b).set(data);
    return b;
  }
  fill(size: number, value: number, dtype: DType): BackendBuffer {
    this.checkDType(dtype, 'fill');
    const b = this.alloc(size);
    this.view(b).fill(value);
    return b;
  }
  read(buf: BackendBuffer): Promise<TypedArray> { return Promise.resolve(this.readSync(buf)); }
  readSync(buf: BackendBuffer): TypedArray { return this.view(this.get(buf)).slice(); }
  free(buf: BackendBuffer): void {
    const b = releaseBuffer(buf, WasmBuffer, 'wasm');
    this.heap.release(b.ptr, b.size);
  }
  liveBuffers(): number { return this.heap.live - this.scratch.length; }
  /** Bytes of Wasm memory reserved so far (it grows, never shrinks). */
  heapBytes(): number { return this.heap.bytes; }
  async dispose(): Promise<void> { await this.pool?.close(); }

  // --- kernels ----------------------------------------------------------------
  cast(a: BackendBuffer, dtype: DType): BackendBuffer {
    this.checkDType(dtype, 'cast');
    const x = this.get(a), out = this.alloc(x.size);
    this.view(out).set(this.view(x));
    return out;
  }

  unary(op: UnaryOp, a: BackendBuffer): BackendBuffer {
    const x = this.get(a), out = this.alloc(x.size);
    const k = KERNELS.unary[op];
    if (k) this.parallel(k, x.size, 4, x.size, (i, end) => ({ x: x.ptr, o: out.ptr, i, end }));
    else unaryInto(op, this.view(x), this.view(out));
    return out;
  }

  binary(op: BinaryOp, a: BackendBuffer, aShape: Shape, b: BackendBuffer, bShape: Shape, outShape: Shape): BackendBuffer {
    const x = this.get(a), y = this.get(b), out = this.alloc(sizeOf(outShape));
    const modes = KERNELS.binary[op];
    if (!modes) {
      binaryInto(op, this.view(x), aShape, this.view(y), bShape, this.view(out), outShape);
      return out;
    }
    const plan = planBroadcast([aShape, bShape], outShape);
    const k = modes[plan.colStride.map((s) => (s === 1 ? 'v' : 's')).join('') as BroadcastMode];
    const [ar, br] = plan.rowStride as [number, number];
    const block = plan.rows * plan.cols;
    plan.bases.forEach(([a0, b0], o) => {
      const pa = x.ptr + 4 * a0!, pb = y.ptr + 4 * b0!, po = out.ptr + 4 * o * block;
      this.parallel(k, plan.rows, 1, plan.rows * plan.cols, (r, r1) => ({ a: pa, ar, b: pb, br, o: po, cols: plan.cols, r, r1 }));
    });
    return out;
  }

  where(cond: BackendBuffer, cShape: Shape, a: BackendBuffer, aShape: Shape, b: BackendBuffer, bShape: Shape, outShape: Shape): BackendBuffer {
    const out = this.alloc(sizeOf(outShape));
    whereInto(this.view(this.get(cond)), cShape, this.view(this.get(a)), aShape, this.view(this.get(b)), bShape, this.view(out), outShape);
    return out;
  }

  reduce(op: ReduceOp, a: BackendBuffer, shape: Shape, axes: readonly number[]): BackendBuffer {
    const x = this.get(a);
    const out = this.alloc(sizeOf(shape.filter((_, i) => !axes.includes(i))));
    const steps = planReduce(shape, axes);
    if (steps.length === 0) { this.view(out).set(this.view(x)); return out; }
    let src = x;
    steps.forEach((s, t) => {
      const dst = t === steps.length - 1 ? out : this.alloc(s.outer * s.inner);
      if (s.inner === 1) this.call(KERNELS.reduce[op].rows, { x: src.ptr, out: dst.ptr, red: s.red, o: 0, o1: s.outer });
      else this.call(KERNELS.reduce[op].mid, { x: src.ptr, out: dst.ptr, red: s.red, inner: s.inner, o: 0, o1: s.outer });
      if (src !== x) this.free(src);
      src = dst;
    });
    return out;
  }

  matmul(a: BackendBuffer, b: BackendBuffer, m: number, k: number, n: number, transA: boolean, transB: boolean): BackendBuffer {
    const A = this.get(a), B = this.get(b);
    if (A.size !== m * k || B.size !== k * n) {
      throw new Error(`wasm backend: matmul of [${m}, ${k}]·[${k}, ${n}] got buffers of ${A.size} and ${B.size} elements`);
    }
    const C = this.alloc(m * n);
    if (m === 0 || n === 0) return C;
    if (k === 0) { this.view(C).fill(0); return C; }
    // op(A)[i,p] = A[i·ars + p·acs], op(B)[p,j] = B[p·brs + j·bcs]: the transposes are strides
    const [ars, acs] = transA ? [1, m] : [k, 1];
    const [brs, bcs] = transB ? [1, k] : [n, 1];
    const gemm = KERNELS.gemm;
    const args = (i0: number, i1: number, j0: number, j1: number, t: number): ArgsOf<typeof gemm.sig> =>
      ({ a: A.ptr, ars, acs, b: B.ptr, brs, bcs, c: C.ptr, ldc: n, k, i0, i1, j0, j1, scratch: this.scratch[t]! });
    if (!this.pool || !this.handOff('gemm', m * k * n)) { this.call(gemm, args(0, m, 0, n, 0)); return C; }
    // split the longer side of C into blocks on tile boundaries, a few per thread; each runs on its runner's scratch
    const parts = this.jobCount;
    const tile = gemmTile(this.mode === 'simd+relaxed'); // the register tile of the build that runs
    const jobs = m >= n
      ? split(m, parts, tile.MR).map(([s, e]) => argsOf(gemm, args(s, e, 0, n, 0)))
      : split(n, parts, tile.NR).map(([s, e]) => argsOf(gemm, args(0, m, s, e, 0)));
    this.pool.run(gemm.export, jobs, this.k[gemm.export]!, gemm.names.indexOf('scratch'));
    return C;
  }

  strided(a: BackendBuffer, outShape: Shape, strides: readonly number[], offset: number): BackendBuffer {
    const out = this.alloc(sizeOf(outShape));
    stridedInto(this.view(this.get(a)), outShape, strides, offset, this.view(out));
    return out;
  }

  pad(a: BackendBuffer, aShape: Shape, begin: readonly number[], outShape: Shape): BackendBuffer {
    const out = this.alloc(sizeOf(outShape));
    const o = this.view(out);
    o.fill(0);
    padInto(this.view(this.get(a)), aShape, begin, outShape, o);
    return out;
  }

  concat(parts: readonly BackendBuffer[], shapes: readonly Shape[], axis: number): BackendBuffer {
    const bufs = parts.map((p) => this.get(p));
    const out = this.alloc(shapes.reduce((s, sh) => s + sizeOf(sh), 0));
    concatInto(bufs.map((b) => this.view(b)), shapes, axis, this.view(out));
    return out;
  }

  gatherRows(a: BackendBuffer, n: number, d: number, indices: BackendBuffer): BackendBuffer {
    const x = this.get(a), idx = this.get(indices);
    const out = this.alloc(idx.size * d);
    gatherRowsInto(this.view(x), n, d, this.view(idx), this.view(out));
    return out;
  }

  scatterAddRows(a: BackendBuffer, n: number, d: number, indices: BackendBuffer): BackendBuffer {
    const x = this.get(a), idx = this.get(indices);
    const out = this.alloc(n * d);
    const o = this.view(out);
    o.fill(0);
    try {
      scatterAddRowsInto(this.view(x), n, d, this.view(idx), o);
    } catch (e) { this.free(out); throw e; }
    return out;
  }

  oneHot(indices: BackendBuffer, depth: number, dtype: DType): BackendBuffer {
    this.checkDType(dtype, 'oneHot');
    const idx = this.get(indices);
    const out = this.alloc(idx.size * depth);
    const o = this.view(out);
    o.fill(0);
    try {
      oneHotInto(this.view(idx), depth, o);
    } catch (e) { this.free(out); throw e; }
    return out;
  }

  softmax(a: BackendBuffer, rows: number, cols: number, log: boolean): BackendBuffer {
    const out = this.alloc(rows * cols);
    softmaxInto(this.view(this.get(a)), rows, cols, log, this.view(out));
    return out;
  }

  sphereTau(y: BackendBuffer, inDim: number, outDim: number): SphereTauResult {
    const Y = this.get(y);
    const tau = this.alloc(outDim), weight = this.alloc(inDim * outDim);
    sphereTauInto(this.view(Y), inDim, outDim, this.view(tau), this.view(weight));
    return { tau, weight };
  }

  adamStep(p: BackendBuffer, g: BackendBuffer, m: BackendBuffer, v: BackendBuffer, h: AdamHyper): [BackendBuffer, BackendBuffer, BackendBuffer] {
    const [P, G, M, V] = [p, g, m, v].map((b) => this.get(b)) as [WasmBuffer, WasmBuffer, WasmBuffer, WasmBuffer];
    const outs = [P, M, V].map((b) => {
      const o = this.alloc(b.size);
      this.heap.f32.copyWithin(o.ptr >>> 2, b.ptr >>> 2, (b.ptr >>> 2) + b.size);
      return o;
    }) as [WasmBuffer, WasmBuffer, WasmBuffer];
    this.adamStepInPlace(outs[0], G, outs[1], outs[2], h);
    return outs;
  }

  /** The Adam update written over p, m and v (no allocation): see {@link Backend.adamStep}. */
  adamStepInPlace(p: BackendBuffer, g: BackendBuffer, m: BackendBuffer, v: BackendBuffer, h: AdamHyper): void {
    const [P, G, M, V] = [p, g, m, v].map((b) => this.get(b)) as [WasmBuffer, WasmBuffer, WasmBuffer, WasmBuffer];
    const scalars = adamScalars(h);
    this.parallel(KERNELS.adam, P.size, 4, P.size, (i, end) => ({ p: P.ptr, g: G.ptr, m: M.ptr, v: V.ptr, i, end, ...scalars }));
  }

  weightNorm(v: readonly BackendBuffer[], g: BackendBuffer, spec: WeightNormSpec): WeightNormResult {
    const { inDim, outDim, kind, shared } = spec;
    const V = v.map((b) => this.get(b));
    const G = this.get(g);
    const norms = this.alloc(outDim), scale = this.alloc(outDim);
    const pair = V.length === 2 ? 1 : 0;
    this.columns(KERNELS.colNorm, outDim, inDim, (j, j1) => ({ v: V[0]!.ptr, w: V[pair]!.ptr, pair, l2: kind === 'l2' ? 1 : 0, acc: norms.ptr, rows: inDim, cols: outDim, j, j1 }));
    // per column: n_j (√ of the sum of squares for L2) and the scale r_j = g_j / n_j
    // (views are taken after the allocations: a growing memory detaches them)
    const [gs, n, r] = [this.view(G), this.view(norms), this.view(scale)];
    for (let j = 0; j < outDim; j++) {
      if (kind === 'l2') n[j] = Math.sqrt(n[j]!);
      r[j] = (shared ? gs[0]! : gs[j]!) / n[j]!;
    }
    // W = V · r (r broadcast along rows)
    const w = V.map((vv) => {
      const out = this.alloc(inDim * outDim);
      this.parallel(KERNELS.binary.mul!.vv, inDim, 1, inDim * outDim,
        (r, r1) => ({ a: vv.ptr, ar: outDim, b: scale.ptr, br: 0, o: out.ptr, cols: outDim, r, r1 }));
      return out;
    });
    this.free(scale);
    return { w, norms };
  }

  weightNormBackward(
    gradW: readonly BackendBuffer[], v: readonly BackendBuffer[], g: BackendBuffer, norms: BackendBuffer, spec: WeightNormSpec,
  ): WeightNormGrads {
    const { inDim, outDim, kind, shared } = spec;
    const G = gradW.map((b) => this.get(b));
    const V = v.map((b) => this.get(b));
    const [gBuf, nBuf] = [this.get(g), this.get(norms)];
    const dot = this.alloc(outDim), alpha = this.alloc(outDim), beta = this.alloc(outDim);
    // c_j = Σ_pair Σ_i G_ij V_ij / n_j   (docs/math.md §3)
    this.view(dot).fill(0);
    G.forEach((gg, t) => this.columns(KERNELS.colDot, outDim, inDim, (j, j1) => ({ g: gg.ptr, v: V[t]!.ptr, acc: dot.ptr, rows: inDim, cols: outDim, j, j1 })));
    // ∂L/∂V = α_j·G − β_j·s·π (·t for L2), α = g/n, β = g·c/n (L1) or g·c/n² (L2); views after the allocations
    const [gs, n, c, al, be] = [this.view(gBuf), this.view(nBuf), this.view(dot), this.view(alpha), this.view(beta)];
    let dgShared = 0;
    for (let j = 0; j < outDim; j++) {
      const gj = shared ? gs[0]! : gs[j]!;
      c[j] = c[j]! / n[j]!;
      dgShared += c[j]!;
      al[j] = gj / n[j]!;
      be[j] = kind === 'l1' ? (gj * c[j]!) / n[j]! : (gj * c[j]!) / (n[j]! * n[j]!);
    }
    const pair = V.length === 2 ? 1 : 0;
    const dv = V.map((vv, t) => {
      const out = this.alloc(inDim * outDim);
      this.columns(KERNELS.normGrad, outDim, inDim, (j, j1) => ({
        g: G[t]!.ptr, v: vv.ptr, w: V[1 - t]?.ptr ?? vv.ptr, pair, l2: kind === 'l2' ? 1 : 0, alpha: alpha.ptr, beta: beta.ptr, out: out.ptr, rows: inDim, cols: outDim, j, j1,
      }));
      return out;
    });
    this.free(alpha);
    this.free(beta);
    let dg: WasmBuffer = dot;
    if (shared) {
      this.free(dot);
      dg = this.alloc(1);
      this.view(dg)[0] = dgShared;
    }
    return { dv, dg };
  }

  /** A column-range kernel (weight normalization) over [0, cols), split by threads in groups of 4 columns. */
  private columns<S extends Signature>(k: KernelDef<S>, cols: number, rows: number, args: (j: number, j1: number) => ArgsOf<S>): void {
    this.parallel(k, cols, 4, cols * rows, args);
  }
}

/**
 * The `webgpu` backend: hand-written WGSL kernels (wgsl.ts, matmul.ts) driven through
 * WebGPU — Dawn in Node (npm `webgpu`), `navigator.gpu` in a page — float32.
 *
 * How a training step runs (see the kernels README, "The webgpu backend"):
 * - every op records a dispatch (recorder.ts); a step is one submission, made by the
 *   read-back of its loss, and nothing waits inside it;
 * - pipelines are compiled once per kernel structure; shapes and the operands' heap
 *   offsets travel as uniform parameters, so one pipeline serves every shape;
 * - every tensor is a block of the device heap (heap.ts), so dispatches share bind groups.
 */
import { ownBuffer, releaseBuffer, selfTest, type AdamHyper, type Backend, type BackendBuffer, type SphereTauResult, type WeightNormGrads, type WeightNormResult, type WeightNormSpec } from '../backend.js';
import type { DType, Shape, TypedArray } from '../types.js';
import { sizeOf } from '../types.js';
import type { BinaryOp, ReduceOp, UnaryOp } from '../ops.js';
import { mergeAxes, planReduce } from '../layout.js';
import { openDawn, type DawnDevice } from '../dawn.js';
import * as W from './wgsl.js';
import { chooseTile, matmulSource, P_MATMUL, type MatmulTileName } from './matmul.js';
import { adamScalars } from '../adam.js';
import { MAP_READ, USAGE, type GDevice } from './gpu.js';
import { Recorder } from './recorder.js';
import { DeviceHeap, type Chunk } from './heap.js';

/** Largest workgroup count along one grid axis. */
const GRID_MAX = 65535;

/** A tensor's block of the heap: its chunk, `offset` and `size` in float32 elements. */
class WebGpuBuffer implements BackendBuffer {
  readonly backend = 'webgpu';
  readonly dtype: DType = 'float32';
  freed = false;
  constructor(readonly size: number, readonly chunk: Chunk, readonly offset: number) {}
}

/** Options of {@link WebGpuBackend.create}. */
export interface WebGpuOptions {
  /** Matmul tile shape: `auto` (default) picks by output size; `small`, `large` or `large-scalar` force one (for benchmarks). */
  matmulTile?: MatmulTileName;
  /** Refuse a software adapter (lavapipe, SwiftShader) instead of running on it (default false: run on it, and say so in `description`). */
  requireHardware?: boolean;
}

/** Hand-written WGSL kernels on WebGPU behind the {@link Backend} interface. */
export class WebGpuBackend implements Backend {
  readonly name = 'webgpu';
  readonly mode = 'webgpu';
  readonly synchronous = false;
  private readonly rec: Recorder;
  private readonly heap: DeviceHeap;
  private live = 0;
  private disposed = false;

  private constructor(
    private readonly dawn: DawnDevice,
    readonly description: string,
    private readonly tile: MatmulTileName,
  ) {
    this.rec = new Recorder(this.device);
    this.heap = new DeviceHeap(this.device, this.rec.paramBuffer, (from, to) => {
      this.rec.copy(from, 0, to, 0, from.size);
      this.rec.retire(from);
    });
  }

  private get device(): GDevice { return this.dawn.device as GDevice; }

  /**
   * Opens a WebGPU device (Dawn in Node, the browser's in a page); `description` names the adapter.
   * @param options `matmulTile`: `auto` (the default, by output size), `tiny`, `small`, `large` or `large-scalar`; `requireHardware`: refuse a software adapter such as lavapipe or SwiftShader (default false)
   */
  static async create(options: WebGpuOptions = {}): Promise<WebGpuBackend> {
    const dawn = await openDawn({ requireHardware: options.requireHardware });
    const tile = options.matmulTile ?? 'auto';
    const note = dawn.software ? ' (software rasterizer: correct, not fast)' : '';
    const be = new WebGpuBackend(dawn, `webgpu (WGSL) on ${dawn.adapterName}${note}`, tile);
    try {
      await selfTest(be);
    } catch (e) {
      await be.dispose(); // never leave a device open: one left at exit can crash the process
      throw e;
    }
    return be;
  }

  /**
   * Counters since the backend started: `submissions` (queue submits: one per read-back
   * in a training step), `dispatches` (kernels recorded), `pipelines` (kernels compiled).
   */
  stats(): {
    /** Queue submits so far (one per read-back in a training step). */
    submissions: number;
    /** Kernels recorded so far. */
    dispatches: number;
    /** WGSL pipelines compiled so far. */
    pipelines: number;
  } {
    return { submissions: this.rec.submissions, dispatches: this.rec.dispatches, pipelines: this.rec.pipelineCount };
  }

  supportsDType(dtype: DType): boolean { return dtype === 'float32'; }

  /** The largest tensor this device can hold, in float32 elements: one storage binding. */
  get maxElements(): number { return this.heap.maxElements; }

  // --- memory -------------------------------------------------------------------------------

  private check(buf: BackendBuffer): WebGpuBuffer {
    return ownBuffer(buf, WebGpuBuffer, 'webgpu');
  }

  private admit(dtype: DType = 'float32'): void {
    if (this.disposed) throw new Error('webgpu backend: used after dispose()');
    if (this.rec.failure) throw this.rec.failure;
    if (dtype !== 'float32') throw new Error(`webgpu backend: dtype '${dtype}' is not supported (float32 only; use the cpu backend for float64)`);
  }

  private alloc(size: number): WebGpuBuffer {
    const { chunk, offset } = this.heap.alloc(size);
    this.live++;
    return new WebGpuBuffer(size, chunk, offset);
  }

  upload(data: ArrayLike<number>, dtype: DType): BackendBuffer {
    this.admit(dtype);
    const out = this.alloc(data.length);
    const host = data instanceof Float32Array ? data : Float32Array.from(data);
    if (host.length) this.rec.upload(host, out.chunk.buffer, out.offset * 4);
    return out;
  }

  fill(size: number, value: number, dtype: DType): BackendBuffer {
    this.admit(dtype);
    const out = this.alloc(size);
    this.run('fill', W.fillSource, W.P_FILL.words({ n: size, value }), [out], size);
    return out;
  }

  async read(buf: BackendBuffer): Promise<TypedArray> {
    const b = this.check(buf);
    this.admit();
    const bytes = b.size * 4;
    if (bytes === 0) return new Float32Array(0);
    const target = this.device.createBuffer({ size: bytes, usage: USAGE.MAP_READ | USAGE.COPY_DST });
    this.rec.copy(b.chunk.buffer, b.offset * 4, target, 0, bytes);
    this.rec.flush();
    try {
      await target.mapAsync(MAP_READ);
      await this.rec.settleChecks();
      return new Float32Array(target.getMappedRange().slice(0));
    } finally {
      target.destroy();
    }
  }

  readSync(): TypedArray {
    throw new Error('webgpu: synchronous read-back is impossible on WebGPU; use `await tensor.data()`');
  }

  free(buf: BackendBuffer): void {
    const b = releaseBuffer(buf, WebGpuBuffer, 'webgpu');
    this.live--;
    this.heap.release(b.chunk, b.offset, b.size);
  }

  liveBuffers(): number { return this.live; }

  /** Bytes of device memory held: the heap's chunks, the parameter and upload staging buffers. */
  heapBytes(): number { return this.heap.bytes + this.rec.bytes; }

  /** Submits what is recorded and waits until the device has run it. */
  async settle(): Promise<void> {
    if (this.disposed) return;
    this.rec.flush();
    await this.device.queue.onSubmittedWorkDone();
    await this.rec.settleChecks();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    try { await this.settle(); } catch { /* the device is going away regardless */ }
    this.disposed = true;
    this.heap.destroy();
    this.rec.destroy();
    await this.dawn.teardown();
  }

  // --- recording ----------------------------------------------------------------------------

  /**
   * Records one dispatch of kernel `key` over `buffers` (inputs, then outputs) with
   * `words` as its parameters (packed by the kernel's layout in wgsl.ts; the operands' heap offsets follow):
   * `threads` 1-D threads of 256 per workgroup, or an explicit [x, y] workgroup grid.
   */
  private run(key: string, source: () => W.KernelSource, words: readonly number[], buffers: readonly WebGpuBuffer[], threads: number, grid?: [number, number]): void {
    const groups = grid ?? this.grid(Math.ceil(threads / W.WG));
    if (groups[0] === 0 || groups[1] === 0) return;
    // which chunk binding each operand reads: almost always all in the first
    const first = buffers[0]!.chunk;
    let chunks: Chunk[] = [first];
    let full = key;
    let binding: number[] = [];
    if (buffers.some((b) => b.chunk !== first)) {
      chunks = [];
      binding = buffers.map((b) => {
        let j = chunks.indexOf(b.chunk);
        if (j < 0) j = chunks.push(b.chunk) - 1;
        return j;
      });
      full = `${key}@${binding.join('')}`;
    }
    const pipeline = this.rec.pipeline(full, () => source()(binding), this.heap.layoutsFor(chunks.length).pipeline);
    this.rec.dispatch(pipeline, this.heap.bindGroup(chunks), words, buffers, groups);
  }

  /** A 2-D grid of `n` workgroups (a side holds at most 65 535). */
  private grid(n: number): [number, number] {
    if (n <= GRID_MAX) return [n, 1];
    const y = Math.ceil(n / GRID_MAX);
    return [Math.ceil(n / y), y];
  }

  /** One output of `size` floats from a 1-D kernel with parameter `words`. */
  private unaryLike(key: string, source: () => W.KernelSource, words: readonly number[], ins: readonly BackendBuffer[], size: number): WebGpuBuffer {
    this.admit();
    const inputs = ins.map((b) => this.check(b));
    const out = this.alloc(size);
    this.run(key, source, words, [...inputs, out], size);
    return out;
  }

  // --- kernels ------------------------------------------------------------------------------

  cast(a: BackendBuffer, dtype: DType): BackendBuffer {
    this.admit(dtype);
    return this.unaryLike('copy', W.copySource, W.P_N.words({ n: a.size }), [a], a.size);
  }

  unary(op: UnaryOp, a: BackendBuffer): BackendBuffer {
    return this.unaryLike(`unary:${op}`, () => W.unarySource(op), W.P_N.words({ n: a.size }), [a], a.size);
  }

  /** Refuses a shape the index-decomposing kernels cannot take. */
  private checkRank(dims: Shape, op: string): void {
    if (dims.length > W.MAX_RANK) throw new Error(`webgpu backend: ${op} over rank ${dims.length} (at most ${W.MAX_RANK})`);
  }

  /** {@link W.P_BROADCAST} words of an elementwise op whose inputs have `shapes`, broadcast to `outShape` (axes merged first). */
  private broadcastWords(shapes: readonly Shape[], outShape: Shape, op: string): number[] {
    const { dims, strides } = mergeAxes(shapes, outShape);
    this.checkRank(dims, `${op} (after merging axes)`);
    return W.P_BROADCAST.words({ n: sizeOf(outShape), rank: dims.length, shape: dims, s0: strides[0] ?? [], s1: strides[1] ?? [], s2: strides[2] ?? [] });
  }

  binary(op: BinaryOp, a: BackendBuffer, aShape: Shape, b: BackendBuffer, bShape: Shape, outShape: Shape): BackendBuffer {
    const n = sizeOf(outShape);
    const contiguous = sizeOf(aShape) === n && sizeOf(bShape) === n;
    if (contiguous) return this.unaryLike(`binary:${op}:flat`, () => W.binarySource(op, true), W.P_N.words({ n }), [a, b], n);
    return this.unaryLike(`binary:${op}`, () => W.binarySource(op, false), this.broadcastWords([aShape, bShape], outShape, op), [a, b], n);
  }

  where(cond: BackendBuffer, cShape: Shape, a: BackendBuffer, aShape: Shape, b: BackendBuffer, bShape: Shape, outShape: Shape): BackendBuffer {
    const words = this.broadcastWords([cShape, aShape, bShape], outShape, 'where');
    return this.unaryLike('where', W.whereSource, words, [cond, a, b], sizeOf(outShape));
  }

  reduce(op: ReduceOp, a: BackendBuffer, shape: Shape, axes: readonly number[]): BackendBuffer {
    this.admit();
    let cur = this.check(a);
    const steps = planReduce(shape, axes);
    if (!steps.length) return this.cast(a, 'float32');
    steps.forEach((s, i) => {
      const n = s.outer * s.inner;
      const out = this.alloc(n);
      if (s.inner === 1 && s.red >= W.WG) {
        this.run(`reduceRows:${op}`, () => W.reduceRowsSource(op), W.P_ROWS.words({ n, cols: s.red }), [cur, out], 0, this.grid(n));
      } else {
        this.run(`reduceLoop:${op}`, () => W.reduceLoopSource(op), W.P_REDUCE.words({ n, red: s.red, inner: s.inner }), [cur, out], n);
      }
      if (i > 0) this.free(cur);
      cur = out;
    });
    return cur;
  }

  matmul(a: BackendBuffer, b: BackendBuffer, m: number, k: number, n: number, transA: boolean, transB: boolean): BackendBuffer {
    this.admit();
    const A = this.check(a), B = this.check(b);
    const out = this.alloc(m * n);
    if (k === 0) {
      this.run('fill', W.fillSource, W.P_FILL.words({ n: m * n, value: 0 }), [out], m * n);
      return out;
    }
    const tile = chooseTile(m, n, this.tile);
    const key = `matmul:${tile.bm}x${tile.bn}x${tile.bk}:${tile.tm}x${tile.tn}${tile.vec4 ? ':vec4' : ''}:${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}`;
    this.run(key, () => matmulSource(tile, transA, transB), P_MATMUL.words({ M: m, K: k, N: n }), [A, B, out], 0, [Math.ceil(n / tile.bn), Math.ceil(m / tile.bm)]);
    return out;
  }

  strided(a: BackendBuffer, outShape: Shape, strides: readonly number[], offset: number): BackendBuffer {
    this.checkRank(outShape, 'strided view');
    const words = W.P_STRIDED.words({ n: sizeOf(outShape), rank: outShape.length, shape: outShape, s0: strides, s1: [], s2: [], offset });
    return this.unaryLike('strided', W.stridedSource, words, [a], sizeOf(outShape));
  }

  pad(a: BackendBuffer, aShape: Shape, begin: readonly number[], outShape: Shape): BackendBuffer {
    this.checkRank(outShape, 'pad');
    const words = W.P_PAD.words({ n: sizeOf(outShape), rank: outShape.length, shape: outShape, begin, extent: aShape });
    return this.unaryLike('pad', W.padSource, words, [a], sizeOf(outShape));
  }

  concat(parts: readonly BackendBuffer[], shapes: readonly Shape[], axis: number): BackendBuffer {
    this.admit();
    const ins = parts.map((p) => this.check(p));
    const inner = sizeOf(shapes[0]!.slice(axis + 1));
    const total = shapes.reduce((s, sh) => s + sh[axis]!, 0);
    const out = this.alloc(shapes.reduce((s, sh) => s + sizeOf(sh), 0));
    let at = 0;
    ins.forEach((p, i) => {
      const row = shapes[i]![axis]! * inner;
      this.run('place', W.placeSource, W.P_PLACE.words({ n: p.size, partRow: row, outRow: total * inner, colOffset: at * inner }), [p, out], p.size);
      at += shapes[i]![axis]!;
    });
    return out;
  }

  gatherRows(a: BackendBuffer, n: number, d: number, indices: BackendBuffer): BackendBuffer {
    return this.unaryLike('gather', W.gatherSource, W.P_ROWS_OF.words({ n: indices.size * d, d, rows: n }), [a, indices], indices.size * d);
  }

  scatterAddRows(a: BackendBuffer, n: number, d: number, indices: BackendBuffer): BackendBuffer {
    return this.unaryLike('scatterAdd', W.scatterAddSource, W.P_ROWS_OF.words({ n: n * d, d, rows: indices.size }), [a, indices], n * d);
  }

  oneHot(indices: BackendBuffer, depth: number, dtype: DType): BackendBuffer {
    this.admit(dtype);
    return this.unaryLike('oneHot', W.oneHotSource, W.P_ONE_HOT.words({ n: indices.size * depth, depth }), [indices], indices.size * depth);
  }

  softmax(a: BackendBuffer, rows: number, cols: number, log: boolean): BackendBuffer {
    this.admit();
    const A = this.check(a);
    const out = this.alloc(rows * cols);
    this.run(`softmax:${log}`, () => W.softmaxSource(log), W.P_ROWS.words({ n: rows, cols }), [A, out], 0, this.grid(rows));
    return out;
  }

  adamStep(p: BackendBuffer, g: BackendBuffer, m: BackendBuffer, v: BackendBuffer, h: AdamHyper): [BackendBuffer, BackendBuffer, BackendBuffer] {
    const out = [p, m, v].map((b) => this.cast(b, 'float32')) as [BackendBuffer, BackendBuffer, BackendBuffer];
    this.adamStepInPlace(out[0], g, out[1], out[2], h);
    return out;
  }

  adamStepInPlace(p: BackendBuffer, g: BackendBuffer, m: BackendBuffer, v: BackendBuffer, h: AdamHyper): void {
    this.admit();
    const bufs = [g, p, m, v].map((b) => this.check(b));
    this.run('adam', W.adamSource, W.P_ADAM.words({ n: p.size, ...adamScalars(h) }), bufs, p.size);
  }

  /** A column reduction over [in, out] matrices: COLS columns per workgroup. */
  private columns(key: string, source: () => W.KernelSource, ins: readonly WebGpuBuffer[], inDim: number, outDim: number): WebGpuBuffer {
    const out = this.alloc(outDim);
    this.run(key, source, W.P_COLUMNS.words({ cols: outDim, rows: inDim }), [...ins, out], 0, this.grid(Math.ceil(outDim / W.COLS)));
    return out;
  }

  weightNorm(v: readonly BackendBuffer[], g: BackendBuffer, spec: WeightNormSpec): WeightNormResult {
    this.admit();
    const { inDim, outDim, kind, shared } = spec;
    const vs = v.map((b) => this.check(b));
    const G = this.check(g);
    const pair = vs.length === 2;
    const norms = this.columns(`norms:${kind}:${pair}`, () => W.normsSource(kind, pair), vs, inDim, outDim);
    const w = vs.map((vv) => {
      const out = this.alloc(inDim * outDim);
      this.run('normApply', W.normApplySource, W.P_NORM.words({ n: inDim * outDim, cols: outDim, shared: +shared }), [vv, G, norms, out], inDim * outDim);
      return out;
    });
    return { w, norms };
  }

  weightNormBackward(
    gradW: readonly BackendBuffer[], v: readonly BackendBuffer[], g: BackendBuffer, norms: BackendBuffer, spec: WeightNormSpec,
  ): WeightNormGrads {
    this.admit();
    const { inDim, outDim, kind, shared } = spec;
    const gw = gradW.map((b) => this.check(b));
    const vs = v.map((b) => this.check(b));
    const [G, n] = [this.check(g), this.check(norms)];
    const pair = vs.length === 2;
    const coefIns = pair ? [gw[0]!, vs[0]!, gw[1]!, vs[1]!, n] : [gw[0]!, vs[0]!, n];
    const c = this.columns(`normCoef:${pair}`, () => W.normCoefSource(pair), coefIns, inDim, outDim);
    const dv = vs.map((vv, t) => {
      const out = this.alloc(inDim * outDim);
      const ins = pair ? [gw[t]!, vv, vs[1 - t]!, G, n, c] : [gw[t]!, vv, G, n, c];
      this.run(`normGrad:${kind}:${pair}`, () => W.normGradSource(kind, pair), W.P_NORM.words({ n: inDim * outDim, cols: outDim, shared: +shared }), [...ins, out], inDim * outDim);
      return out;
    });
    if (!shared) return { dv, dg: c };
    const dg = this.reduce('sum', c, [outDim], [0]);
    this.free(c);
    return { dv, dg };
  }

  sphereTau(y: BackendBuffer, inDim: number, outDim: number): SphereTauResult {
    this.admit();
    const Y = this.check(y);
    const tau = this.alloc(outDim);
    const weight = this.alloc(inDim * outDim);
    this.run('sphereTau', W.sphereTauSource, W.P_COLUMNS.words({ cols: outDim, rows: inDim }), [Y, tau, weight], 0, this.grid(outDim));
    return { tau, weight };
  }
}

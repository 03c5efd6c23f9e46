/**
 * The `webgpu` backend: hand-written WGSL kernels (wgsl.ts, matmul.ts) driven
 * directly through WebGPU (Dawn in Node, npm `webgpu`), float32.
 *
 * How a training step runs (DESIGN.md, "WGSL on WebGPU"):
 * - every op records a dispatch into one command encoder; nothing is submitted until a
 *   read-back (or a cap of recorded dispatches), so a step is one `queue.submit`, and
 *   nothing waits inside it;
 * - pipelines are compiled once per kernel structure and cached; shapes travel as
 *   uniform parameters, all dispatches of a submission sharing one uniform buffer, each
 *   at its own 256-byte slot (a dynamic offset), so no buffer is created per op;
 * - every tensor is a block of a device heap, carved by a size-class allocator
 *   (arena.ts) and addressed by offsets in the parameters, so one bind group serves every
 *   dispatch (creating a bind group per dispatch cost more than the rest of recording
 *   it together). Freed blocks are reusable at once, since commands run in recording
 *   order. Uploads are staged and copied in that order too, so they never overwrite a
 *   block a recorded kernel has yet to read.
 * - The heap is a list of chunks, each one device buffer of at most the device's
 *   largest storage binding. A chunk that fills is replaced by a larger one (contents
 *   copied on the device, offsets unchanged) until it reaches that size; then a new
 *   chunk opens. A kernel binds each distinct chunk its operands live in once (a
 *   buffer bound twice, writable, would alias): almost always just the first.
 */
import { ownBuffer, releaseBuffer, selfTest, type AdamHyper, type Backend, type BackendBuffer, type SphereTauResult, WeightNormGrads, WeightNormResult, WeightNormSpec } from '../backend.js';
import type { DType, Shape, TypedArray } from '../types.js';
import { sizeOf } from '../types.js';
import type { BinaryOp, ReduceOp, UnaryOp } from '../ops.js';
import { mergeAxes, planReduce } from '../layout.js';
import { openDawn, type DawnDevice } from '../dawn.js';
import * as W from './wgsl.js';
import { chooseTile, matmulSource, type MatmulTileName } from './matmul.js';
import { Arena, quarterStep } from '../arena.js';

/** WebGPU's usage, map-mode and shader-stage bits (numeric, so no globals need installing). */
const USAGE = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 } as const;
const MAP_READ = 0x1;
const COMPUTE = 0x4;
/** Bytes per dispatch in the uniform buffer (minUniformBufferOffsetAlignment is at most 256). */
const SLOT = W.PARAM_WORDS * 4;
/** Dispatches recorded before the encoder is submitted anyway (bounds the uniform buffer). */
const MAX_RECORDED = 4096;
/** Largest workgroup count along one grid axis. */
const GRID_MAX = 65535;
/** Heap blocks start at multiples of 64 elements (256 bytes) and come in quarter-step classes. */
const blockClass = (elems: number): number => quarterStep(elems, 64);
/** The heap's first size, in float32 elements (16 MiB). */
const INITIAL_HEAP = 1 << 22;

// --- the slice of the WebGPU API used here ------------------------------------------------
interface GBuffer { readonly size: number; destroy(): void; mapAsync(mode: number): Promise<void>; getMappedRange(): ArrayBuffer; unmap(): void }
interface GPass { setPipeline(p: unknown): void; setBindGroup(i: number, g: unknown, offsets?: number[]): void; dispatchWorkgroups(x: number, y?: number): void; end(): void }
interface GEncoder { beginComputePass(): GPass; copyBufferToBuffer(a: GBuffer, ao: number, b: GBuffer, bo: number, n: number): void; finish(): unknown }
type Entry = { binding: number; visibility: number; buffer: { type: 'uniform' | 'storage'; hasDynamicOffset?: boolean; minBindingSize?: number } };
interface GDevice {
  createBuffer(d: { size: number; usage: number }): GBuffer;
  createShaderModule(d: { code: string }): unknown;
  createBindGroupLayout(d: { entries: Entry[] }): unknown;
  createPipelineLayout(d: { bindGroupLayouts: unknown[] }): unknown;
  createComputePipeline(d: { layout: unknown; compute: { module: unknown; entryPoint: string } }): unknown;
  createBindGroup(d: { layout: unknown; entries: { binding: number; resource: { buffer: GBuffer; offset?: number; size?: number } }[] }): unknown;
  createCommandEncoder(): GEncoder;
  readonly limits: { maxStorageBufferBindingSize: number };
  pushErrorScope(f: 'validation' | 'out-of-memory'): void;
  popErrorScope(): Promise<{ message: string } | null>;
  queue: { submit(c: unknown[]): void; writeBuffer(b: GBuffer, off: number, data: ArrayBufferView, dataOff?: number, size?: number): void; onSubmittedWorkDone(): Promise<void> };
  destroy(): void;
}

/** One device buffer of the heap; `generation` counts its replacements by larger ones. */
interface Chunk { id: number; buffer: GBuffer; arena: Arena; generation: number }

/** A tensor's block of the heap: its chunk, `offset` and `size` in float32 elements. */
class WebGpuBuffer implements BackendBuffer {
  readonly backend = 'webgpu';
  readonly dtype: DType = 'float32';
  freed = false;
  constructor(readonly size: number, readonly chunk: Chunk, readonly offset: number) {}
}

/** The bind-group and pipeline layouts of kernels binding `n` chunks. */
interface Layouts { group: unknown; pipeline: unknown }

/** Options of {@link WebGpuBackend.create}. */
export interface WebGpuOptions {
  /** Matmul tile shape: `auto` (default) picks by output size; `small` or `large` force one (for benchmarks). */
  matmulTile?: MatmulTileName;
  /** Refuse a software adapter (lavapipe, SwiftShader) instead of running on it. */
  requireHardware?: boolean;
}

const f32bits = (() => {
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  return (x: number): number => { f[0] = x; return u[0]!; };
})();

/** Hand-written WGSL kernels on WebGPU behind the {@link Backend} interface. */
export class WebGpuBackend implements Backend {
  readonly name = 'webgpu';
  readonly mode = 'webgpu';
  readonly synchronous = false;
  private readonly pipelines = new Map<string, unknown>();
  private readonly layouts = new Map<number, Layouts>();
  /** Bind groups by the chunks (and generations) they bind, in binding order. */
  private readonly groups = new Map<string, unknown>();
  private readonly chunks: Chunk[] = [];
  private readonly params = new Uint32Array(MAX_RECORDED * W.PARAM_WORDS);
  private readonly paramBuffer: GBuffer;
  /** Upload staging: host data is written here, then copied into the heap in recording order. */
  private staging: GBuffer;
  private stagingTop = 0;
  /** Buffers the recorded commands still use, destroyed after the next submission. */
  private retired: GBuffer[] = [];
  private encoder: GEncoder | undefined;
  private pass: GPass | undefined;
  private lastPipeline: unknown;
  private recorded = 0;
  private live = 0;
  private failure: Error | undefined;
  private readonly checks = new Set<Promise<void>>();
  private disposed = false;
  private submissions = 0;
  private dispatches = 0;
  /** Largest chunk, in floats: one storage binding on this device. */
  private readonly maxElements: number;

  private constructor(
    private readonly dawn: DawnDevice,
    readonly description: string,
    private readonly tile: MatmulTileName,
  ) {
    const d = this.device;
    this.maxElements = Math.floor(d.limits.maxStorageBufferBindingSize / 4);
    this.paramBuffer = d.createBuffer({ size: MAX_RECORDED * SLOT, usage: USAGE.UNIFORM | USAGE.COPY_DST });
    this.staging = d.createBuffer({ size: 1 << 20, usage: USAGE.COPY_SRC | USAGE.COPY_DST });
  }

  private get device(): GDevice { return this.dawn.device as GDevice; }

  /** Opens a WebGPU device through Dawn; `description` names the adapter. */
  static async create(options: WebGpuOptions = {}): Promise<WebGpuBackend> {
    const dawn = await openDawn();
    if (options.requireHardware && dawn.software) {
      await dawn.teardown();
      throw new Error(`webgpu: the adapter is a software rasterizer (${dawn.adapterName})`);
    }
    const tile = options.matmulTile ?? 'auto';
    const note = dawn.software ? ' (software rasterizer: correct, not fast)' : '';
    const be = new WebGpuBackend(dawn, `webgpu (WGSL) on ${dawn.adapterName}${note}`, tile);
    await selfTest(be);
    return be;
  }


  /**
   * Counters since the backend started: `submissions` (queue submits: one per read-back
   * in a training step), `dispatches` (kernels recorded), `pipelines` (kernels compiled).
   */
  stats(): { submissions: number; dispatches: number; pipelines: number } {
    return { submissions: this.submissions, dispatches: this.dispatches, pipelines: this.pipelines.size };
  }

  supportsDType(dtype: DType): boolean { return dtype === 'float32'; }

  // --- memory -------------------------------------------------------------------------------

  private chunkBuffer(elems: number): GBuffer {
    return this.device.createBuffer({ size: elems * 4, usage: USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST });
  }

  /** Layouts of kernels that bind `n` chunks: binding 0 the parameter slot (dynamic offset), 1…n the chunks. */
  private layoutsFor(n: number): Layouts {
    let l = this.layouts.get(n);
    if (!l) {
      const entries: Entry[] = [{ binding: 0, visibility: COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: SLOT } }];
      for (let i = 1; i <= n; i++) entries.push({ binding: i, visibility: COMPUTE, buffer: { type: 'storage' } });
      const group = this.device.createBindGroupLayout({ entries });
      l = { group, pipeline: this.device.createPipelineLayout({ bindGroupLayouts: [group] }) };
      this.layouts.set(n, l);
    }
    return l;
  }

  /** The bind group of `chunks` (in binding order), made once per chunk generation. */
  private bindGroup(chunks: readonly Chunk[]): unknown {
    const key = chunks.map((c) => `${c.id}.${c.generation}`).join('|');
    let g = this.groups.get(key);
    if (!g) {
      g = this.device.createBindGroup({ layout: this.layoutsFor(chunks.length).group, entries: [
        { binding: 0, resource: { buffer: this.paramBuffer, offset: 0, size: SLOT } },
        ...chunks.map((c, i) => ({ binding: i + 1, resource: { buffer: c.buffer } })),
      ] });
      this.groups.set(key, g);
    }
    return g;
  }

  private check(buf: BackendBuffer): WebGpuBuffer {
    return ownBuffer(buf, WebGpuBuffer, 'webgpu');
  }

  private admit(dtype: DType = 'float32'): void {
    if (this.disposed) throw new Error('webgpu backend: used after dispose()');
    if (this.failure) throw this.failure;
    if (dtype !== 'float32') throw new Error(`webgpu backend: dtype '${dtype}' is not supported (float32 only; use the cpu backend for float64)`);
  }

  /**
   * A heap block for `size` floats: in the first chunk with room, growing it (a
   * device-side copy, recorded in order) when its buffer is full, else in a new chunk.
   */
  private alloc(size: number): WebGpuBuffer {
    if (size > this.maxElements) {
      throw new Error(`webgpu backend: a buffer of ${size} floats exceeds this device's largest storage binding (${this.maxElements} floats)`);
    }
    let chunk: Chunk | undefined;
    let offset = -1;
    for (const c of this.chunks) {
      offset = c.arena.alloc(size, this.maxElements);
      if (offset >= 0) { chunk = c; break; }
    }
    if (!chunk) {
      chunk = { id: this.chunks.length, buffer: this.chunkBuffer(Math.min(this.maxElements, Math.max(INITIAL_HEAP, blockClass(size)))), arena: new Arena(blockClass), generation: 0 };
      this.chunks.push(chunk);
      offset = chunk.arena.alloc(size, this.maxElements);
    }
    const need = chunk.arena.top, cap = chunk.buffer.size / 4;
    if (need > cap) {
      const grown = this.chunkBuffer(Math.min(this.maxElements, Math.max(need, 2 * cap)));
      this.endPass();
      this.open().copyBufferToBuffer(chunk.buffer, 0, grown, 0, chunk.buffer.size);
      this.retired.push(chunk.buffer);
      for (const key of [...this.groups.keys()]) if (key.split('|').includes(`${chunk.id}.${chunk.generation}`)) this.groups.delete(key);
      chunk.buffer = grown;
      chunk.generation++;
    }
    this.live++;
    return new WebGpuBuffer(size, chunk, offset);
  }

  upload(data: ArrayLike<number>, dtype: DType): BackendBuffer {
    this.admit(dtype);
    const out = this.alloc(data.length);
    const host = data instanceof Float32Array ? data : Float32Array.from(data);
    const bytes = host.length * 4;
    if (!bytes) return out;
    // staged at a fresh offset, then copied in recording order: never ahead of a kernel reading the block's last tenant
    if (this.stagingTop + bytes > this.staging.size) {
      this.flush(); // submitting frees the whole staging buffer for reuse
      if (bytes > this.staging.size) {
        this.retired.push(this.staging);
        this.staging = this.device.createBuffer({ size: Math.ceil(bytes / 256) * 256, usage: USAGE.COPY_SRC | USAGE.COPY_DST });
      }
    }
    this.device.queue.writeBuffer(this.staging, this.stagingTop, host, 0, host.length);
    this.endPass();
    this.open().copyBufferToBuffer(this.staging, this.stagingTop, out.chunk.buffer, out.offset * 4, bytes);
    this.stagingTop += Math.ceil(bytes / 256) * 256;
    return out;
  }

  fill(size: number, value: number, dtype: DType): BackendBuffer {
    this.admit(dtype);
    const out = this.alloc(size);
    this.run('fill', W.fillSource, [size, f32bits(value)], [out], size);
    return out;
  }

  async read(buf: BackendBuffer): Promise<TypedArray> {
    const b = this.check(buf);
    this.admit();
    const bytes = b.size * 4;
    if (bytes === 0) return new Float32Array(0);
    const target = this.device.createBuffer({ size: bytes, usage: USAGE.MAP_READ | USAGE.COPY_DST });
    this.endPass();
    this.open().copyBufferToBuffer(b.chunk.buffer, b.offset * 4, target, 0, bytes);
    this.flush();
    try {
      await target.mapAsync(MAP_READ);
      await this.settleChecks();
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
    b.chunk.arena.release(b.offset, b.size); // reusable at once: later commands run after earlier readers
  }

  liveBuffers(): number { return this.live; }

  /** Bytes of device memory held: the heap's chunks, the upload staging and the parameter buffer. */
  heapBytes(): number { return this.chunks.reduce((s, c) => s + c.buffer.size, 0) + this.staging.size + this.paramBuffer.size; }

  /** Submits what is recorded and waits until the device has run it. */
  async settle(): Promise<void> {
    if (this.disposed) return;
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    await this.settleChecks();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    try { await this.settle(); } catch { /* the device is going away regardless */ }
    this.disposed = true;
    for (const b of [...this.chunks.map((c) => c.buffer), this.staging, this.paramBuffer, ...this.retired]) b.destroy();
    this.retired = [];
    this.chunks.length = 0;
    this.groups.clear();
    this.pipelines.clear();
    await this.dawn.teardown();
  }

  // --- recording ----------------------------------------------------------------------------

  private open(): GEncoder {
    if (!this.encoder) {
      this.device.pushErrorScope('out-of-memory');
      this.device.pushErrorScope('validation');
      this.encoder = this.device.createCommandEncoder();
    }
    return this.encoder;
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = undefined;
  }

  /** Submits the recorded commands, with their parameters, as one submission. */
  private flush(): void {
    if (!this.encoder) return;
    this.endPass();
    if (this.recorded) this.device.queue.writeBuffer(this.paramBuffer, 0, this.params, 0, this.recorded * W.PARAM_WORDS);
    this.device.queue.submit([this.encoder.finish()]);
    this.submissions++;
    this.encoder = undefined;
    this.recorded = 0;
    this.stagingTop = 0;
    for (const b of this.retired) b.destroy(); // WebGPU keeps them alive until the submitted work is done
    this.retired = [];
    const check = Promise.all([this.device.popErrorScope(), this.device.popErrorScope()]).then((errs) => {
      const e = errs.find((x) => x);
      if (e) this.failure ??= new Error(`webgpu: the device rejected a command: ${e.message.split('\n')[0]}`);
    });
    this.checks.add(check);
    void check.finally(() => this.checks.delete(check));
  }

  private async settleChecks(): Promise<void> {
    while (this.checks.size) await Promise.all([...this.checks]);
    if (this.failure) throw this.failure;
  }

  /** The pipeline of kernel `key` with its operands in chunks `binding[i]` (0 = the first bound). */
  private pipeline(key: string, source: () => string, binding: readonly number[], chunks: number): unknown {
    const full = chunks > 1 ? `${key}@${binding.join('')}` : key;
    let p = this.pipelines.get(full);
    if (!p) {
      const module = this.device.createShaderModule({ code: W.onHeap(source(), binding) });
      p = this.device.createComputePipeline({ layout: this.layoutsFor(chunks).pipeline, compute: { module, entryPoint: 'main' } });
      this.pipelines.set(full, p);
    }
    return p;
  }

  /**
   * Records one dispatch of kernel `key` over `buffers` (inputs, then outputs) with
   * `words` as its parameters (the operands' heap offsets follow at OPERAND_BASE):
   * `threads` 1-D threads of 256 per workgroup, or an explicit [x, y] workgroup grid.
   */
  private run(key: string, source: () => string, words: readonly number[], buffers: readonly WebGpuBuffer[], threads: number, grid?: [number, number]): void {
    const groups = grid ?? this.grid(Math.ceil(threads / W.WG));
    if (groups[0] === 0 || groups[1] === 0) return;
    if (this.recorded === MAX_RECORDED) this.flush();
    const encoder = this.open(); // first, so its error scopes cover the pipeline's compilation too
    const chunks: Chunk[] = [];
    const binding = buffers.map((b) => {
      let j = chunks.indexOf(b.chunk);
      if (j < 0) j = chunks.push(b.chunk) - 1;
      return j;
    });
    const pipeline = this.pipeline(key, source, binding, chunks.length);
    const at = this.recorded * W.PARAM_WORDS;
    this.params.fill(0, at, at + W.PARAM_WORDS);
    for (let i = 0; i < words.length; i++) this.params[at + i] = words[i]!;
    for (let i = 0; i < buffers.length; i++) this.params[at + W.OPERAND_BASE + i] = buffers[i]!.offset;
    if (!this.pass) {
      this.pass = encoder.beginComputePass();
      this.lastPipeline = undefined;
    }
    if (pipeline !== this.lastPipeline) this.pass.setPipeline(pipeline);
    this.lastPipeline = pipeline;
    this.pass.setBindGroup(0, this.bindGroup(chunks), [this.recorded * SLOT]);
    this.pass.dispatchWorkgroups(groups[0], groups[1]);
    this.recorded++;
    this.dispatches++;
  }

  /** A 2-D grid of `n` workgroups (a side holds at most 65 535). */
  private grid(n: number): [number, number] {
    if (n <= GRID_MAX) return [n, 1];
    const y = Math.ceil(n / GRID_MAX);
    return [Math.ceil(n / y), y];
  }

  /** One output of `size` floats from a 1-D kernel. */
  private unaryLike(key: string, source: () => string, words: readonly number[], ins: readonly BackendBuffer[], size: number): WebGpuBuffer {
    this.admit();
    const inputs = ins.map((b) => this.check(b));
    const out = this.alloc(size);
    this.run(key, source, [size, ...words], [...inputs, out], size);
    return out;
  }

  // --- kernels ------------------------------------------------------------------------------

  cast(a: BackendBuffer, dtype: DType): BackendBuffer {
    this.admit(dtype);
    return this.unaryLike('copy', W.copySource, [], [a], a.size);
  }

  unary(op: UnaryOp, a: BackendBuffer): BackendBuffer {
    return this.unaryLike(`unary:${op}`, () => W.unarySource(op), [], [a], a.size);
  }

  /** The parameter words of an op over `outShape` with inputs read at `strides` (axes merged first). */
  private indexWords(shapes: readonly Shape[], outShape: Shape, op: string): number[] {
    const { dims, strides } = mergeAxes(shapes, outShape);
    if (dims.length > W.MAX_RANK) throw new Error(`webgpu backend: ${op} over rank ${dims.length} after merging axes (at most ${W.MAX_RANK})`);
    const words = new Array<number>(33).fill(0);
    words[1] = dims.length;
    dims.forEach((d, i) => { words[2 + i] = d; });
    strides.forEach((s, t) => s.forEach((v, i) => { words[W.STRIDE_BASE[t]! + i] = v; }));
    return words;
  }

  binary(op: BinaryOp, a: BackendBuffer, aShape: Shape, b: BackendBuffer, bShape: Shape, outShape: Shape): BackendBuffer {
    const n = sizeOf(outShape);
    const contiguous = sizeOf(aShape) === n && sizeOf(bShape) === n;
    if (contiguous) return this.unaryLike(`binary:${op}:flat`, () => W.binarySource(op, true), [], [a, b], n);
    const words = this.indexWords([aShape, bShape], outShape, op);
    return this.unaryLike(`binary:${op}`, () => W.binarySource(op, false), words.slice(1), [a, b], n);
  }

  where(cond: BackendBuffer, cShape: Shape, a: BackendBuffer, aShape: Shape, b: BackendBuffer, bShape: Shape, outShape: Shape): BackendBuffer {
    const words = this.indexWords([cShape, aShape, bShape], outShape, 'where');
    return this.unaryLike('where', W.whereSource, words.slice(1), [cond, a, b], sizeOf(outShape));
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
        this.run(`reduceRows:${op}`, () => W.reduceRowsSource(op), [n, s.red], [cur, out], 0, this.grid(n));
      } else {
        this.run(`reduceLoop:${op}`, () => W.reduceLoopSource(op), [n, s.red, s.inner], [cur, out], n);
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
      this.run('fill', W.fillSource, [m * n, 0], [out], m * n);
      return out;
    }
    const tile = chooseTile(m, n, this.tile);
    const key = `matmul:${tile.bm}x${tile.bn}x${tile.bk}:${tile.tm}x${tile.tn}${tile.vec4 ? ':vec4' : ''}:${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}`;
    this.run(key, () => matmulSource(tile, transA, transB), [m, k, n], [A, B, out], 0, [Math.ceil(n / tile.bn), Math.ceil(m / tile.bm)]);
    return out;
  }

  strided(a: BackendBuffer, outShape: Shape, strides: readonly number[], offset: number): BackendBuffer {
    const r = outShape.length;
    if (r > W.MAX_RANK) throw new Error(`webgpu backend: strided view of rank ${r} (at most ${W.MAX_RANK})`);
    const words = new Array<number>(26).fill(0);
    words[0] = r;
    outShape.forEach((d, i) => { words[1 + i] = d; words[9 + i] = strides[i]!; });
    words[25] = offset;
    return this.unaryLike('strided', W.stridedSource, words, [a], sizeOf(outShape));
  }

  pad(a: BackendBuffer, aShape: Shape, begin: readonly number[], outShape: Shape): BackendBuffer {
    const r = outShape.length;
    if (r > W.MAX_RANK) throw new Error(`webgpu backend: pad of rank ${r} (at most ${W.MAX_RANK})`);
    const words = new Array<number>(25).fill(0);
    words[0] = r;
    outShape.forEach((d, i) => { words[1 + i] = d; words[9 + i] = begin[i]!; words[17 + i] = aShape[i]!; });
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
      this.run('place', W.placeSource, [p.size, row, total * inner, at * inner], [p, out], p.size);
      at += shapes[i]![axis]!;
    });
    return out;
  }

  gatherRows(a: BackendBuffer, n: number, d: number, indices: BackendBuffer): BackendBuffer {
    return this.unaryLike('gather', W.gatherSource, [d, n], [a, indices], indices.size * d);
  }

  scatterAddRows(a: BackendBuffer, n: number, d: number, indices: BackendBuffer): BackendBuffer {
    return this.unaryLike('scatterAdd', W.scatterAddSource, [d, indices.size], [a, indices], n * d);
  }

  oneHot(indices: BackendBuffer, depth: number, dtype: DType): BackendBuffer {
    this.admit(dtype);
    return this.unaryLike('oneHot', W.oneHotSource, [depth], [indices], indices.size * depth);
  }

  softmax(a: BackendBuffer, rows: number, cols: number, log: boolean): BackendBuffer {
    this.admit();
    const A = this.check(a);
    const out = this.alloc(rows * cols);
    this.run(`softmax:${log}`, () => W.softmaxSource(log), [rows, cols], [A, out], 0, this.grid(rows));
    return out;
  }

  private adamWords(size: number, h: AdamHyper): number[] {
    return [size, ...[h.lr / h.bc1, h.beta1, h.beta2, h.eps, h.weightDecay, Math.sqrt(h.bc2)].map(f32bits)];
  }

  adamStep(p: BackendBuffer, g: BackendBuffer, m: BackendBuffer, v: BackendBuffer, h: AdamHyper): [BackendBuffer, BackendBuffer, BackendBuffer] {
    const out = [p, m, v].map((b) => this.cast(b, 'float32')) as [BackendBuffer, BackendBuffer, BackendBuffer];
    this.adamStepInPlace(out[0], g, out[1], out[2], h);
    return out;
  }

  adamStepInPlace(p: BackendBuffer, g: BackendBuffer, m: BackendBuffer, v: BackendBuffer, h: AdamHyper): void {
    this.admit();
    const bufs = [g, p, m, v].map((b) => this.check(b));
    this.run('adam', W.adamSource, this.adamWords(p.size, h), bufs, p.size);
  }

  /** A column reduction over [in, out] matrices: COLS columns per workgroup. */
  private columns(key: string, source: () => string, ins: readonly WebGpuBuffer[], inDim: number, outDim: number): WebGpuBuffer {
    const out = this.alloc(outDim);
    this.run(key, source, [outDim, inDim], [...ins, out], 0, this.grid(Math.ceil(outDim / W.COLS)));
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
      this.run('normApply', W.normApplySource, [inDim * outDim, outDim, +shared], [vv, G, norms, out], inDim * outDim);
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
      this.run(`normGrad:${kind}:${pair}`, () => W.normGradSource(kind, pair), [inDim * outDim, outDim, +shared], [...ins, out], inDim * outDim);
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
    this.run('sphereTau', W.sphereTauSource, [outDim, inDim], [Y, tau, weight], 0, this.grid(outDim));
    return { tau, weight };
  }
}

import { ownBuffer, releaseBuffer, selfTest, type AdamHyper, type Backend, type BackendBuffer, type SphereTauResult, WeightNormGrads, WeightNormResult, WeightNormSpec } from '../backend.js';
import type { DType, Shape, TypedArray } from '../types.js';
import { broadcastStrides, sizeOf } from '../types.js';
import type { BinaryOp, ReduceOp, UnaryOp } from '../ops.js';
import * as src from './sources.js';
import { adamVector } from '../adam.js';
import { checkIndices } from '../cpu/kernels.js';
import { installWebGpu, type WebGpuEnv } from '../dawn.js';
import { importOptional } from '../optional.js';

/** A gpu.js mode this backend can run in. */
export type GpuJsMode = 'webgpu' | 'headlessgl' | 'webasm' | 'cpu';
/** The gpu.js modes, best first (the order `auto` tries them in). */
export const GPUJS_MODES: readonly GpuJsMode[] = ['webgpu', 'headlessgl', 'webasm', 'cpu'];

/**
 * Largest buffer gpu.js kernels here may index: indices are decomposed with
 * float32 arithmetic, exact only well below 2^24.
 */
export const GPUJS_MAX_ELEMENTS = 1 << 22;

type Kernel = ((...args: unknown[]) => unknown) & { destroy?: () => void };
interface DeviceResult { delete(): void; toArray(): Promise<Float32Array> }
type Value = Float32Array | DeviceResult;

class GpuJsBuffer implements BackendBuffer {
  readonly backend = 'gpujs';
  readonly dtype: DType = 'float32';
  /** The data once computed: a host Float32Array (sync modes) or a device buffer (webgpu). */
  value: Value | undefined;
  /** Settles when `value` is set (async modes). */
  ready: Promise<void> = Promise.resolve();
  /** Settles after this buffer's last queued reader ran; it may be released only then. */
  lastUse: Promise<unknown> = Promise.resolve();
  freed = false;
  constructor(readonly size: number) {}
}

/** Options of {@link GpuJsBackend.create}. */
export interface GpuJsOptions {
  /** A gpu.js mode, or `auto` (default) to take the first that works of webgpu, headlessgl, webasm, cpu. */
  mode?: GpuJsMode | 'auto';
}

/**
 * gpu.js kernels behind the {@link Backend} interface. Every op is one (or two)
 * gpu.js kernels over flat float32 buffers, compiled once per shape and cached.
 * In `webgpu` mode results stay on the device (pipeline mode) and launches are
 * chained in issue order through promises, so the op API stays synchronous and
 * only a read-back waits.
 */
export class GpuJsBackend implements Backend {
  readonly name = 'gpujs';
  readonly synchronous: boolean;
  private readonly kernels = new Map<string, Kernel>();
  private live = 0;
  /** Device-resident results not yet destroyed (webgpu mode). */
  private deviceLive = 0;
  /** Releases queued behind running kernels (webgpu mode). */
  private readonly releasing = new Set<Promise<void>>();
  private failure: Error | undefined;
  private disposed = false;

  private constructor(
    private readonly gpu: { createKernel(source: string, settings: object): Kernel; destroy(): unknown },
    readonly mode: GpuJsMode,
    readonly description: string,
    private readonly env: WebGpuEnv | undefined,
  ) {
    this.synchronous = mode !== 'webgpu';
  }

  /**
   * Starts gpu.js in the requested mode, or the best available one. The
   * returned backend's `mode` and `description` say what runs and why others fell back.
   */
  static async create(options: GpuJsOptions = {}): Promise<GpuJsBackend> {
    const wanted = options.mode ?? 'auto';
    if (wanted !== 'auto' && !GPUJS_MODES.includes(wanted)) {
      throw new Error(`gpujs: unknown mode '${String(wanted)}' (expected one of auto, ${GPUJS_MODES.join(', ')})`);
    }
    // loaded on first use (gpu.js is CommonJS; its `GPU` class sits on the default export)
    const mod = await importOptional<{ default?: { GPU: unknown }; GPU?: unknown }>('gpu.js', 'the gpujs backend');
    const GPUClass = (mod.default ?? mod).GPU as { isHeadlessGLSupported: boolean; new (s: object): GpuJsBackend['gpu'] };
    const tries = wanted === 'auto' ? GPUJS_MODES : [wanted];
    const reasons: string[] = [];
    for (const mode of tries) {
      let env: WebGpuEnv | undefined;
      try {
        let detail = '';
        if (mode === 'webgpu') {
          env = await installWebGpu();
          detail = ` on ${env.adapterName}${env.software ? ' (software rasterizer: correct, not fast)' : ''}`;
        }
        if (mode === 'headlessgl' && !GPUClass.isHeadlessGLSupported) {
          throw new Error("the optional 'gl' addon is not built or no display is available (run under xvfb-run)");
        }
        const gpu = new GPUClass({ mode });
        const fell = reasons.length ? `; fell back from ${reasons.join('; ')}` : '';
        const backend = new GpuJsBackend(gpu, mode, `gpujs[${mode}]${detail}${fell}`, env);
        await selfTest(backend);
        return backend;
      } catch (e) {
        await env?.teardown();
        reasons.push(`${mode}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    throw new Error(`gpujs: no gpu.js mode could start (${reasons.join('; ')})`);
  }


  supportsDType(dtype: DType): boolean { return dtype === 'float32'; }

  // --- launching ------------------------------------------------------------------------

  private kernel(source: string, size: number): Kernel {
    const key = `${size}|${source}`;
    let k = this.kernels.get(key);
    if (!k) {
      k = this.gpu.createKernel(source, {
        output: [size],
        precision: 'single',
        pipeline: this.mode === 'webgpu',
        immutable: true,
        tactic: 'precision',
      });
      this.kernels.set(key, k);
    }
    return k;
  }

  private check(buf: BackendBuffer): GpuJsBuffer {
    return ownBuffer(buf, GpuJsBuffer, 'gpujs');
  }

  /** Runs kernel `source` over `args` into a new buffer of `size` elements. */
  /** Refuses work the kernels cannot do correctly, before anything is queued. */
  private admit(size: number): void {
    if (this.disposed) throw new Error('gpujs backend: used after dispose()');
    if (this.failure) throw this.failure;
    if (size < 1) throw new Error('gpujs backend: empty buffers are not supported');
    if (size > GPUJS_MAX_ELEMENTS) {
      throw new Error(`gpujs backend: a buffer of ${size} elements exceeds the ${GPUJS_MAX_ELEMENTS}-element limit of its index arithmetic; use the cpu backend`);
    }
  }

  private launch(source: string, size: number, args: readonly BackendBuffer[]): GpuJsBuffer {
    this.admit(size);
    const ins = args.map((a) => this.check(a));
    const kernel = this.kernel(source, size);
    const out = new GpuJsBuffer(size);
    this.live++;
    if (this.synchronous) {
      out.value = toFloat32(kernel(...ins.map((b) => b.value)) as ArrayLike<number>);
      return out;
    }
    out.ready = Promise.all(ins.map((b) => b.ready))
      .then(() => kernel(...ins.map((b) => b.value)) as Promise<DeviceResult>)
      .then((r) => { out.value = r; this.deviceLive++; });
    out.ready.catch((e: Error) => { this.failure ??= new Error(`gpujs[webgpu] kernel failed: ${e.message}`); });
    out.lastUse = out.ready;
    // one promise per buffer, however often it is read (parameters are read every step)
    for (const b of ins) b.lastUse = Promise.allSettled([b.lastUse, out.ready]);
    return out;
  }

  // --- memory -----------------------------------------------------------------------------

  upload(data: ArrayLike<number>, dtype: DType): BackendBuffer {
    if (dtype !== 'float32') throw new Error(`gpujs backend: dtype '${dtype}' is not supported (float32 only; use the cpu backend for float64)`);
    this.admit(data.length);
    const host = Float32Array.from(data);
    if (this.synchronous) {
      const b = new GpuJsBuffer(host.length);
      b.value = host;
      this.live++;
      return b;
    }
    // a copy kernel moves host data to a device-resident buffer once
    const staged = new GpuJsBuffer(host.length);
    staged.value = host;
    return this.launch(src.copySource(), host.length, [staged]);
  }

  fill(size: number, value: number, dtype: DType): BackendBuffer {
    return this.upload(new Float32Array(size).fill(value), dtype);
  }

  async read(buf: BackendBuffer): Promise<TypedArray> {
    const b = this.check(buf);
    await b.ready;
    const v = b.value!;
    return v instanceof Float32Array ? v.slice() : Float32Array.from(await v.toArray());
  }

  readSync(buf: BackendBuffer): TypedArray {
    const b = this.check(buf);
    if (!this.synchronous) {
      throw new Error('gpujs[webgpu]: synchronous read-back is impossible in webgpu mode; use `await tensor.data()`');
    }
    return (b.value as Float32Array).slice();
  }

  free(buf: BackendBuffer): void {
    const b = releaseBuffer(buf, GpuJsBuffer, 'gpujs');
    this.live--;
    if (this.synchronous) { b.value = undefined; return; }
    // lastUse starts as `ready` and only grows, so it covers the buffer's own launch too
    const done = Promise.allSettled([b.lastUse]).then(() => {
      const v = b.value as DeviceResult | undefined;
      if (v) { v.delete(); this.deviceLive--; }
      b.value = undefined;
    });
    this.releasing.add(done);
    void done.finally(() => this.releasing.delete(done));
  }

  liveBuffers(): number { return this.live; }

  /** Device-resident results not yet destroyed; in the synchronous modes, the live host buffers. */
  deviceBuffers(): number { return this.synchronous ? this.live : this.deviceLive; }

  /** Waits until every release queued behind running kernels has happened. */
  async settle(): Promise<void> {
    while (this.releasing.size) await Promise.allSettled([...this.releasing]);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    await this.settle();
    this.disposed = true;
    for (const k of this.kernels.values()) k.destroy?.();
    this.kernels.clear();
    this.gpu.destroy();
    await this.env?.teardown();
  }

  // --- kernels ---------------------------------------------------------------------------

  cast(a: BackendBuffer, dtype: DType): BackendBuffer {
    if (dtype !== 'float32') throw new Error(`gpujs backend: cannot cast to '${dtype}' (float32 only)`);
    return this.launch(src.copySource(), a.size, [a]);
  }

  unary(op: UnaryOp, a: BackendBuffer): BackendBuffer {
    return this.launch(src.unarySource(op), a.size, [a]);
  }

  binary(op: BinaryOp, a: BackendBuffer, aShape: Shape, b: BackendBuffer, bShape: Shape, outShape: Shape): BackendBuffer {
    const s = src.binarySource(op, outShape, broadcastStrides(aShape, outShape), broadcastStrides(bShape, outShape));
    return this.launch(s, sizeOf(outShape), [a, b]);
  }

  where(cond: BackendBuffer, cShape: Shape, a: BackendBuffer, aShape: Shape, b: BackendBuffer, bShape: Shape, outShape: Shape): BackendBuffer {
    const [sc, sa, sb] = [cShape, aShape, bShape].map((s) => broadcastStrides(s, outShape));
    return this.launch(src.whereSource(outShape, sc!, sa!, sb!), sizeOf(outShape), [cond, a, b]);
  }

  reduce(op: ReduceOp, a: BackendBuffer, shape: Shape, axes: readonly number[]): BackendBuffer {
    const outSize = sizeOf(shape.filter((_, i) => !axes.includes(i)));
    return this.launch(src.reduceSource(op, shape, axes), outSize, [a]);
  }

  matmul(a: BackendBuffer, b: BackendBuffer, m: number, k: number, n: number, transA: boolean, transB: boolean): BackendBuffer {
    return this.launch(src.matmulSource(m, k, n, transA, transB), m * n, [a, b]);
  }

  strided(a: BackendBuffer, outShape: Shape, strides: readonly number[], offset: number): BackendBuffer {
    return this.launch(src.stridedSource(outShape, strides, offset), sizeOf(outShape), [a]);
  }

  pad(a: BackendBuffer, aShape: Shape, begin: readonly number[], outShape: Shape): BackendBuffer {
    return this.launch(src.padSource(aShape, begin, outShape), sizeOf(outShape), [a]);
  }

  concat(parts: readonly BackendBuffer[], shapes: readonly Shape[], axis: number): BackendBuffer {
    const size = shapes.reduce((s, sh) => s + sizeOf(sh), 0);
    return this.launch(src.concatSource(shapes, axis), size, parts);
  }

  /** Index ranges are checked where the mode can read the indices back synchronously (all but webgpu). */
  private checkRange(indices: BackendBuffer, n: number, op: string): void {
    if (this.synchronous) checkIndices(this.readSync(indices), n, op);
  }

  gatherRows(a: BackendBuffer, n: number, d: number, indices: BackendBuffer): BackendBuffer {
    this.checkRange(indices, n, 'gather');
    return this.launch(src.gatherSource(d), indices.size * d, [a, indices]);
  }

  scatterAddRows(a: BackendBuffer, n: number, d: number, indices: BackendBuffer): BackendBuffer {
    this.checkRange(indices, n, 'scatterAdd');
    return this.launch(src.scatterAddSource(d, indices.size), n * d, [a, indices]);
  }

  oneHot(indices: BackendBuffer, depth: number, dtype: DType): BackendBuffer {
    if (dtype !== 'float32') throw new Error(`gpujs backend: dtype '${dtype}' is not supported`);
    return this.launch(src.oneHotSource(depth), indices.size * depth, [indices]);
  }

  softmax(a: BackendBuffer, rows: number, cols: number, log: boolean): BackendBuffer {
    const lse = this.launch(src.logSumExpSource(cols), rows, [a]);
    const out = this.launch(src.softmaxSource(cols, log), rows * cols, [a, lse]);
    this.free(lse);
    return out;
  }

  adamStep(p: BackendBuffer, g: BackendBuffer, m: BackendBuffer, v: BackendBuffer, h: AdamHyper): [BackendBuffer, BackendBuffer, BackendBuffer] {
    const hb = this.upload(adamVector(h), 'float32');
    const m2 = this.launch(src.adamMomentSource(false), p.size, [p, g, m, hb]);
    const v2 = this.launch(src.adamMomentSource(true), p.size, [p, g, v, hb]);
    const p2 = this.launch(src.adamParamSource(), p.size, [p, m2, v2, hb]);
    this.free(hb);
    return [p2, m2, v2];
  }

  weightNorm(v: readonly BackendBuffer[], g: BackendBuffer, spec: WeightNormSpec): WeightNormResult {
    const { inDim, outDim, kind, shared } = spec;
    const norms = this.launch(src.normsSource(inDim, outDim, kind, v.length === 2), outDim, v);
    const apply = src.normApplySource(outDim, shared);
    const w = v.map((vv) => this.launch(apply, inDim * outDim, [vv, g, norms]));
    return { w, norms };
  }

  weightNormBackward(
    gradW: readonly BackendBuffer[], v: readonly BackendBuffer[], g: BackendBuffer, norms: BackendBuffer, spec: WeightNormSpec,
  ): WeightNormGrads {
    const { inDim, outDim, kind, shared } = spec;
    const pair = v.length === 2;
    const coefArgs = pair ? [gradW[0]!, v[0]!, gradW[1]!, v[1]!, norms] : [gradW[0]!, v[0]!, norms];
    const c = this.launch(src.normCoefSource(inDim, outDim, pair), outDim, coefArgs);
    const grad = src.normGradSource(outDim, kind, shared, pair);
    const dv = v.map((vv, t) =>
      this.launch(grad, inDim * outDim, pair ? [gradW[t]!, vv, v[1 - t]!, g, norms, c] : [gradW[t]!, vv, g, norms, c]));
    if (!shared) return { dv, dg: c };
    const dg = this.launch(src.sumAllSource(outDim), 1, [c]);
    this.free(c);
    return { dv, dg };
  }

  /** τ by ranks on the device (docs/math.md §7), in every mode: rank, flag, ρ, then τ and the support weights. */
  sphereTau(y: BackendBuffer, inDim: number, outDim: number): SphereTauResult {
    const n = inDim * outDim;
    const rank = this.launch(src.sphereRankSource(inDim, outDim, false), n, [y]);
    const flags = this.launch(src.sphereRankSource(inDim, outDim, true), n, [y]);
    const rho = this.launch(src.sphereRhoSource(inDim, outDim), outDim, [flags]);
    const tau = this.launch(src.sphereTauSource(inDim, outDim), outDim, [y, rank, rho]);
    const weight = this.launch(src.sphereWeightSource(outDim), n, [rank, rho]);
    for (const b of [rank, flags, rho]) this.free(b);
    return { tau, weight };
  }
}

function toFloat32(x: ArrayLike<number>): Float32Array {
  return x instanceof Float32Array ? x : Float32Array.from(x);
}

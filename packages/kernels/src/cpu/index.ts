import { ownBuffer, releaseBuffer, type AdamHyper, type Backend, type BackendBuffer, type SphereTauResult, WeightNormGrads, WeightNormResult, WeightNormSpec } from '../backend.js';
import type { DType, Shape, TypedArray } from '../types.js';
import { allocArray, sizeOf } from '../types.js';
import type { BinaryOp, ReduceOp, UnaryOp } from '../ops.js';
import { concatInto, gatherRowsInto, oneHotInto, padInto, scatterAddRowsInto, softmaxInto, stridedInto, whereInto } from './kernels.js';
import { binaryInto, reduceInto, unaryInto } from './elementwise.js';
import { matmulInto } from './gemm.js';
import { columnNorms, normPartial } from './weightnorm.js';
import { sphereTauInto } from './projection.js';

class CpuBuffer implements BackendBuffer {
  readonly backend = 'cpu';
  freed = false;
  constructor(public data: TypedArray) {}
  get size(): number { return this.data.length; }
  get dtype(): DType { return this.data instanceof Float64Array ? 'float64' : 'float32'; }
}

/**
 * The CPU fallback: hand-written kernels over Float32Array and Float64Array.
 * Synchronous, supports float64 (the path gradient checks use), always available.
 */
export class CpuBackend implements Backend {
  readonly name = 'cpu';
  readonly mode = 'cpu';
  readonly description = 'cpu: hand-written JavaScript kernels (float32 and float64)';
  readonly synchronous = true;
  private live = 0;

  supportsDType(_dtype: DType): boolean { return true; }

  private wrap(data: TypedArray): CpuBuffer {
    this.live++;
    return new CpuBuffer(data);
  }

  private get(buf: BackendBuffer): TypedArray {
    return ownBuffer(buf, CpuBuffer, 'cpu').data;
  }

  upload(data: ArrayLike<number>, dtype: DType): BackendBuffer {
    const arr = allocArray(dtype, data.length);
    arr.set(data as ArrayLike<number>);
    return this.wrap(arr);
  }
  fill(size: number, value: number, dtype: DType): BackendBuffer {
    return this.wrap(allocArray(dtype, size).fill(value));
  }
  read(buf: BackendBuffer): Promise<TypedArray> { return Promise.resolve(this.readSync(buf)); }
  readSync(buf: BackendBuffer): TypedArray { return this.get(buf).slice(); }
  free(buf: BackendBuffer): void {
    releaseBuffer(buf, CpuBuffer, 'cpu');
    this.live--;
  }
  liveBuffers(): number { return this.live; }
  async dispose(): Promise<void> {}

  cast(a: BackendBuffer, dtype: DType): BackendBuffer { return this.upload(this.get(a), dtype); }

  unary(op: UnaryOp, a: BackendBuffer): BackendBuffer {
    const x = this.get(a);
    const out = allocArray(a.dtype, x.length);
    unaryInto(op, x, out);
    return this.wrap(out);
  }

  binary(op: BinaryOp, a: BackendBuffer, aShape: Shape, b: BackendBuffer, bShape: Shape, outShape: Shape): BackendBuffer {
    const out = allocArray(a.dtype, sizeOf(outShape));
    binaryInto(op, this.get(a), aShape, this.get(b), bShape, out, outShape);
    return this.wrap(out);
  }

  where(cond: BackendBuffer, cShape: Shape, a: BackendBuffer, aShape: Shape, b: BackendBuffer, bShape: Shape, outShape: Shape): BackendBuffer {
    const out = allocArray(a.dtype, sizeOf(outShape));
    whereInto(this.get(cond), cShape, this.get(a), aShape, this.get(b), bShape, out, outShape);
    return this.wrap(out);
  }

  reduce(op: ReduceOp, a: BackendBuffer, shape: Shape, axes: readonly number[]): BackendBuffer {
    const out = allocArray(a.dtype, sizeOf(shape.filter((_, i) => !axes.includes(i))));
    reduceInto(op, this.get(a), shape, axes, out);
    return this.wrap(out);
  }

  matmul(a: BackendBuffer, b: BackendBuffer, m: number, k: number, n: number, transA: boolean, transB: boolean): BackendBuffer {
    const out = allocArray(a.dtype, m * n);
    matmulInto(this.get(a), this.get(b), out, m, k, n, transA, transB);
    return this.wrap(out);
  }

  strided(a: BackendBuffer, outShape: Shape, strides: readonly number[], offset: number): BackendBuffer {
    const out = allocArray(a.dtype, sizeOf(outShape));
    stridedInto(this.get(a), outShape, strides, offset, out);
    return this.wrap(out);
  }

  pad(a: BackendBuffer, aShape: Shape, begin: readonly number[], outShape: Shape): BackendBuffer {
    const out = allocArray(a.dtype, sizeOf(outShape));
    padInto(this.get(a), aShape, begin, outShape, out);
    return this.wrap(out);
  }

  concat(parts: readonly BackendBuffer[], shapes: readonly Shape[], axis: number): BackendBuffer {
    const total = shapes.reduce((s, sh) => s + sizeOf(sh), 0);
    const out = allocArray(parts[0]!.dtype, total);
    concatInto(parts.map((p) => this.get(p)), shapes, axis, out);
    return this.wrap(out);
  }

  gatherRows(a: BackendBuffer, n: number, d: number, indices: BackendBuffer): BackendBuffer {
    const out = allocArray(a.dtype, indices.size * d);
    gatherRowsInto(this.get(a), n, d, this.get(indices), out);
    return this.wrap(out);
  }

  scatterAddRows(a: BackendBuffer, n: number, d: number, indices: BackendBuffer): BackendBuffer {
    const out = allocArray(a.dtype, n * d);
    scatterAddRowsInto(this.get(a), n, d, this.get(indices), out);
    return this.wrap(out);
  }

  oneHot(indices: BackendBuffer, depth: number, dtype: DType): BackendBuffer {
    const out = allocArray(dtype, indices.size * depth);
    oneHotInto(this.get(indices), depth, out);
    return this.wrap(out);
  }

  softmax(a: BackendBuffer, rows: number, cols: number, log: boolean): BackendBuffer {
    const out = allocArray(a.dtype, rows * cols);
    softmaxInto(this.get(a), rows, cols, log, out);
    return this.wrap(out);
  }

  adamStep(p: BackendBuffer, g: BackendBuffer, m: BackendBuffer, v: BackendBuffer, h: AdamHyper): [BackendBuffer, BackendBuffer, BackendBuffer] {
    const out = [p, m, v].map((b) => this.upload(this.get(b), b.dtype)) as [BackendBuffer, BackendBuffer, BackendBuffer];
    this.adamStepInPlace(out[0], g, out[1], out[2], h);
    return out;
  }

  adamStepInPlace(p: BackendBuffer, g: BackendBuffer, m: BackendBuffer, v: BackendBuffer, h: AdamHyper): void {
    const P = this.get(p), G = this.get(g), M = this.get(m), V = this.get(v);
    const step = h.lr / h.bc1, root = Math.sqrt(h.bc2), { beta1, beta2, eps, weightDecay } = h;
    for (let i = 0; i < P.length; i++) {
      const gi = G[i]! + weightDecay * P[i]!;
      const mi = beta1 * M[i]! + (1 - beta1) * gi;
      const vi = beta2 * V[i]! + (1 - beta2) * gi * gi;
      M[i] = mi;
      V[i] = vi;
      P[i] = P[i]! - (step * mi) / (Math.sqrt(vi) / root + eps);
    }
  }

  weightNorm(v: readonly BackendBuffer[], g: BackendBuffer, spec: WeightNormSpec): WeightNormResult {
    const { inDim, outDim, kind, shared } = spec;
    const vs = v.map((b) => this.get(b));
    const gs = this.get(g);
    const n = allocArray(v[0]!.dtype, outDim);
    columnNorms(vs, inDim, outDim, kind, n);
    const w = vs.map((vv) => {
      const out = allocArray(v[0]!.dtype, inDim * outDim);
      for (let i = 0; i < inDim; i++) {
        for (let j = 0; j < outDim; j++) {
          const k = i * outDim + j;
          out[k] = (shared ? gs[0]! : gs[j]!) * vv[k]! / n[j]!;
        }
      }
      return this.wrap(out);
    });
    return { w, norms: this.wrap(n) };
  }

  weightNormBackward(
    gradW: readonly BackendBuffer[], v: readonly BackendBuffer[], g: BackendBuffer, norms: BackendBuffer, spec: WeightNormSpec,
  ): WeightNormGrads {
    const { inDim, outDim, kind, shared } = spec;
    const G = gradW.map((b) => this.get(b));
    const V = v.map((b) => this.get(b));
    const gs = this.get(g), n = this.get(norms);
    const dtype = v[0]!.dtype;
    // column pass: c_j = Σ_i Σ_pair G_ij V_ij / n_j   (= Gᵀw / g, docs/math.md §3)
    const c = allocArray(dtype, outDim);
    for (let t = 0; t < V.length; t++) {
      for (let i = 0; i < inDim; i++) {
        for (let j = 0; j < outDim; j++) c[j] += G[t]![i * outDim + j]! * V[t]![i * outDim + j]!;
      }
    }
    for (let j = 0; j < outDim; j++) c[j] = c[j]! / n[j]!;
    // elementwise pass: ∂L/∂V = (g·G − g·c·∂n/∂V) / n
    const dv = V.map((vv, t) => {
      const other = V.length === 2 ? V[1 - t]! : undefined;
      const out = allocArray(dtype, inDim * outDim);
      for (let i = 0; i < inDim; i++) {
        for (let j = 0; j < outDim; j++) {
          const k = i * outDim + j;
          const gj = shared ? gs[0]! : gs[j]!;
          out[k] = (gj * G[t]![k]! - gj * c[j]! * normPartial(vv[k]!, other?.[k], n[j]!, kind)) / n[j]!;
        }
      }
      return this.wrap(out);
    });
    let dg: TypedArray;
    if (shared) {
      dg = allocArray(dtype, 1);
      for (let j = 0; j < outDim; j++) dg[0] += c[j]!;
    } else dg = c;
    return { dv, dg: this.wrap(dg) };
  }

  sphereTau(y: BackendBuffer, inDim: number, outDim: number): SphereTauResult {
    const Y = this.get(y);
    const tau = allocArray(y.dtype, outDim), weight = allocArray(y.dtype, inDim * outDim);
    sphereTauInto(Y, inDim, outDim, tau, weight);
    return { tau: this.wrap(tau), weight: this.wrap(weight) };
  }
}

import type { AdamHyper, Backend, BackendBuffer, WeightNormGrads, WeightNormResult, WeightNormSpec } from '../backend.js';
import type { DType, Shape, TypedArray } from '../types.js';
import { allocArray, broadcastStrides, sizeOf, stridesOf } from '../types.js';
import { binaryFn, unaryFn, type BinaryOp, type ReduceOp, type UnaryOp } from '../ops.js';
import { matmulInto } from './gemm.js';
import { columnNorms, normPartial } from './weightnorm.js';

class CpuBuffer implements BackendBuffer {
  readonly backend = 'cpu';
  freed = false;
  constructor(public data: TypedArray) {}
  get size(): number { return this.data.length; }
  get dtype(): DType { return this.data instanceof Float64Array ? 'float64' : 'float32'; }
}

/**
 * Visits every index of `shape` in row-major order, calling `f(flat, offsets)`
 * where offsets[t] = Σ idx_i·strides[t][i] for each stride table t.
 * The odometer avoids a division per element.
 */
function forEachIndex(shape: Shape, strides: readonly (readonly number[])[], base: readonly number[], f: (flat: number, off: number[]) => void): void {
  const r = shape.length;
  const total = sizeOf(shape);
  const idx = new Array<number>(r).fill(0);
  const off = base.slice();
  for (let flat = 0; flat < total; flat++) {
    f(flat, off);
    for (let ax = r - 1; ax >= 0; ax--) {
      idx[ax]!++;
      for (let t = 0; t < strides.length; t++) off[t]! += strides[t]![ax]!;
      if (idx[ax]! < shape[ax]!) break;
      for (let t = 0; t < strides.length; t++) off[t]! -= strides[t]![ax]! * shape[ax]!;
      idx[ax] = 0;
    }
  }
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
    if (!(buf instanceof CpuBuffer)) throw new Error(`cpu backend: got a buffer of backend '${buf.backend}'`);
    if (buf.freed) throw new Error('cpu backend: buffer used after it was freed');
    return buf.data;
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
    const b = buf as CpuBuffer;
    if (b.freed) return;
    b.freed = true;
    this.live--;
  }
  liveBuffers(): number { return this.live; }
  async dispose(): Promise<void> {}

  cast(a: BackendBuffer, dtype: DType): BackendBuffer { return this.upload(this.get(a), dtype); }

  unary(op: UnaryOp, a: BackendBuffer): BackendBuffer {
    const x = this.get(a);
    const out = allocArray(a.dtype, x.length);
    const f = unaryFn[op];
    for (let i = 0; i < x.length; i++) out[i] = f(x[i]!);
    return this.wrap(out);
  }

  binary(op: BinaryOp, a: BackendBuffer, aShape: Shape, b: BackendBuffer, bShape: Shape, outShape: Shape): BackendBuffer {
    const x = this.get(a), y = this.get(b);
    const out = allocArray(a.dtype, sizeOf(outShape));
    const f = binaryFn[op];
    const na = sizeOf(aShape), nb = sizeOf(bShape);
    if (na === out.length && nb === out.length) {
      for (let i = 0; i < out.length; i++) out[i] = f(x[i]!, y[i]!);
    } else if (nb === 1 && na === out.length) {
      const s = y[0]!;
      for (let i = 0; i < out.length; i++) out[i] = f(x[i]!, s);
    } else {
      forEachIndex(outShape, [broadcastStrides(aShape, outShape), broadcastStrides(bShape, outShape)], [0, 0], (i, o) => {
        out[i] = f(x[o[0]!]!, y[o[1]!]!);
      });
    }
    return this.wrap(out);
  }

  where(cond: BackendBuffer, cShape: Shape, a: BackendBuffer, aShape: Shape, b: BackendBuffer, bShape: Shape, outShape: Shape): BackendBuffer {
    const c = this.get(cond), x = this.get(a), y = this.get(b);
    const out = allocArray(a.dtype, sizeOf(outShape));
    const st = [cShape, aShape, bShape].map((s) => broadcastStrides(s, outShape));
    forEachIndex(outShape, st, [0, 0, 0], (i, o) => {
      out[i] = c[o[0]!] !== 0 ? x[o[1]!]! : y[o[2]!]!;
    });
    return this.wrap(out);
  }

  reduce(op: ReduceOp, a: BackendBuffer, shape: Shape, axes: readonly number[]): BackendBuffer {
    const x = this.get(a);
    const outShape = shape.filter((_, i) => !axes.includes(i));
    const outStrides = stridesOf(outShape);
    // stride of each input axis in the output: 0 for reduced axes
    const st: number[] = [];
    let k = 0;
    for (let i = 0; i < shape.length; i++) st.push(axes.includes(i) ? 0 : outStrides[k++]!);
    const out = allocArray(a.dtype, sizeOf(outShape));
    if (op === 'max') out.fill(-Infinity);
    if (op === 'sum') forEachIndex(shape, [st], [0], (i, o) => { out[o[0]!] += x[i]!; });
    else forEachIndex(shape, [st], [0], (i, o) => { const v = x[i]!; if (v > out[o[0]!]! || Number.isNaN(v)) out[o[0]!] = v; });
    return this.wrap(out);
  }

  matmul(a: BackendBuffer, b: BackendBuffer, m: number, k: number, n: number, transA: boolean, transB: boolean): BackendBuffer {
    const out = allocArray(a.dtype, m * n);
    matmulInto(this.get(a), this.get(b), out, m, k, n, transA, transB);
    return this.wrap(out);
  }

  strided(a: BackendBuffer, outShape: Shape, strides: readonly number[], offset: number): BackendBuffer {
    const x = this.get(a);
    const out = allocArray(a.dtype, sizeOf(outShape));
    forEachIndex(outShape, [strides], [offset], (i, o) => { out[i] = x[o[0]!]!; });
    return this.wrap(out);
  }

  pad(a: BackendBuffer, aShape: Shape, begin: readonly number[], outShape: Shape): BackendBuffer {
    const x = this.get(a);
    const out = allocArray(a.dtype, sizeOf(outShape));
    const os = stridesOf(outShape);
    let base = 0;
    for (let i = 0; i < begin.length; i++) base += begin[i]! * os[i]!;
    forEachIndex(aShape, [os], [base], (i, o) => { out[o[0]!] = x[i]!; });
    return this.wrap(out);
  }

  concat(parts: readonly BackendBuffer[], shapes: readonly Shape[], axis: number): BackendBuffer {
    const first = shapes[0]!;
    const outer = sizeOf(first.slice(0, axis));
    const inner = sizeOf(first.slice(axis + 1));
    const total = shapes.reduce((s, sh) => s + sh[axis]!, 0);
    const out = allocArray(parts[0]!.dtype, outer * total * inner);
    let col = 0;
    parts.forEach((p, t) => {
      const x = this.get(p);
      const w = shapes[t]![axis]! * inner;
      for (let o = 0; o < outer; o++) out.set(x.subarray(o * w, (o + 1) * w), o * total * inner + col * inner);
      col += shapes[t]![axis]!;
    });
    return this.wrap(out);
  }

  gatherRows(a: BackendBuffer, n: number, d: number, indices: BackendBuffer): BackendBuffer {
    const x = this.get(a), idx = this.get(indices);
    const out = allocArray(a.dtype, idx.length * d);
    for (let i = 0; i < idx.length; i++) {
      const r = idx[i]!;
      if (!(r >= 0 && r < n && Number.isInteger(r))) throw new Error(`gather: index ${r} out of range [0, ${n})`);
      out.set(x.subarray(r * d, r * d + d), i * d);
    }
    return this.wrap(out);
  }

  scatterAddRows(a: BackendBuffer, n: number, d: number, indices: BackendBuffer): BackendBuffer {
    const x = this.get(a), idx = this.get(indices);
    const out = allocArray(a.dtype, n * d);
    for (let i = 0; i < idx.length; i++) {
      const r = idx[i]!;
      for (let j = 0; j < d; j++) out[r * d + j] += x[i * d + j]!;
    }
    return this.wrap(out);
  }

  oneHot(indices: BackendBuffer, depth: number, dtype: DType): BackendBuffer {
    const idx = this.get(indices);
    const out = allocArray(dtype, idx.length * depth);
    for (let i = 0; i < idx.length; i++) {
      const c = idx[i]!;
      if (!(c >= 0 && c < depth && Number.isInteger(c))) throw new Error(`oneHot: class index ${c} out of range [0, ${depth})`);
      out[i * depth + c] = 1;
    }
    return this.wrap(out);
  }

  softmax(a: BackendBuffer, rows: number, cols: number, log: boolean): BackendBuffer {
    const x = this.get(a);
    const out = allocArray(a.dtype, rows * cols);
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let mx = -Infinity;
      for (let c = 0; c < cols; c++) mx = Math.max(mx, x[o + c]!);
      let s = 0;
      for (let c = 0; c < cols; c++) s += Math.exp(x[o + c]! - mx);
      const ls = Math.log(s);
      for (let c = 0; c < cols; c++) out[o + c] = log ? x[o + c]! - mx - ls : Math.exp(x[o + c]! - mx) / s;
    }
    return this.wrap(out);
  }

  adamStep(p: BackendBuffer, g: BackendBuffer, m: BackendBuffer, v: BackendBuffer, h: AdamHyper): [BackendBuffer, BackendBuffer, BackendBuffer] {
    const P = this.get(p), G = this.get(g), M = this.get(m), V = this.get(v);
    const n = P.length;
    const [p2, m2, v2] = [allocArray(p.dtype, n), allocArray(p.dtype, n), allocArray(p.dtype, n)];
    const step = h.lr / h.bc1, root = Math.sqrt(h.bc2);
    for (let i = 0; i < n; i++) {
      const gi = G[i]! + h.weightDecay * P[i]!;
      const mi = h.beta1 * M[i]! + (1 - h.beta1) * gi;
      const vi = h.beta2 * V[i]! + (1 - h.beta2) * gi * gi;
      m2[i] = mi;
      v2[i] = vi;
      p2[i] = P[i]! - (step * mi) / (Math.sqrt(vi) / root + h.eps);
    }
    return [this.wrap(p2), this.wrap(m2), this.wrap(v2)];
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
    // column pass: c_j = Σ_i Σ_pair G_ij V_ij / n_j   (= Gᵀw / g, PAPER.md §3)
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
}

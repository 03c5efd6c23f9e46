/**
 * Shape plans shared by the CPU and Wasm backends: they turn an N-d broadcast
 * or reduction into a few calls of one 2-D (or 3-D) loop, so that every kernel
 * runs its innermost loop over contiguous memory.
 */
import type { Shape } from './types.js';
import { broadcastStrides, sizeOf } from './types.js';

/**
 * An elementwise op over `outShape` with inputs read at `strides[t]`, as
 * `outer` calls of a rows × cols loop. Input t's element (r, c) of call o sits at
 * `bases[o][t] + r·rowStride[t] + c·colStride[t]`; colStride is 0 (a broadcast
 * input, read as a scalar per row) or 1 (contiguous). Output call o starts at o·rows·cols.
 */
export interface BroadcastPlan {
  rows: number;
  cols: number;
  rowStride: number[];
  colStride: number[];
  /** Per outer call, the start offset of each input. */
  bases: number[][];
}

/**
 * `outShape` with unit axes dropped and neighbours merged wherever every input
 * walks them contiguously, and each input's strides over the merged axes.
 */
export function mergeAxes(inShapes: readonly Shape[], outShape: Shape): { dims: number[]; strides: number[][] } {
  const strides = inShapes.map((s) => broadcastStrides(s, outShape));
  const dims: number[] = [];
  const st: number[][] = inShapes.map(() => []);
  outShape.forEach((d, ax) => {
    if (d === 1) return;
    const q = dims.length;
    if (q > 0 && strides.every((s, t) => st[t]![q - 1] === s[ax]! * d)) {
      dims[q - 1]! *= d;
      strides.forEach((s, t) => { st[t]![q - 1] = s[ax]!; });
    } else {
      dims.push(d);
      strides.forEach((s, t) => st[t]!.push(s[ax]!));
    }
  });
  return { dims, strides: st };
}

/** Plans an elementwise op whose inputs have `inShapes`, broadcast to `outShape`. */
export function planBroadcast(inShapes: readonly Shape[], outShape: Shape): BroadcastPlan {
  const { dims, strides: st } = mergeAxes(inShapes, outShape);
  const q = dims.length;
  const cols = q >= 1 ? dims[q - 1]! : 1;
  const rows = q >= 2 ? dims[q - 2]! : 1;
  const colStride = st.map((s) => (q >= 1 ? s[q - 1]! : 0));
  const rowStride = st.map((s) => (q >= 2 ? s[q - 2]! : 0));
  const outer = dims.slice(0, Math.max(0, q - 2));
  const bases: number[][] = [];
  const n = sizeOf(outer);
  const idx = new Array<number>(outer.length).fill(0);
  for (let o = 0; o < n; o++) {
    bases.push(st.map((s) => idx.reduce((acc, i, ax) => acc + i * s[ax]!, 0)));
    for (let ax = outer.length - 1; ax >= 0; ax--) {
      if (++idx[ax]! < outer[ax]!) break;
      idx[ax] = 0;
    }
  }
  return { rows, cols, rowStride, colStride, bases };
}

/** One step of a reduction: [outer, red, inner] → [outer, inner], reducing the middle axis. */
export interface ReduceStep { outer: number; red: number; inner: number }

/**
 * Plans a reduction over `axes` as a sequence of [outer, red, inner] steps, each
 * reducing one run of adjacent reduced axes (innermost run first); most real
 * reductions (rows, columns, everything) are a single step.
 */
export function planReduce(shape: Shape, axes: readonly number[]): ReduceStep[] {
  // runs of adjacent axes of one kind (reduced or kept), unit axes dropped
  const runs: { size: number; reduced: boolean }[] = [];
  shape.forEach((d, ax) => {
    if (d === 1) return;
    const reduced = axes.includes(ax);
    const last = runs[runs.length - 1];
    if (last && last.reduced === reduced) last.size *= d;
    else runs.push({ size: d, reduced });
  });
  const steps: ReduceStep[] = [];
  for (let i = runs.length - 1; i >= 0; i--) {
    if (!runs[i]!.reduced) continue;
    const outer = runs.slice(0, i).reduce((p, r) => p * r.size, 1);
    const inner = runs.slice(i + 1).reduce((p, r) => p * (r.reduced ? 1 : r.size), 1);
    steps.push({ outer, red: runs[i]!.size, inner });
  }
  return steps;
}

/** Visits every index of `shape`; calls f(flat, off) where off[t] = base[t] + Σ idx·strides[t]. */
export function forEachIndex(shape: Shape, strides: readonly (readonly number[])[], base: readonly number[], f: (flat: number, off: number[]) => void): void {
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


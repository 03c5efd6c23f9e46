/**
 * The CPU's data-movement and row kernels as pure functions that write into
 * caller-provided arrays: the `cpu` backend allocates and calls them, and the
 * `wasm` backend calls them on views of its heap for the kernels it has no
 * Wasm code for (they move memory, or need `Math.exp`).
 */
import type { Shape, TypedArray } from '../types.js';
import { broadcastStrides, sizeOf, stridesOf } from '../types.js';
import { forEachIndex } from '../layout.js';

/** out = cond ≠ 0 ? a : b, all broadcast to outShape. */
export function whereInto(c: TypedArray, cShape: Shape, x: TypedArray, aShape: Shape, y: TypedArray, bShape: Shape, out: TypedArray, outShape: Shape): void {
  const st = [cShape, aShape, bShape].map((s) => broadcastStrides(s, outShape));
  forEachIndex(outShape, st, [0, 0, 0], (i, o) => { out[i] = c[o[0]!] !== 0 ? x[o[1]!]! : y[o[2]!]!; });
}

/** out[idx] = x[offset + Σ idx_i·strides_i]. */
export function stridedInto(x: TypedArray, outShape: Shape, strides: readonly number[], offset: number, out: TypedArray): void {
  forEachIndex(outShape, [strides], [offset], (i, o) => { out[i] = x[o[0]!]!; });
}

/** out (zeroed by the caller) gets x (shape aShape) placed at `begin`. */
export function padInto(x: TypedArray, aShape: Shape, begin: readonly number[], outShape: Shape, out: TypedArray): void {
  const os = stridesOf(outShape);
  let base = 0;
  for (let i = 0; i < begin.length; i++) base += begin[i]! * os[i]!;
  forEachIndex(aShape, [os], [base], (i, o) => { out[o[0]!] = x[i]!; });
}

/** Concatenation along `axis`, one contiguous copy per part and outer index. */
export function concatInto(parts: readonly TypedArray[], shapes: readonly Shape[], axis: number, out: TypedArray): void {
  const first = shapes[0]!;
  const outer = sizeOf(first.slice(0, axis));
  const inner = sizeOf(first.slice(axis + 1));
  const total = shapes.reduce((s, sh) => s + sh[axis]!, 0);
  let col = 0;
  parts.forEach((x, t) => {
    const w = shapes[t]![axis]! * inner;
    for (let o = 0; o < outer; o++) out.set(x.subarray(o * w, (o + 1) * w), o * total * inner + col * inner);
    col += shapes[t]![axis]!;
  });
}

/** Checks that every index is an integer in [0, n); `op` names the caller in the message. */
export function checkIndices(idx: TypedArray, n: number, op: string): void {
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i]!;
    if (!(r >= 0 && r < n && Number.isInteger(r))) throw new Error(`${op}: index ${r} at position ${i} out of range [0, ${n})`);
  }
}

/** out[i] = x[idx[i]] for rows of width d. */
export function gatherRowsInto(x: TypedArray, n: number, d: number, idx: TypedArray, out: TypedArray): void {
  checkIndices(idx, n, 'gather');
  for (let i = 0; i < idx.length; i++) out.set(x.subarray(idx[i]! * d, idx[i]! * d + d), i * d);
}

/** out (zeroed by the caller) [idx[i]] += x[i] for rows of width d. */
export function scatterAddRowsInto(x: TypedArray, n: number, d: number, idx: TypedArray, out: TypedArray): void {
  checkIndices(idx, n, 'scatterAdd');
  for (let i = 0; i < idx.length; i++) {
    const o = idx[i]! * d, s = i * d;
    for (let j = 0; j < d; j++) out[o + j] += x[s + j]!;
  }
}

/** out (zeroed by the caller) [i, idx[i]] = 1. */
export function oneHotInto(idx: TypedArray, depth: number, out: TypedArray): void {
  checkIndices(idx, depth, 'oneHot');
  for (let i = 0; i < idx.length; i++) out[i * depth + idx[i]!] = 1;
}

/** Row-wise softmax or log-softmax, max-shifted: log-softmax(x) = x − max − log Σ e^(x − max). */
export function softmaxInto(x: TypedArray, rows: number, cols: number, log: boolean, out: TypedArray): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let mx = -Infinity;
    for (let c = 0; c < cols; c++) mx = Math.max(mx, x[o + c]!);
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.exp(x[o + c]! - mx);
    const ls = Math.log(s);
    for (let c = 0; c < cols; c++) out[o + c] = log ? x[o + c]! - mx - ls : Math.exp(x[o + c]! - mx) / s;
  }
}

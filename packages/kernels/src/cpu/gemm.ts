import type { TypedArray } from '../types.js';

/** Depth of one k-panel: keeps a panel of B (KB × n) inside the L2 cache. */
const KB = 256;
/** Rows of C updated per pass, and the k-unroll: each loaded B element feeds ROWS·UNROLL multiply-adds. */
const ROWS = 8;
const UNROLL = 8;

/**
 * Source of the register-blocked kernel C += A·B (row-major A [m,k], B [k,n], C [m,n]).
 * Loop order i-k-j (unit stride on B and C). Per pass it holds a ROWS × UNROLL block of A in
 * locals, streams UNROLL rows of B once, and updates ROWS rows of C, so each C element is
 * loaded and stored once per UNROLL multiply-adds instead of once per one. Leftover k and
 * rows fall back to plain loops. Written as a template because the fully unrolled body is
 * 100+ repetitive lines; `gemmSource()` prints it.
 */
export function gemmSource(rows = ROWS, unroll = UNROLL): string {
  const R = [...Array(rows).keys()], U = [...Array(unroll).keys()];
  return `
for (let k0 = 0; k0 < k; k0 += ${KB}) {
  const k1 = Math.min(k, k0 + ${KB});
  let i = 0;
  for (; i + ${rows - 1} < m; i += ${rows}) {
    ${R.map((r) => `const c${r} = (i + ${r}) * n, a${r} = (i + ${r}) * k;`).join('\n    ')}
    let p = k0;
    for (; p + ${unroll - 1} < k1; p += ${unroll}) {
      ${R.map((r) => U.map((u) => `const x${r}_${u} = A[a${r} + p + ${u}];`).join(' ')).join('\n      ')}
      ${U.map((u) => `const b${u} = (p + ${u}) * n;`).join(' ')}
      for (let j = 0; j < n; j++) {
        ${U.map((u) => `const y${u} = B[b${u} + j];`).join(' ')}
        ${R.map((r) => `C[c${r} + j] += ${U.map((u) => `x${r}_${u} * y${u}`).join(' + ')};`).join('\n        ')}
      }
    }
    for (; p < k1; p++) {
      const b0 = p * n;
      ${R.map((r) => `const x${r} = A[a${r} + p];`).join(' ')}
      for (let j = 0; j < n; j++) {
        const y = B[b0 + j];
        ${R.map((r) => `C[c${r} + j] += x${r} * y;`).join(' ')}
      }
    }
  }
  for (; i < m; i++) {
    const c0 = i * n, a0 = i * k;
    for (let p = k0; p < k1; p++) {
      const x = A[a0 + p], b0 = p * n;
      for (let j = 0; j < n; j++) C[c0 + j] += x * B[b0 + j];
    }
  }
}`;
}

type Gemm = (A: TypedArray, B: TypedArray, C: TypedArray, m: number, k: number, n: number) => void;

/**
 * One compiled kernel per element type: V8 optimizes a function for the typed-array
 * kinds it sees, and a single function fed both Float32Array and Float64Array runs
 * ~40% slower (measured here), so each dtype gets its own instance.
 */
const kernels = { f32: new Function('A', 'B', 'C', 'm', 'k', 'n', gemmSource()) as Gemm, f64: new Function('A', 'B', 'C', 'm', 'k', 'n', gemmSource()) as Gemm };

/** C += A·B for row-major A [m,k], B [k,n], C [m,n] (all of one dtype). */
export function gemmNN(A: TypedArray, B: TypedArray, C: TypedArray, m: number, k: number, n: number): void {
  (C instanceof Float64Array ? kernels.f64 : kernels.f32)(A, B, C, m, k, n);
}

/** Row-major transpose of a [rows, cols] matrix into `out` [cols, rows], in cache-sized tiles. */
export function transposeInto(src: TypedArray, out: TypedArray, rows: number, cols: number): void {
  const T = 32;
  for (let r0 = 0; r0 < rows; r0 += T) {
    const r1 = Math.min(rows, r0 + T);
    for (let c0 = 0; c0 < cols; c0 += T) {
      const c1 = Math.min(cols, c0 + T);
      for (let r = r0; r < r1; r++) {
        const base = r * cols;
        for (let c = c0; c < c1; c++) out[c * rows + r] = src[base + c]!;
      }
    }
  }
}

/**
 * C = op(A)·op(B). A transposed operand is first copied into row-major order
 * (O(n²), negligible beside the O(n³) product), so all four transpose cases
 * run through the same fast kernel.
 */
export function matmulInto(
  A: TypedArray, B: TypedArray, C: TypedArray, m: number, k: number, n: number, transA: boolean, transB: boolean,
): void {
  const make = (len: number): TypedArray => (C instanceof Float64Array ? new Float64Array(len) : new Float32Array(len));
  let a = A;
  let b = B;
  if (transA || A.constructor !== C.constructor) {
    a = make(m * k);
    if (transA) transposeInto(A, a, k, m); else a.set(A);
  }
  if (transB || B.constructor !== C.constructor) {
    b = make(k * n);
    if (transB) transposeInto(B, b, n, k); else b.set(B);
  }
  C.fill(0);
  gemmNN(a, b, C, m, k, n);
}

import type { TypedArray } from '../types.js';

/** Depth of one k-panel: keeps a panel of B (KB × n) inside the L2 cache. */
const KB = 256;

/**
 * C += A·B for row-major A [m,k], B [k,n], C [m,n].
 * Loop order i-k-j (unit stride on B and C), four rows of C per pass so each
 * loaded row of B feeds four accumulations, k unrolled by two, k blocked in panels.
 */
export function gemmNN(A: TypedArray, B: TypedArray, C: TypedArray, m: number, k: number, n: number): void {
  for (let k0 = 0; k0 < k; k0 += KB) {
    const k1 = Math.min(k, k0 + KB);
    let i = 0;
    for (; i + 3 < m; i += 4) {
      const c0 = i * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
      const a0 = i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
      let p = k0;
      for (; p + 1 < k1; p += 2) {
        const x00 = A[a0 + p]!, x01 = A[a0 + p + 1]!;
        const x10 = A[a1 + p]!, x11 = A[a1 + p + 1]!;
        const x20 = A[a2 + p]!, x21 = A[a2 + p + 1]!;
        const x30 = A[a3 + p]!, x31 = A[a3 + p + 1]!;
        const b0 = p * n, b1 = b0 + n;
        for (let j = 0; j < n; j++) {
          const y0 = B[b0 + j]!, y1 = B[b1 + j]!;
          C[c0 + j] += x00 * y0 + x01 * y1;
          C[c1 + j] += x10 * y0 + x11 * y1;
          C[c2 + j] += x20 * y0 + x21 * y1;
          C[c3 + j] += x30 * y0 + x31 * y1;
        }
      }
      for (; p < k1; p++) {
        const x0 = A[a0 + p]!, x1 = A[a1 + p]!, x2 = A[a2 + p]!, x3 = A[a3 + p]!;
        const b0 = p * n;
        for (let j = 0; j < n; j++) {
          const y = B[b0 + j]!;
          C[c0 + j] += x0 * y;
          C[c1 + j] += x1 * y;
          C[c2 + j] += x2 * y;
          C[c3 + j] += x3 * y;
        }
      }
    }
    for (; i < m; i++) {
      const c0 = i * n, a0 = i * k;
      for (let p = k0; p < k1; p++) {
        const x = A[a0 + p]!;
        if (x === 0) continue;
        const b0 = p * n;
        for (let j = 0; j < n; j++) C[c0 + j] += x * B[b0 + j]!;
      }
    }
  }
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
 * run through the same fast gemmNN.
 */
export function matmulInto(
  A: TypedArray, B: TypedArray, C: TypedArray, m: number, k: number, n: number, transA: boolean, transB: boolean,
): void {
  let a = A;
  let b = B;
  if (transA) {
    a = new (A.constructor as { new (n: number): TypedArray })(m * k);
    transposeInto(A, a, k, m);
  }
  if (transB) {
    b = new (B.constructor as { new (n: number): TypedArray })(k * n);
    transposeInto(B, b, n, k);
  }
  C.fill(0);
  gemmNN(a, b, C, m, k, n);
}

/** Element types a backend may store. `float64` exists only on the `cpu` backend. */
export type DType = 'float32' | 'float64';

/** A typed array of one of the supported dtypes. */
export type TypedArray = Float32Array | Float64Array;

/** A tensor shape: non-negative integer extents, outermost first (row-major). */
export type Shape = readonly number[];

/** Number of elements of a shape (1 for a scalar `[]`). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a shape. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** Allocates a typed array of the given dtype. */
export function allocArray(dtype: DType, n: number): TypedArray {
  return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
}

/** NumPy broadcasting of two shapes; throws naming both shapes when they are incompatible. */
export function broadcastShapes(a: Shape, b: Shape, op = 'broadcast'): number[] {
  const r = Math.max(a.length, b.length);
  const out = new Array<number>(r);
  for (let i = 0; i < r; i++) {
    const da = a[a.length - r + i] ?? 1;
    const db = b[b.length - r + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${op}: shapes [${a.join(', ')}] and [${b.join(', ')}] cannot be broadcast together`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides for reading an input of shape `inShape` broadcast to `outShape`:
 * one stride per output axis, 0 along axes the input repeats.
 */
export function broadcastStrides(inShape: Shape, outShape: Shape): number[] {
  const st = stridesOf(inShape);
  const r = outShape.length;
  const off = r - inShape.length;
  const res = new Array<number>(r).fill(0);
  for (let i = 0; i < inShape.length; i++) {
    res[off + i] = inShape[i] === 1 ? 0 : st[i]!;
  }
  return res;
}

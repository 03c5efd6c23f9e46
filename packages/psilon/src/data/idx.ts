/** The IDX format of MNIST / Fashion-MNIST, and image datasets from it. */
import type { Dataset } from './dataset.js';

/** Parsed IDX tensor: dims and values. */
export interface IdxArray {
  /** The dimensions, outermost first (images: [n, rows, cols]; labels: [n]). */
  dims: number[];
  /** The values, row-major: bytes for type 0x08 (ubyte), doubles for 0x0e. */
  data: Uint8Array | Float64Array;
}

/**
 * Parses the IDX format of MNIST/Fashion-MNIST (big-endian: two zero bytes, a
 * type code, the number of dims, the dims, then the data). Unsigned bytes (0x08)
 * and float64 (0x0E) are supported; the data must fill the dims exactly.
 */
export function parseIDX(buf: Uint8Array): IdxArray {
  if (buf.length < 4) throw new Error('IDX: file shorter than its 4-byte magic number');
  if (buf[0] !== 0 || buf[1] !== 0) throw new Error('IDX: bad magic number (first two bytes must be 0)');
  const type = buf[2]!, nd = buf[3]!;
  if (type !== 0x08 && type !== 0x0e) throw new Error(`IDX: unsupported data type 0x${type.toString(16)} (only 0x08 ubyte and 0x0e double)`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length < 4 + 4 * nd) throw new Error(`IDX: header declares ${nd} dims but the file ends at byte ${buf.length}`);
  const dims = Array.from({ length: nd }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const off = 4 + 4 * nd;
  const width = type === 0x08 ? 1 : 8;
  if (count > 2 ** 32) throw new Error(`IDX: dims [${dims.join(', ')}] declare ${count.toExponential(2)} values, far more than the file's ${buf.length} bytes`);
  if (buf.length !== off + width * count) {
    throw new Error(`IDX: expected ${width * count} bytes of ${type === 0x08 ? '' : 'float64 '}data for dims [${dims.join(', ')}], found ${buf.length - off}`);
  }
  if (type === 0x08) return { dims, data: buf.slice(off, off + count) };
  return { dims, data: Float64Array.from({ length: count }, (_, i) => view.getFloat64(off + 8 * i, false)) };
}

/** Names of the two files, for messages of {@link idxToDataset}. */
export interface IdxNames {
  /** The images file's name (default: none named in messages). */
  images?: string;
  /** The labels file's name (default: none named in messages). */
  labels?: string;
}

/**
 * An image classification dataset from IDX images [n, rows, cols] and labels [n], pixels mapped to
 * [−1, 1] (docs/math.md §9). Labels must be class indices (integers ≥ 0); the classes are 0 … max label.
 */
export function idxToDataset(images: IdxArray, labels: IdxArray, names: IdxNames = {}): Dataset {
  const im = names.images ? `${names.images}: ` : '';
  const lb = names.labels ? `${names.labels}: ` : '';
  if (images.dims.length !== 3) throw new Error(`${im}IDX images must be 3-D [n, rows, cols], got [${images.dims.join(', ')}]`);
  if (labels.dims.length !== 1) throw new Error(`${lb}IDX labels must be 1-D, got [${labels.dims.join(', ')}]`);
  const [n, r, c] = images.dims as [number, number, number];
  if (labels.dims[0] !== n) {
    throw new Error(names.labels && names.images ? `${names.labels}: ${labels.dims[0]} labels, but ${names.images} has ${n} images` : `IDX: ${n} images but ${labels.dims[0]} labels`);
  }
  if (n === 0) throw new Error(`${im}IDX images: the file holds no images`);
  const d = r * c;
  const x = Float64Array.from(images.data, (v) => (v / 255) * 2 - 1);
  const y = Float64Array.from(labels.data);
  let max = 0;
  y.forEach((v, i) => {
    if (!(Number.isInteger(v) && v >= 0)) throw new Error(`${lb}IDX labels: label ${i} is ${v}, not a class index (an integer ≥ 0)`);
    if (v > max) max = v;
  });
  return { x, y, n, d, task: 'multiclass', outputs: max + 1 };
}

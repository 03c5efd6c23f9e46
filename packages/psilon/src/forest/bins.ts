/**
 * Pre-binning of the features for the random forest (docs/math.md, "Random forest"):
 * each feature's training values are cut into at most 256 bins, one per distinct value
 * when there are few enough, else at quantiles of the values. A split is then a bin
 * boundary, and a node's search scans bins instead of sorting rows.
 */

/** The binned training features: codes plus each bin's value range. */
export interface Binned {
  n: number;
  d: number;
  /** Bin code of row i, feature f at `codes[f·n + i]` (column-major: one feature's codes are contiguous). */
  codes: Uint8Array;
  /** Bins of feature f. */
  nBins: Int32Array;
  /** Offset of feature f's first bin in the flat per-bin arrays. */
  offset: Int32Array;
  /** Smallest and largest training value in each bin (flat, by `offset`). */
  lo: Float64Array;
  hi: Float64Array;
  /** Total bins over all features. */
  total: number;
}

/** The most bins a feature may have (codes are bytes). */
export const MAX_BINS = 256;

/** Index of the first cut ≥ v (cuts ascending): the bin of v. */
function binOf(cuts: Float64Array, v: number): number {
  let a = 0, b = cuts.length;
  while (a < b) { const m = (a + b) >>> 1; if (cuts[m]! < v) a = m + 1; else b = m; }
  return a;
}

/**
 * Bins the features of x ([n, d], row-major). A feature with at most `maxBins` distinct
 * values gets one bin per value; otherwise bin b holds the values in (c_{b−1}, c_b], the
 * cuts c_b being the distinct values at the quantile positions ⌊b·n/maxBins⌋ of the
 * sorted column.
 */
export function binFeatures(x: Float64Array, n: number, d: number, maxBins = MAX_BINS): Binned {
  const codes = new Uint8Array(n * d);
  const nBins = new Int32Array(d), offset = new Int32Array(d);
  const allCuts: Float64Array[] = [];
  const col = new Float64Array(n);
  let total = 0;
  for (let f = 0; f < d; f++) {
    for (let i = 0; i < n; i++) col[i] = x[i * d + f]!;
    const sorted = Float64Array.from(col).sort();
    const distinct: number[] = [];
    for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]!);
    let cuts: number[];
    if (distinct.length <= maxBins) cuts = distinct.slice(0, -1);
    else {
      cuts = [];
      for (let b = 1; b < maxBins; b++) {
        const v = sorted[Math.floor((b * n) / maxBins)]!;
        if (v < sorted[n - 1]! && (cuts.length === 0 || v > cuts[cuts.length - 1]!)) cuts.push(v);
      }
    }
    const c = Float64Array.from(cuts);
    allCuts.push(c);
    nBins[f] = c.length + 1;
    offset[f] = total;
    total += c.length + 1;
  }
  const lo = new Float64Array(total).fill(Infinity), hi = new Float64Array(total).fill(-Infinity);
  for (let f = 0; f < d; f++) {
    const c = allCuts[f]!, off = offset[f]!;
    for (let i = 0; i < n; i++) {
      const v = x[i * d + f]!, b = binOf(c, v);
      codes[f * n + i] = b;
      if (v < lo[off + b]!) lo[off + b] = v;
      if (v > hi[off + b]!) hi[off + b] = v;
    }
  }
  return { n, d, codes, nBins, offset, lo, hi, total };
}

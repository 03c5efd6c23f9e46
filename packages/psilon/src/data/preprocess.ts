/** Preprocessing and splits of docs/math.md §9, scaled to the dataset size. */
import { RNG } from '@psilon/core';
import type { Dataset } from './dataset.js';

/** Rows `idx` of a dataset. */
export function subset(data: Dataset, idx: readonly number[]): Dataset {
  const yCols = data.task === 'regression' ? data.outputs : 1;
  const x = new Float64Array(idx.length * data.d), y = new Float64Array(idx.length * yCols);
  idx.forEach((r, i) => {
    x.set(data.x.subarray(r * data.d, (r + 1) * data.d), i * data.d);
    y.set(data.y.subarray(r * yCols, (r + 1) * yCols), i * yCols);
  });
  return { ...data, x, y, n: idx.length };
}

/** Train / validation / test parts of a dataset. */
export interface Splits {
  /** The rows a model is fitted on. */
  train: Dataset;
  /** The rows λ (or a forest's leaf size) is chosen on. */
  validation: Dataset;
  /** The held-out rows the reported metrics are measured on. */
  test: Dataset;
}

/**
 * The tabular protocol of docs/math.md §9, scaled: shuffle (seeded), keep
 * n = min(N, 20,000) rows, train = the first min(2,000, ⌊n/2⌋) rows, then the rest
 * split in half: test first, validation second. With N ≥ 4,000 this is exactly the
 * paper's 2,000-row training set; smaller datasets (Boston: 506 rows → 253/126/127)
 * keep half their rows for training instead of nearly all of them.
 */
export function tabularSplits(data: Dataset, seed = 0): Splits {
  const order = new RNG(seed).permutation(data.n).slice(0, Math.min(data.n, 20_000));
  const n = order.length;
  const nTrain = Math.min(2000, Math.floor(n / 2));
  const rest = order.slice(nTrain);
  const half = Math.floor(rest.length / 2);
  return { train: subset(data, order.slice(0, nTrain)), test: subset(data, rest.slice(0, half)), validation: subset(data, rest.slice(half)) };
}

/**
 * Fractional splits (train, validation, test fractions summing to ≤ 1), seeded,
 * stratified by class for classification. Used for the image data.
 */
export function fractionSplits(data: Dataset, fractions: [number, number, number], seed = 0): Splits {
  const [ft, fv, fs] = fractions;
  if (!(ft > 0 && fv > 0 && fs > 0 && ft + fv + fs <= 1 + 1e-12)) throw new Error(`fractionSplits: fractions ${fractions.join(', ')} must be positive and sum to ≤ 1`);
  const rng = new RNG(seed);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < data.n; i++) {
    const key = data.task === 'regression' ? 0 : data.y[i]!;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(i);
  }
  const tr: number[] = [], va: number[] = [], te: number[] = [];
  for (const rows of groups.values()) {
    const p = rng.permutation(rows.length).map((k) => rows[k]!);
    const a = Math.round(ft * p.length), b = Math.round(fv * p.length), c = Math.round(fs * p.length);
    // element by element: spreading a large class into push() overflows the call stack
    p.forEach((r, k) => { if (k < a) tr.push(r); else if (k < a + b) va.push(r); else if (k < a + b + c) te.push(r); });
  }
  const mix = (idx: number[]) => rng.permutation(idx.length).map((k) => idx[k]!);
  return { train: subset(data, mix(tr)), validation: subset(data, mix(va)), test: subset(data, mix(te)) };
}

/** Per-feature mean and std of the training split, and which features were scaled. */
export interface Standardizer {
  /** Per feature: the training mean subtracted (0 for a feature left as is). */
  mean: Float64Array;
  /** Per feature: the training std divided by (1 for a feature left as is). */
  std: Float64Array;
  /** Per feature: whether it was standardized (false for constant and 0/1 features). */
  scaled: boolean[];
}

/** Columns whose largest |value| lies in [1e−100, 1e100] are summed and squared as they are; others are scaled first (no overflow or underflow). */
const PLAIN_RANGE = 1e100;

/** The name of feature `j` for messages. */
const featureName = (data: Dataset, j: number) => (data.features?.[j] !== undefined ? `'${data.features[j]}'` : String(j));

/**
 * Standardizes continuous features with training statistics (docs/math.md §9).
 * A feature is left as is when it is binary (0/1, e.g. one-hot categories) or constant.
 * A column whose largest |value| M is beyond 1e100 (or below 1e−100) is scaled by M first,
 * mean = M·mean(v/M) and std = M·std(v/M), so no square overflows (or underflows); a non-finite cell is an error naming the feature.
 */
export function fitStandardizer(train: Dataset): Standardizer {
  const { d, n, x } = train;
  const mean = new Float64Array(d), std = new Float64Array(d);
  const scaled: boolean[] = [];
  for (let j = 0; j < d; j++) {
    let big = 0, binary = true;
    for (let i = 0; i < n; i++) {
      const v = x[i * d + j]!;
      if (!Number.isFinite(v)) throw new Error(`fitStandardizer: feature ${featureName(train, j)} is ${v} in row ${i}`);
      if (Math.abs(v) > big) big = Math.abs(v);
      if (v !== 0 && v !== 1) binary = false;
    }
    const unit = big > PLAIN_RANGE || (big > 0 && big < 1 / PLAIN_RANGE) ? big : 1;
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i * d + j]! / unit;
    const m = s / n;
    let q = 0;
    for (let i = 0; i < n; i++) q += (x[i * d + j]! / unit - m) ** 2;
    const sd = Math.sqrt(q / n) * unit;
    if (!Number.isFinite(m * unit) || !Number.isFinite(sd)) throw new Error(`fitStandardizer: feature ${featureName(train, j)} has a non-finite mean or standard deviation`);
    const use = !binary && sd > 0;
    scaled.push(use);
    mean[j] = use ? m * unit : 0;
    std[j] = use ? sd : 1;
  }
  return { mean, std, scaled };
}

/**
 * Applies a standardizer (returns a new dataset; the input is not mutated). A value so far from the
 * training data that it standardizes to ±∞ is an error naming the feature and the row.
 */
export function standardize(data: Dataset, s: Standardizer): Dataset {
  const x = Float64Array.from(data.x, (v, k) => (v - s.mean[k % data.d]!) / s.std[k % data.d]!);
  const bad = x.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    const j = bad % data.d;
    throw new Error(`feature ${featureName(data, j)}: the value ${data.x[bad]} in row ${Math.floor(bad / data.d)} is too far from the training data to standardize (mean ${s.mean[j]}, std ${s.std[j]})`);
  }
  return { ...data, x };
}

/** Median and half-IQR of a regression target (docs/math.md §9: y ← (y − median)/(IQR/2)). */
export interface TargetScaler {
  /** The training target's median. */
  median: number;
  /** Half the interquartile range, (Q3 − Q1)/2, of the training target. */
  halfIqr: number;
}

function quantile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos), t = pos - lo;
  const a = sorted[lo]!, b = sorted[hi]!;
  const plain = a + (b - a) * t;
  return Number.isFinite(plain) ? plain : a * (1 - t) + b * t; // b − a overflows for quartiles near ±1.8e308
}

/** Fits the target scaling on the training split (linear-interpolated quantiles, as NumPy's default). */
export function fitTargetScaler(train: Dataset): TargetScaler {
  if (train.task !== 'regression') throw new Error('fitTargetScaler: only regression targets are scaled');
  const bad = train.y.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new Error(`fitTargetScaler: the target is ${train.y[bad]} in row ${bad}`);
  const s = Float64Array.from(train.y).sort();
  const q1 = quantile(s, 0.25), q3 = quantile(s, 0.75);
  const plain = (q3 - q1) / 2;
  const halfIqr = Number.isFinite(plain) ? plain : q3 / 2 - q1 / 2;
  if (!(halfIqr > 0)) throw new Error('fitTargetScaler: the target has zero interquartile range');
  return { median: quantile(s, 0.5), halfIqr };
}

/** The dataset with its regression target scaled: y ← (y − median)/(IQR/2) (docs/math.md §9). */
export function scaleTarget(data: Dataset, s: TargetScaler): Dataset {
  const y = Float64Array.from(data.y, (v) => (v - s.median) / s.halfIqr);
  const bad = y.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new Error(`the target value ${data.y[bad]} in row ${Math.floor(bad / Math.max(1, data.outputs))} is too far from the median to scale (median ${s.median}, IQR/2 ${s.halfIqr})`);
  return { ...data, y };
}

/**
 * Splits, standardizes features and (for regression) scales the target, all with training statistics.
 * @param data the whole dataset (not changed)
 * @param seed seed of the shuffle that makes the splits (default 0)
 */
export function prepareTabular(data: Dataset, seed = 0): Splits & {
  /** The standardization fitted on the training split and applied to all three. */
  standardizer: Standardizer;
  /** Regression: the target scaling fitted on the training split (y ← (y − median)/halfIqr). */
  target?: TargetScaler;
} {
  const sp = tabularSplits(data, seed);
  const st = fitStandardizer(sp.train);
  let out: Splits = { train: standardize(sp.train, st), validation: standardize(sp.validation, st), test: standardize(sp.test, st) };
  let target: TargetScaler | undefined;
  if (data.task === 'regression') {
    target = fitTargetScaler(out.train);
    out = { train: scaleTarget(out.train, target), validation: scaleTarget(out.validation, target), test: scaleTarget(out.test, target) };
  }
  return { ...out, standardizer: st, target };
}

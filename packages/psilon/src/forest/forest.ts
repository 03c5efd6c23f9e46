/**
 * Random forests for regression (MSE) and classification (Gini), hand-written on typed
 * arrays (docs/math.md, "Random forest"): bootstrap rows, candidate features per split
 * (all for regression, ⌊√d⌋ for classification: scikit-learn's defaults), splits on
 * pre-binned features, predictions the mean of the trees' leaf values.
 */
import { RNG } from '@psilon/core';
import type { Dataset, Task } from '../data/index.js';
import { binFeatures, MAX_BINS } from './bins.js';
import { growTree, type Tree } from './tree.js';

/** How to grow a forest. */
export interface ForestOptions {
  /** Trees (default 100). */
  nEstimators?: number;
  /** The fewest training rows a leaf may hold (default 1). */
  minSamplesLeaf?: number;
  /** Candidate features per split: a count, `'sqrt'` (⌊√d⌋) or `'all'` (default: all for regression, sqrt for classification). */
  maxFeatures?: number | 'sqrt' | 'all';
  /** Bins per feature, 2 … 256 (default 256). */
  maxBins?: number;
  /** Draw each tree's rows with replacement (default true). */
  bootstrap?: boolean;
  /** Seed of the forest's generator (default 0): the same seed gives the same forest. */
  seed?: number;
}

/** A fitted forest. */
export interface RandomForest {
  /** Always `random-forest` (tells a forest from a net). */
  kind: 'random-forest';
  /** The task it was fitted for: `regression`, `binary` or `multiclass`. */
  task: Task;
  /** Features per row. */
  d: number;
  /** Values per prediction: the regression outputs, or the classes (2 for binary). */
  k: number;
  /** The options it was grown with, defaults filled in. */
  options: Required<Omit<ForestOptions, 'maxFeatures'>> & {
    /** Candidate features per split, resolved to a count in [1, d]. */
    maxFeatures: number;
  };
  /** The fitted trees, `nEstimators` of them. */
  trees: Tree[];
}

const posInt = (name: string, v: unknown, min = 1, max = Number.MAX_SAFE_INTEGER): number => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new Error(`randomForest: ${name} must be an integer in [${min}, ${max === Number.MAX_SAFE_INTEGER ? '∞' : max}], got ${String(v)}`);
  }
  return v;
};

/** The number of values a forest predicts per row for a dataset. */
export const forestOutputs = (data: Pick<Dataset, 'task' | 'outputs'>): number => (data.task === 'binary' ? 2 : data.outputs);

/**
 * Grows a random forest on a dataset (not mutated). Deterministic for a seed. Bad
 * options or data are refused with one line naming the value.
 * @param data the training rows (any task)
 * @param options trees, leaf size, features per split, bins, bootstrap and seed: see {@link ForestOptions}
 */
export function fitForest(data: Dataset, options: ForestOptions = {}): RandomForest {
  const { n, d, x, task } = data;
  if (!(n >= 1)) throw new Error(`randomForest: the training data is empty (${String(n)} rows)`);
  if (!(d >= 1)) throw new Error(`randomForest: the training data has no features (d = ${String(d)})`);
  if (x.length !== n * d) throw new Error(`randomForest: x holds ${x.length} values, expected n·d = ${n}·${d}`);
  const classify = task !== 'regression';
  const k = forestOutputs(data);
  posInt('outputs', k, classify ? 2 : 1);
  const nEstimators = posInt('nEstimators', options.nEstimators ?? 100);
  const minSamplesLeaf = posInt('minSamplesLeaf', options.minSamplesLeaf ?? 1);
  const maxBins = posInt('maxBins', options.maxBins ?? MAX_BINS, 2, MAX_BINS);
  const seed = posInt('seed', options.seed ?? 0, 0);
  const mf = options.maxFeatures ?? (classify ? 'sqrt' : 'all');
  const maxFeatures = mf === 'all' ? d : mf === 'sqrt' ? Math.max(1, Math.floor(Math.sqrt(d))) : posInt('maxFeatures', mf, 1, d);
  const bootstrap = options.bootstrap ?? true;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) throw new Error(`randomForest: x[${Math.floor(i / d)}, ${i % d}] is ${x[i]}, not a finite number`);
  }
  const y = new Float64Array(n * k);
  if (classify) {
    for (let i = 0; i < n; i++) {
      const c = data.y[i]!;
      if (!Number.isInteger(c) || c < 0 || c >= k) throw new Error(`randomForest: label ${c} of row ${i} is not a class index in [0, ${k})`);
      y[i * k + c] = 1;
    }
  } else {
    if (data.y.length !== n * k) throw new Error(`randomForest: y holds ${data.y.length} values, expected ${n}·${k}`);
    for (let i = 0; i < n * k; i++) {
      if (!Number.isFinite(data.y[i])) throw new Error(`randomForest: target of row ${Math.floor(i / k)} is ${data.y[i]}, not a finite number`);
      y[i] = data.y[i]!;
    }
  }
  const binned = binFeatures(x, n, d, maxBins);
  const rng = new RNG(seed);
  const trees: Tree[] = [];
  for (let t = 0; t < nEstimators; t++) {
    trees.push(growTree(binned, { y, k, classify, minSamplesLeaf, maxFeatures, bootstrap }, new RNG(rng.nextUint32())));
  }
  return { kind: 'random-forest', task, d, k, options: { nEstimators, minSamplesLeaf, maxFeatures, maxBins, bootstrap, seed }, trees };
}

/**
 * Predictions for the rows of x ([n, d] row-major): n × k, the mean over trees of the
 * leaf values (class probabilities, summing to 1, for classification).
 */
export function predictForest(forest: RandomForest, x: Float64Array, n = x.length / forest.d): Float64Array {
  const { d, k, trees } = forest;
  if (!Number.isInteger(n) || x.length !== n * d) throw new Error(`predictForest: x holds ${x.length} values, not a whole number of rows of ${d} features`);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) throw new Error(`predictForest: x[${Math.floor(i / d)}, ${i % d}] is ${x[i]}, not a finite number`);
  }
  const out = new Float64Array(n * k);
  for (const t of trees) {
    const { feature, threshold, left, right, value } = t;
    for (let i = 0; i < n; i++) {
      let node = 0;
      const row = i * d;
      while (feature[node]! >= 0) node = x[row + feature[node]!]! <= threshold[node]! ? left[node]! : right[node]!;
      for (let c = 0; c < k; c++) out[i * k + c]! += value[node * k + c]!;
    }
  }
  const inv = 1 / trees.length;
  for (let j = 0; j < out.length; j++) out[j]! *= inv;
  return out;
}

/** The clipping of probabilities in the log-loss (scikit-learn 1.2's `log_loss` default). */
export const LOG_LOSS_EPS = 1e-15;

/**
 * A forest's test figures on a dataset: regression, `loss` = MSE and `metric` = RMSE;
 * classification, `loss` = log-loss (probabilities clipped to [ε, 1 − ε] and renormalised,
 * ε = 1e-15, as scikit-learn) and `metric` = accuracy.
 */
export function forestScore(forest: RandomForest, data: Dataset): {
  /** Mean loss: MSE (averaged over outputs) for regression, log-loss for classification. */
  loss: number;
  /** RMSE for regression, accuracy for classification. */
  metric: number;
} {
  if (data.d !== forest.d) throw new Error(`forestScore: the data has ${data.d} features, the forest ${forest.d}`);
  if ((data.task === 'regression') !== (forest.task === 'regression')) throw new Error(`forestScore: a ${forest.task} forest cannot score ${data.task} data`);
  const p = predictForest(forest, data.x, data.n);
  const k = forest.k;
  let loss = 0, correct = 0;
  for (let i = 0; i < data.n; i++) {
    if (forest.task === 'regression') {
      for (let c = 0; c < k; c++) loss += (p[i * k + c]! - data.y[i * k + c]!) ** 2 / k;
    } else {
      let z = 0, best = 0;
      for (let c = 0; c < k; c++) { z += Math.min(Math.max(p[i * k + c]!, LOG_LOSS_EPS), 1 - LOG_LOSS_EPS); if (p[i * k + c]! > p[i * k + best]!) best = c; }
      const label = data.y[i]!;
      if (!Number.isInteger(label) || label < 0 || label >= k) throw new Error(`forestScore: label ${label} of row ${i} is not a class index in [0, ${k})`);
      loss -= Math.log(Math.min(Math.max(p[i * k + label]!, LOG_LOSS_EPS), 1 - LOG_LOSS_EPS) / z);
      if (best === label) correct++;
    }
  }
  loss /= data.n;
  return { loss, metric: forest.task === 'regression' ? Math.sqrt(loss) : correct / data.n };
}

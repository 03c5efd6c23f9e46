/**
 * Prediction with a saved tabular model, through its own preprocessing: features read by
 * the model's column names and scaling (`applyPreprocessing`), outputs turned back into the
 * target's units or classes; and the scoring of those predictions against a file's target,
 * with labels mapped through the model's class list (never renumbered from the file).
 */
import * as C from '@psilon/core';
import type { Table } from '../data/parse.js';
import { applyPreprocessing, categoryOf, type Preprocessing } from '../data/prepared.js';
import type { Model } from '../nn/index.js';
import { argmax } from './loss.js';

/** What {@link predict} returns: one prediction per table row, in the target's units or as classes. */
export interface Predictions {
  /** The model's task: which of the fields below are set. */
  task: Preprocessing['task'];
  /** Rows predicted. */
  n: number;
  /** Regression: the prediction per row in the target's units (y = median + halfIqr·ŷ). */
  values?: Float64Array;
  /** Classification: the predicted class's index in `preprocessing.classes`, per row. */
  classIndex?: Int32Array;
  /** Classification: the predicted class's name, per row. */
  labels?: string[];
  /** Classification: the probability of the predicted class, per row. */
  probability?: Float64Array;
  /** Classification: [n, k] probabilities of every class (k = 2 for binary: 1 − σ(z), σ(z)). */
  probabilities?: Float64Array;
  /** What reading the table found (ignored columns, unseen categories). */
  notes: string[];
}

/** Rows per forward pass. */
const BATCH = 4096;

/**
 * Predicts every row of `table` with `model`, through `preprocessing`: regression outputs in
 * the target's units; binary by the logistic σ(z) = 1/(1 + e^−z) of the one logit (class 1
 * is `classes[1]`); multiclass by softmax(z)_c = e^{z_c}/Σ e^{z_j}, the class the argmax.
 * `file` names the table in messages.
 * @param model the trained model
 * @param preprocessing its training preprocessing (the model file's `preprocessing`)
 * @param table the rows to predict, with the training feature columns by name (columns it does not use are ignored, and noted)
 * @param file the table's name, for messages (default `the file`)
 */
export async function predict(model: Model, preprocessing: Preprocessing, table: Table, file = 'the file'): Promise<Predictions> {
  const p = preprocessing;
  const { inDim, outDim: k, dtype } = model.config;
  if (p.features.length !== inDim) throw new Error(`predict: the preprocessing has ${p.features.length} features, the model ${inDim} inputs`);
  const { x, n, notes } = applyPreprocessing(p, table, file);
  const z = new Float64Array(n * k);
  for (let s = 0; s < n; s += BATCH) {
    const m = Math.min(BATCH, n - s);
    const out = C.tidy(() => C.noGrad(() => model.forward(C.tensor(x.subarray(s * inDim, (s + m) * inDim), [m, inDim], { dtype }))));
    z.set(await out.data(), s * k);
    out.dispose();
  }
  if (p.task === 'regression') {
    const { median, halfIqr } = p.scale!;
    return { task: p.task, n, values: Float64Array.from({ length: n }, (_, i) => median + halfIqr * z[i * k]!), notes };
  }
  const classes = p.classes!;
  const kc = classes.length;
  const probabilities = new Float64Array(n * kc);
  for (let i = 0; i < n; i++) {
    if (p.task === 'binary') {
      const s = sigmoid(z[i]!);
      probabilities[2 * i] = 1 - s;
      probabilities[2 * i + 1] = s;
    } else softmaxInto(z, i * k, k, probabilities, i * kc);
  }
  const classIndex = Int32Array.from({ length: n }, (_, i) => argmax(probabilities, i * kc, kc));
  return {
    task: p.task, n, classIndex, labels: Array.from(classIndex, (c) => classes[c]!),
    probability: Float64Array.from(classIndex, (c, i) => probabilities[i * kc + c]!), probabilities, notes,
  };
}

/** σ(z), computed without overflow for large |z|. */
function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** softmax of z[off … off+k) into out[at …], shifted by the max so no exponent overflows. */
function softmaxInto(z: ArrayLike<number>, off: number, k: number, out: Float64Array, at: number): void {
  let m = -Infinity;
  for (let j = 0; j < k; j++) m = Math.max(m, z[off + j]!);
  let s = 0;
  for (let j = 0; j < k; j++) { const e = Math.exp(z[off + j]! - m); out[at + j] = e; s += e; }
  for (let j = 0; j < k; j++) out[at + j]! /= s;
}

/** What {@link scorePredictions} measured. */
export interface Scores {
  /** The model's task: which of the metrics below are set. */
  task: Preprocessing['task'];
  /** Rows scored. */
  rows: number;
  /** Regression: RMSE and mean absolute error in the target's units. */
  rmse?: number;
  /** Regression: mean absolute error in the target's units. */
  mae?: number;
  /** Classification: rows whose label is one of the model's classes (the metrics are over these). */
  known?: number;
  /** Classification: rows whose label the model never saw, per label. */
  unseen?: Map<string, number>;
  /** Classification: accuracy and mean log-loss −log p(true class) over the known rows (undefined when none is known). */
  accuracy?: number;
  /** Classification: mean log-loss −log p(true class) over the known rows, in nats. */
  logLoss?: number;
}

/**
 * Scores predictions against the target column of the table they were made from. Labels are
 * mapped through `preprocessing.classes` by value (so a file holding some of the classes, or
 * one class of a binary model, is scored as the model numbers them); labels the model never
 * saw are counted in `unseen` and left out of the metrics.
 */
export function scorePredictions(pred: Predictions, preprocessing: Preprocessing, table: Table, file = 'the file'): Scores {
  const p = preprocessing;
  const t = table.columns.indexOf(p.target);
  if (t < 0) throw new Error(`${file} has no target column '${p.target}'`);
  if (table.rows.length !== pred.n) throw new Error(`scorePredictions: ${pred.n} predictions for ${table.rows.length} rows`);
  if (p.task === 'regression') {
    let se = 0, ae = 0;
    table.rows.forEach((row, i) => {
      const y = row[t]!;
      if (typeof y !== 'number') throw new Error(`${file}: data row ${i + 1}, target '${p.target}': '${y}' is not a number`);
      const e = pred.values![i]! - y;
      se += e * e;
      ae += Math.abs(e);
    });
    return { task: p.task, rows: pred.n, rmse: Math.sqrt(se / pred.n), mae: ae / pred.n };
  }
  const classes = p.classes!;
  const k = classes.length;
  const unseen = new Map<string, number>();
  let known = 0, correct = 0, nll = 0;
  table.rows.forEach((row, i) => {
    const label = categoryOf(row[t]!, classes);
    if (label === undefined) { unseen.set(String(row[t]), (unseen.get(String(row[t])) ?? 0) + 1); return; }
    const c = classes.indexOf(label);
    known++;
    if (pred.classIndex![i] === c) correct++;
    nll -= Math.log(Math.max(pred.probabilities![i * k + c]!, Number.MIN_VALUE));
  });
  return {
    task: p.task, rows: pred.n, known, unseen,
    accuracy: known ? correct / known : undefined, logLoss: known ? nll / known : undefined,
  };
}

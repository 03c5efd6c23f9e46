/**
 * L2-regularized logistic regression: the linear reference of docs/math.md §9's tabular
 * experiment for classification (binary: one logit with BCE; multiclass: softmax).
 * Fitted full-batch with Adam in float64 on a private CPU backend, so it never
 * depends on (or disturbs) the active backend.
 */
import * as C from '@psilon/core';
import { CpuBackend } from '@psilon/core';
import type { Dataset } from '../../data/index.js';
import { argmax, taskLoss } from '../loss.js';
import { LINEAR_ALPHAS, selectByValidation } from './select.js';

/** A fitted model: logits = x·W + b. */
export interface Logistic {
  /** The weights W, [d, outputs] row-major. */
  w: Float64Array;
  /** The intercepts b, one per output. */
  b: Float64Array;
  /** Logits per row: 1 for binary, the number of classes for multiclass. */
  outputs: number;
  /** The L2 penalty α it was fitted with. */
  alpha: number;
}

const cpu = new CpuBackend();

function tensors(data: Dataset) {
  const x = C.tensor(data.x, [data.n, data.d], { dtype: 'float64', backend: cpu });
  const y = data.task === 'multiclass'
    ? C.tensor(data.y, [data.n], { dtype: 'float64', backend: cpu })
    : C.tensor(data.y, [data.n, 1], { dtype: 'float64', backend: cpu });
  return { x, y };
}

/** Fits logits = x·W + b minimizing the task's cross-entropy + (α/2)·‖W‖² (bias unpenalized). */
export function fitLogistic(data: Dataset, alpha: number, steps = 400): Logistic {
  if (data.task === 'regression') throw new Error('fitLogistic: needs a classification dataset');
  const k = data.task === 'binary' ? 1 : data.outputs;
  return C.tidy(() => {
    const { x, y } = tensors(data);
    const w = C.zeros([data.d, k], { dtype: 'float64', backend: cpu, requiresGrad: true });
    const b = C.zeros([k], { dtype: 'float64', backend: cpu, requiresGrad: true });
    const opt = new C.Adam([w, b], { lr: 0.05 });
    for (let s = 0; s < steps; s++) {
      C.tidy(() => {
        opt.zeroGrad();
        const loss = C.add(taskLoss(data.task, C.add(C.matmul(x, w), b), y), C.mul(C.sum(C.square(w)), alpha / 2));
        loss.backward();
        opt.step();
      });
    }
    opt.dispose();
    return { w: Float64Array.from(w.dataSync()), b: Float64Array.from(b.dataSync()), outputs: k, alpha };
  });
}

/** Cross-entropy and accuracy of a fitted model on a dataset. */
export function logisticScore(m: Logistic, data: Dataset): {
  /** Mean cross-entropy (binary on one logit, softmax for multiclass). */
  loss: number;
  /** Accuracy, in [0, 1]. */
  accuracy: number;
} {
  return C.tidy(() => {
    const { x, y } = tensors(data);
    const w = C.tensor(m.w, [data.d, m.outputs], { dtype: 'float64', backend: cpu });
    const logits = C.add(C.matmul(x, w), C.tensor(m.b, [m.outputs], { dtype: 'float64', backend: cpu }));
    const loss = taskLoss(data.task, logits, y).itemSync();
    const z = logits.dataSync();
    let correct = 0;
    for (let i = 0; i < data.n; i++) {
      const guess = m.outputs === 1 ? (z[i]! > 0 ? 1 : 0) : argmax(z, i * m.outputs, m.outputs);
      if (guess === data.y[i]) correct++;
    }
    return { loss, accuracy: correct / data.n };
  });
}

/** The α grid of the reference scripts (as for ridge), 1e-6 … 100. */
export const LOGISTIC_ALPHAS = LINEAR_ALPHAS;

/** Fits one model per α and keeps the lowest validation cross-entropy. */
export function selectLogistic(train: Dataset, validation: Dataset, alphas = LOGISTIC_ALPHAS): Logistic & {
  /** The chosen model's cross-entropy on `validation`. */
  valLoss: number;
} {
  const { model, score } = selectByValidation(alphas, (a) => fitLogistic(train, a), (m) => logisticScore(m, validation).loss);
  return { ...model, valLoss: score };
}

/** The data losses of docs/math.md §8, batching, and evaluation of a model on a dataset. */
import * as C from '@psilon/core';
import type { Tensor } from '@psilon/core';
import type { Dataset, Task } from '../data/index.js';
import type { Model } from '../nn/index.js';

/** The data loss for a task, on logits/predictions `pred` and targets `y`. */
export function taskLoss(task: Task, pred: Tensor, y: Tensor): Tensor {
  switch (task) {
    case 'regression': return C.mse(pred, y);
    case 'binary': return C.bceWithLogits(pred, y);
    case 'multiclass': return C.softmaxCrossEntropy(pred, y);
  }
}

/** Rows `idx` of a dataset as tensors on the model's dtype. */
export function batchTensors(data: Dataset, idx: readonly number[], dtype: C.DType): {
  /** Inputs [rows, d]. */
  x: Tensor;
  /** Targets: [rows, outputs] for regression, [rows, 1] for binary, class indices [rows] for multiclass. */
  y: Tensor;
} {
  const x = new Float64Array(idx.length * data.d);
  idx.forEach((r, i) => x.set(data.x.subarray(r * data.d, (r + 1) * data.d), i * data.d));
  const yCols = data.task === 'regression' ? data.outputs : 1;
  const y = new Float64Array(idx.length * yCols);
  idx.forEach((r, i) => y.set(data.y.subarray(r * yCols, (r + 1) * yCols), i * yCols));
  const yShape = data.task === 'multiclass' ? [idx.length] : [idx.length, yCols];
  return { x: C.tensor(x, [idx.length, data.d], { dtype }), y: C.tensor(y, yShape, { dtype }) };
}

/**
 * Mean loss and the task metric (RMSE for regression, accuracy for classification) on a dataset.
 * @param model the model to score (not changed)
 * @param data the rows to score it on
 * @param batchSize rows per forward pass (default 1000; the result does not depend on it)
 */
export async function evaluate(model: Model, data: Dataset, batchSize = 1000): Promise<{
  /** Mean data loss: MSE for regression, binary cross-entropy on logits for binary, softmax cross-entropy for multiclass. */
  loss: number;
  /** RMSE (√loss) for regression, accuracy in [0, 1] for classification. */
  metric: number;
}> {
  checkData(model, data, 'evaluate');
  let lossSum = 0, correct = 0;
  for (let s = 0; s < data.n; s += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, data.n - s) }, (_, i) => s + i);
    const { loss, pred } = C.tidy(() => C.noGrad(() => {
      const b = batchTensors(data, idx, model.config.dtype);
      const p = model.forward(b.x);
      return { loss: C.mul(taskLoss(data.task, p, b.y), idx.length), pred: p };
    }));
    lossSum += await loss.item();
    if (data.task !== 'regression') {
      const p = await pred.data();
      idx.forEach((r, i) => {
        const label = data.y[r]!;
        const guess = data.task === 'binary' ? (p[i]! > 0 ? 1 : 0) : argmax(p, i * data.outputs, data.outputs);
        if (guess === label) correct++;
      });
    }
    loss.dispose();
    pred.dispose();
  }
  const loss = lossSum / data.n;
  return { loss, metric: data.task === 'regression' ? Math.sqrt(loss) : correct / data.n };
}

/** Index of the largest of a[off … off+n). */
export function argmax(a: ArrayLike<number>, off: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (a[off + i]! > a[off + best]!) best = i;
  return best;
}

/** Checks that a dataset fits a model and holds only finite values, naming the first bad cell. */
export function checkData(model: Model, data: Dataset, where: string): void {
  if (data.d !== model.config.inDim) throw new Error(`${where}: data has ${data.d} features, the model expects ${model.config.inDim}`);
  if (!(Number.isInteger(data.n) && data.n >= 1)) throw new Error(`${where}: the dataset has ${data.n} rows; at least 1 is needed`);
  if (data.x.length !== data.n * data.d) throw new Error(`${where}: x holds ${data.x.length} values, n·d = ${data.n}·${data.d} = ${data.n * data.d}`);
  const yWant = data.task === 'regression' ? data.n * data.outputs : data.n;
  if (data.y.length !== yWant) throw new Error(`${where}: y holds ${data.y.length} values for ${data.n} rows of a ${data.task} task (expected ${yWant})`);
  const want = data.task === 'binary' ? 1 : data.outputs;
  if (model.config.outDim !== want) throw new Error(`${where}: a ${data.task} task with ${data.outputs} outputs needs outDim ${want}, the model has ${model.config.outDim}`);
  for (let i = 0; i < data.x.length; i++) {
    if (!Number.isFinite(data.x[i]!)) throw new Error(`${where}: feature value at row ${Math.floor(i / data.d)}, column ${i % data.d} is ${data.x[i]}`);
  }
  for (let i = 0; i < data.y.length; i++) if (!Number.isFinite(data.y[i]!)) throw new Error(`${where}: target ${i} is ${data.y[i]}`);
}

/**
 * What `train()` refuses before any work (README "Data rules"): degenerate problems (a constant
 * target, a single class), labels outside the task's classes, a validation set of another task
 * or width, λ that is not a finite number ≥ 0, and non-finite features or targets.
 */
import type { Dataset } from '../data/index.js';
import type { Model } from '../nn/index.js';
import { checkData } from './loss.js';

/** Throws unless every label of a classification dataset is a class index of its task. */
function checkLabels(data: Dataset, where: string): void {
  if (data.task === 'regression') return;
  const k = data.task === 'binary' ? 2 : data.outputs;
  const need = data.task === 'binary' ? 'a binary task needs labels 0 or 1' : `a multiclass task with ${k} classes needs integers 0…${k - 1}`;
  for (let i = 0; i < data.n; i++) {
    const v = data.y[i]!;
    if (!(Number.isInteger(v) && v >= 0 && v < k)) throw new Error(`${where}: the label of row ${i} is ${v}; ${need}`);
  }
}

/** Throws when the training target cannot be learned: a single class, or a regression output with no spread. */
function checkNotDegenerate(data: Dataset, where: string): void {
  if (data.task !== 'regression') {
    const first = data.y[0]!;
    if (data.y.every((v) => v === first)) throw new Error(`${where}: every row has class ${first}: classification needs at least 2 classes in the training data`);
    return;
  }
  const m = data.outputs;
  for (let o = 0; o < m; o++) {
    const first = data.y[o]!;
    let constant = true;
    for (let i = 1; i < data.n && constant; i++) constant = data.y[i * m + o] === first;
    if (constant) throw new Error(`${where}: the target${m > 1 ? ` column ${o}` : ''} is constant (every row is ${first}): there is nothing to learn`);
  }
}

/**
 * Checks a training problem before `train()` does any work: λ (`options.lambda`) is a finite
 * number ≥ 0; the data fits the model and holds only finite values; classification labels are
 * class indices of the task; the target is not degenerate; a validation set has the training
 * set's task, width and outputs and valid labels. Each failure is one line naming what is wrong.
 */
export function checkTrainInputs(model: Model, data: Dataset, options: { lambda?: number; validation?: Dataset }): void {
  const where = 'train';
  if (typeof options !== 'object' || options === null) throw new Error(`${where}: options must be an object ({ epochs, batchSize, lr, lambda, … })`);
  if (typeof data !== 'object' || data === null || !data.x || !data.y) throw new Error(`${where}: data must be a Dataset ({ x, y, n, d, task, outputs })`);
  const lambda = options.lambda;
  if (lambda !== undefined && !(typeof lambda === 'number' && Number.isFinite(lambda) && lambda >= 0)) {
    throw new Error(`${where}: lambda must be a finite number ≥ 0, got ${String(lambda)}`);
  }
  checkData(model, data, where);
  checkLabels(data, where);
  checkNotDegenerate(data, where);
  const v = options.validation;
  if (!v) return;
  if (v.task !== data.task) throw new Error(`${where}: the validation set is a ${v.task} task, the training set a ${data.task} task`);
  if (v.d !== data.d) throw new Error(`${where}: the validation set has ${v.d} features, the training set ${data.d}`);
  if (v.outputs !== data.outputs) throw new Error(`${where}: the validation set has ${v.outputs} outputs, the training set ${data.outputs}`);
  checkData(model, v, `${where} (validation)`);
  checkLabels(v, `${where} (validation)`);
}

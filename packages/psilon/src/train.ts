/**
 * Training (PAPER.md §8): mini-batches with a seeded shuffle, Adam, OneCycle
 * stepped once per epoch, objective L + λ·R, validation every k epochs, an
 * optional pruning phase over the last T steps, and λ selection over a grid.
 */
import * as C from '@psilon/core';
import { Adam, checkOptions, OneCycle, RNG, type Tensor } from '@psilon/core';
import type { Model } from './models.js';
import { regularizer } from './pathnorm.js';
import { advancePruning, prune, startPruning } from './prune.js';
import { sparsityReport } from './sparsity.js';
import { Progress } from './progress.js';

/** The kind of prediction problem, which fixes the data loss (PAPER.md §8). */
export type Task = 'regression' | 'binary' | 'multiclass';

/**
 * A dataset in memory: x is [n, d] row-major; y is [n, outputs] for regression,
 * [n] of 0/1 for binary, [n] of class indices for multiclass.
 */
export interface Dataset {
  x: Float64Array;
  y: Float64Array;
  n: number;
  d: number;
  task: Task;
  /** Regression targets per row (default 1) or the number of classes (multiclass). */
  outputs: number;
  /** Feature names, when known. */
  features?: string[];
}

/** Options of {@link train}. */
export interface TrainOptions {
  epochs: number;
  batchSize: number;
  /** Peak learning rate of OneCycle (PAPER.md §8: 2e-3 tabular, 2e-2 deep). */
  lr: number;
  /** Regularization strength λ of L + λ·R. */
  lambda: number;
  /** Seed of the mini-batch shuffle (default 0). */
  seed?: number;
  /** OneCycle warm-up fraction (default 0.2, PAPER.md §8). */
  pctStart?: number;
  /** Validation data, scored every `validateEvery` epochs and at the last epoch. */
  validation?: Dataset;
  validateEvery?: number;
  /** Blend in the L1-sphere projection over the last `pruneSteps` optimizer steps, then `prune` (PAPER.md §7). */
  pruneSteps?: number;
  /** Show a progress bar with ETA on stderr (default: when stderr is a TTY). */
  progress?: boolean;
  /** Called after every epoch. */
  onEpoch?: (record: EpochRecord) => void;
}
const TRAIN_KEYS = ['epochs', 'batchSize', 'lr', 'lambda', 'seed', 'pctStart', 'validation', 'validateEvery', 'pruneSteps', 'progress', 'onEpoch'];

/** One epoch of history. */
export interface EpochRecord {
  epoch: number;
  /** Optimizer steps taken so far. */
  step: number;
  lr: number;
  /** Mean data loss over the epoch's batches. */
  trainLoss: number;
  /** Mean objective L + λ·R over the epoch's batches. */
  objective: number;
  /** R at the end of the epoch. */
  regularizer: number;
  /** Validation loss and metric, on validation epochs. */
  valLoss?: number;
  valMetric?: number;
}

/** What {@link train} returns. */
export interface TrainResult {
  history: EpochRecord[];
  /** Final validation loss/metric (when validation data was given). */
  valLoss?: number;
  valMetric?: number;
  /** Near-sparsity of the raw weights at the end (PAPER.md §7). */
  nearSparsity: number;
  /** Exact sparsity of the used weights at the end (> 0 only after pruning). */
  exactSparsity: number;
  seconds: number;
}

/** The data loss for a task, on logits/predictions `pred` and targets `y`. */
export function taskLoss(task: Task, pred: Tensor, y: Tensor): Tensor {
  switch (task) {
    case 'regression': return C.mse(pred, y);
    case 'binary': return C.bceWithLogits(pred, y);
    case 'multiclass': return C.softmaxCrossEntropy(pred, y);
  }
}

/** Rows `idx` of a dataset as tensors on the model's dtype. */
export function batchTensors(data: Dataset, idx: readonly number[], dtype: C.DType): { x: Tensor; y: Tensor } {
  const x = new Float64Array(idx.length * data.d);
  idx.forEach((r, i) => x.set(data.x.subarray(r * data.d, (r + 1) * data.d), i * data.d));
  const yCols = data.task === 'regression' ? data.outputs : 1;
  const y = new Float64Array(idx.length * yCols);
  idx.forEach((r, i) => y.set(data.y.subarray(r * yCols, (r + 1) * yCols), i * yCols));
  const yShape = data.task === 'multiclass' ? [idx.length] : [idx.length, yCols];
  return { x: C.tensor(x, [idx.length, data.d], { dtype }), y: C.tensor(y, yShape, { dtype }) };
}

/** Mean loss and the task metric (RMSE for regression, accuracy for classification) on a dataset. */
export async function evaluate(model: Model, data: Dataset, batchSize = 1000): Promise<{ loss: number; metric: number }> {
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

function argmax(a: ArrayLike<number>, off: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (a[off + i]! > a[off + best]!) best = i;
  return best;
}

function checkData(model: Model, data: Dataset, where: string): void {
  if (data.d !== model.config.inDim) throw new Error(`${where}: data has ${data.d} features, the model expects ${model.config.inDim}`);
  const want = data.task === 'binary' ? 1 : data.outputs;
  if (model.config.outDim !== want) throw new Error(`${where}: a ${data.task} task with ${data.outputs} outputs needs outDim ${want}, the model has ${model.config.outDim}`);
  for (let i = 0; i < data.x.length; i++) {
    if (!Number.isFinite(data.x[i]!)) throw new Error(`${where}: feature value at row ${Math.floor(i / data.d)}, column ${i % data.d} is ${data.x[i]}`);
  }
  for (let i = 0; i < data.y.length; i++) if (!Number.isFinite(data.y[i]!)) throw new Error(`${where}: target ${i} is ${data.y[i]}`);
}

/**
 * Trains `model` in place. Each epoch: a seeded shuffle, mini-batches, one Adam
 * step per batch on L + λ·R, then one OneCycle step (PAPER.md §8: lr from 1e-4
 * up to `lr` at 20% of the epochs, then down to 1e-4/(lr/1e-3); β₁ cycles
 * 0.95 ↔ 0.85). Stops with an error naming the epoch on a non-finite loss.
 */
export async function train(model: Model, data: Dataset, options: TrainOptions): Promise<TrainResult> {
  checkOptions('train', options, TRAIN_KEYS);
  const { epochs, batchSize, lr, lambda } = options;
  if (!Number.isInteger(epochs) || epochs < 2) throw new Error(`train: epochs must be an integer ≥ 2, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`train: batchSize must be a positive integer, got ${batchSize}`);
  if (!(lr > 0)) throw new Error(`train: lr must be > 0, got ${lr}`);
  if (!(lambda >= 0)) throw new Error(`train: lambda must be ≥ 0, got ${lambda}`);
  const pct = options.pctStart ?? 0.2;
  if (!(pct * epochs > 1)) throw new Error(`train: OneCycle needs pctStart·epochs > 1 (pctStart ${pct} needs at least ${Math.floor(1 / pct) + 1} epochs), got ${epochs} epochs`);
  checkData(model, data, 'train');
  if (options.validation) checkData(model, options.validation, 'train (validation)');
  const t0 = performance.now();
  const rng = new RNG(options.seed ?? 0);
  const opt = new Adam(model.parameters(), { lr });
  const sched = new OneCycle(opt, {
    maxLr: lr, totalSteps: epochs, pctStart: pct, divFactor: lr / 1e-4, finalDivFactor: lr / 1e-3,
  });
  const batchesPerEpoch = Math.ceil(data.n / batchSize);
  const totalSteps = epochs * batchesPerEpoch;
  const pruneFrom = options.pruneSteps ? totalSteps - options.pruneSteps : Infinity;
  if (options.pruneSteps !== undefined && !(options.pruneSteps >= 1 && options.pruneSteps <= totalSteps)) {
    throw new Error(`train: pruneSteps must be in [1, ${totalSteps}] (the run has ${totalSteps} steps), got ${options.pruneSteps}`);
  }
  const every = options.validateEvery ?? Math.max(1, Math.floor(epochs / 10));
  const bar = new Progress(epochs, options.progress);
  const history: EpochRecord[] = [];
  let step = 0;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const order = rng.permutation(data.n);
      let lossSum = 0, objSum = 0;
      for (let bi = 0; bi < batchesPerEpoch; bi++) {
        if (step === pruneFrom) startPruning(model, options.pruneSteps!);
        const idx = order.slice(bi * batchSize, (bi + 1) * batchSize);
        const nonFinite = (detail: string) =>
          new Error(`train: non-finite loss at epoch ${epoch}, step ${step + 1} (${detail}); lower the learning rate or λ`);
        let lossT: Tensor, objT: Tensor;
        try {
          [lossT, objT] = C.tidy(() => {
            opt.zeroGrad();
            const b = batchTensors(data, idx, model.config.dtype);
            const loss = taskLoss(data.task, model.forward(b.x), b.y);
            const obj = lambda > 0 ? C.add(loss, C.mul(regularizer(model), lambda)) : loss;
            obj.backward();
            opt.step();
            return [loss.detach(), obj.detach()];
          });
        } catch (e) {
          if (/non-finite|NaN|Infinity/.test((e as Error).message)) throw nonFinite((e as Error).message);
          throw e;
        }
        const [l, o] = [await lossT.item(), await objT.item()];
        lossT.dispose();
        objT.dispose();
        if (!Number.isFinite(l) || !Number.isFinite(o)) throw nonFinite(`loss ${l}, objective ${o}`);
        lossSum += l;
        objSum += o;
        step++;
        if (step > pruneFrom) advancePruning(model);
      }
      const R = C.tidy(() => C.noGrad(() => regularizer(model)));
      const rec: EpochRecord = {
        epoch, step, lr: opt.lr, trainLoss: lossSum / batchesPerEpoch, objective: objSum / batchesPerEpoch, regularizer: await R.item(),
      };
      R.dispose();
      sched.step();
      if (options.validation && (epoch % every === 0 || epoch === epochs)) {
        const v = await evaluate(model, options.validation);
        rec.valLoss = v.loss;
        rec.valMetric = v.metric;
      }
      history.push(rec);
      options.onEpoch?.(rec);
      bar.update(epoch, rec.trainLoss);
    }
  } finally {
    bar.done();
    opt.dispose();
  }
  if (options.pruneSteps) prune(model);
  const last = history[history.length - 1]!;
  return { history, valLoss: last.valLoss, valMetric: last.valMetric, ...(await sparsityReport(model)), seconds: (performance.now() - t0) / 1000 };
}

/** Options of {@link selectLambda}: the training options without λ, plus the grid. */
export interface SelectLambdaOptions extends Omit<TrainOptions, 'lambda'> {
  grid: readonly number[];
  validation: Dataset;
  /**
   * Reuse one model across the grid, each λ starting from the previous λ's
   * weights — the reference code's behaviour (PAPER.md §8 quirk). Default false:
   * a fresh initialisation per λ.
   */
  warmStart?: boolean;
  /** Called after each λ. */
  onLambda?: (lambda: number, result: TrainResult) => void;
}

/** One λ's outcome. */
export interface LambdaRun { lambda: number; result: TrainResult; model: Model }

/**
 * Trains one model per λ and picks the λ with the lowest final-epoch validation
 * loss (PAPER.md §8: no early stopping). Returns every run and the best; models
 * other than the best are disposed unless `keepAll`.
 */
export async function selectLambda(
  makeModel: () => Model, data: Dataset, options: SelectLambdaOptions & { keepAll?: boolean },
): Promise<{ best: LambdaRun; runs: LambdaRun[] }> {
  const { grid, warmStart, onLambda, keepAll, ...rest } = options;
  if (!grid.length) throw new Error('selectLambda: the λ grid is empty');
  const runs: LambdaRun[] = [];
  let shared: Model | undefined;
  for (const lambda of grid) {
    const model = warmStart ? (shared ??= makeModel()) : makeModel();
    const result = await train(model, data, { ...rest, lambda });
    runs.push({ lambda, result, model });
    onLambda?.(lambda, result);
  }
  const best = runs.reduce((a, b) => (b.result.valLoss! < a.result.valLoss! ? b : a));
  if (!keepAll && !warmStart) for (const r of runs) if (r !== best) r.model.dispose();
  return { best, runs };
}

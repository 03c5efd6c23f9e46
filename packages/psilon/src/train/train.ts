/**
 * The training loop (docs/math.md §8): mini-batches with a seeded shuffle, Adam,
 * OneCycle stepped once per epoch, objective L + λ·R, validation every k epochs,
 * and an optional pruning phase over the last T steps.
 */
import * as C from '@psilon/core';
import { Adam, checkOptions, NonFiniteLossError, OneCycle, RNG, type Tensor } from '@psilon/core';
import type { Dataset } from '../data/index.js';
import type { Model } from '../nn/index.js';
import { advancePruning, prune, sparsityReport, startPruning } from '../sparsity/index.js';
import { batchTensors, checkData, evaluate, taskLoss } from './loss.js';
import { Progress } from './progress.js';

/** Options of {@link train}. */
export interface TrainOptions {
  epochs: number;
  batchSize: number;
  /** Peak learning rate of OneCycle (docs/math.md §8: 2e-3 tabular, 2e-2 deep). */
  lr: number;
  /** Regularization strength λ of L + λ·R. */
  lambda: number;
  /** Seed of the mini-batch shuffle (default 0). */
  seed?: number;
  /** OneCycle warm-up fraction (default 0.2, docs/math.md §8). */
  pctStart?: number;
  /** Validation data, scored every `validateEvery` epochs and at the last epoch. */
  validation?: Dataset;
  validateEvery?: number;
  /** Blend in the L1-sphere projection over the last `pruneSteps` optimizer steps, then `prune` (docs/math.md §7). */
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
  /** Near-sparsity of the raw weights at the end (docs/math.md §7). */
  nearSparsity: number;
  /** Exact sparsity of the used weights at the end (> 0 only after pruning). */
  exactSparsity: number;
  seconds: number;
}

/** Checks the options of {@link train}; returns the OneCycle warm-up fraction. */
function checkTrainOptions(options: TrainOptions): number {
  checkOptions('train', options, TRAIN_KEYS);
  const { epochs, batchSize, lr, lambda } = options;
  if (!Number.isInteger(epochs) || epochs < 2) throw new Error(`train: epochs must be an integer ≥ 2, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`train: batchSize must be a positive integer, got ${batchSize}`);
  if (!(lr > 0)) throw new Error(`train: lr must be > 0, got ${lr}`);
  if (!(lambda >= 0)) throw new Error(`train: lambda must be ≥ 0, got ${lambda}`);
  const pct = options.pctStart ?? 0.2;
  if (!(pct * epochs > 1)) throw new Error(`train: OneCycle needs pctStart·epochs > 1 (pctStart ${pct} needs at least ${Math.floor(1 / pct) + 1} epochs), got ${epochs} epochs`);
  return pct;
}

/**
 * The pruning phase (docs/math.md §7) over the last `pruneSteps` of `totalSteps`:
 * `before(step)` starts the blend when its first step comes, `after(step)` advances it.
 */
function pruningSchedule(model: Model, pruneSteps: number | undefined, totalSteps: number) {
  if (pruneSteps !== undefined && !(Number.isInteger(pruneSteps) && pruneSteps >= 1 && pruneSteps <= totalSteps)) {
    throw new Error(`train: pruneSteps must be an integer in [1, ${totalSteps}] (the run has ${totalSteps} steps), got ${pruneSteps}`);
  }
  const from = pruneSteps ? totalSteps - pruneSteps : Infinity;
  return {
    before(step: number): void { if (step === from) startPruning(model, pruneSteps!); },
    after(step: number): void { if (step > from) advancePruning(model); },
  };
}

/**
 * One optimizer step on the objective L + λ·R for the rows `idx`; returns the loss and
 * the objective (read back). A non-finite value stops training with the epoch and step named.
 */
async function trainStep(model: Model, opt: Adam, data: Dataset, idx: readonly number[], lambda: number, where: string): Promise<[number, number]> {
  let lossT: Tensor, objT: Tensor;
  const stop = (detail: string) => new Error(`train: non-finite loss at ${where} (${detail}); lower the learning rate or λ`);
  try {
    [lossT, objT] = C.tidy(() => {
      opt.zeroGrad();
      const b = batchTensors(data, idx, model.config.dtype);
      const loss = taskLoss(data.task, model.forward(b.x), b.y);
      const obj = lambda > 0 ? C.add(loss, C.mul(model.regularizer(), lambda)) : loss;
      obj.backward();
      opt.step();
      return [loss.detach(), obj.detach()];
    });
  } catch (e) {
    if (e instanceof NonFiniteLossError) throw stop(e.message);
    throw e;
  }
  const [l, o] = [await lossT.item(), await objT.item()];
  lossT.dispose();
  objT.dispose();
  if (!Number.isFinite(l) || !Number.isFinite(o)) throw stop(`loss ${l}, objective ${o}`);
  return [l, o];
}

/**
 * Trains `model` in place. Each epoch: a seeded shuffle, mini-batches, one Adam
 * step per batch on L + λ·R, then one OneCycle step (docs/math.md §8: lr from 1e-4
 * up to `lr` at 20% of the epochs, then down to 1e-4/(lr/1e-3); β₁ cycles
 * 0.95 ↔ 0.85). Stops with an error naming the epoch on a non-finite loss.
 */
export async function train(model: Model, data: Dataset, options: TrainOptions): Promise<TrainResult> {
  const pct = checkTrainOptions(options);
  const { epochs, batchSize, lr, lambda } = options;
  checkData(model, data, 'train');
  if (options.validation) checkData(model, options.validation, 'train (validation)');
  const t0 = performance.now();
  const rng = new RNG(options.seed ?? 0);
  const opt = new Adam(model.parameters(), { lr });
  const sched = new OneCycle(opt, { maxLr: lr, totalSteps: epochs, pctStart: pct, divFactor: lr / 1e-4, finalDivFactor: lr / 1e-3 });
  const batchesPerEpoch = Math.ceil(data.n / batchSize);
  const pruning = pruningSchedule(model, options.pruneSteps, epochs * batchesPerEpoch);
  const every = options.validateEvery ?? Math.max(1, Math.floor(epochs / 10));
  const bar = new Progress(epochs, options.progress);
  const history: EpochRecord[] = [];
  let step = 0;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const order = rng.permutation(data.n);
      let lossSum = 0, objSum = 0;
      for (let bi = 0; bi < batchesPerEpoch; bi++) {
        pruning.before(step);
        const idx = order.slice(bi * batchSize, (bi + 1) * batchSize);
        const [l, o] = await trainStep(model, opt, data, idx, lambda, `epoch ${epoch}, step ${step + 1}`);
        lossSum += l;
        objSum += o;
        step++;
        pruning.after(step);
      }
      const R = C.tidy(() => C.noGrad(() => model.regularizer()));
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

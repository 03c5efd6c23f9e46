/**
 * The training loop (docs/math.md §8): mini-batches with a seeded shuffle, Adam,
 * OneCycle stepped once per epoch, objective L + λ·R, validation every k epochs,
 * and an optional pruning phase over the last T steps.
 */
import * as C from '@psilon/core';
import { Adam, checkOptions, OneCycle, RNG } from '@psilon/core';
import type { Dataset } from '../data/index.js';
import type { Model } from '../nn/index.js';
import { checkPositiveInteger, optionKeys } from '../nn/options.js';
import { advancePruning, prune, sparsityReport, startPruning } from '../sparsity/index.js';
import { batchTensors, checkData, evaluate } from './loss.js';
import { Progress } from './progress.js';
import { checkObjective, trainStep, type ObjectiveConvention, type TrainStepResult } from './step.js';
import { checkTrainInputs } from './validate.js';

/**
 * The learning-rate schedule, stepped once per epoch: PyTorch's OneCycleLR (cosine,
 * β₁ cycled 0.95 ↔ 0.85; docs/math.md §8) or a constant lr.
 */
export type Schedule =
  | {
    /** OneCycle: the lr rises to `lr` and falls again over all the epochs (the default schedule). */
    kind: 'onecycle';
    /** Fraction of the epochs spent raising the lr, in (0, 1) (default `TrainOptions.pctStart`, else 0.2). */
    pctStart?: number;
    /** Initial lr = lr / divFactor (default lr / 1e-4, so the lr starts at 1e-4). */
    divFactor?: number;
    /** Final lr = initial lr / finalDivFactor (default lr / 1e-3). */
    finalDivFactor?: number;
    /** Cycle Adam's β₁ between 0.95 and 0.85, inversely to the lr (default true). */
    cycleMomentum?: boolean;
  }
  | {
    /** A constant lr (`TrainOptions.lr`) and β₁ for every step. */
    kind: 'constant';
  };

/** Options of {@link train}. */
export interface TrainOptions {
  /** Passes over the training data; OneCycle spans them all (at least 6 with the default pctStart 0.2). */
  epochs: number;
  /** Rows per mini-batch (the last batch of an epoch holds the rest); one optimizer step per batch. */
  batchSize: number;
  /** Learning rate: OneCycle's peak, or the constant lr (docs/math.md §8: 2e-3 tabular, 2e-2 deep). */
  lr: number;
  /** Regularization strength λ. */
  lambda: number;
  /** Seed of the mini-batch shuffle (default 0). */
  seed?: number;
  /** Shuffle the rows every epoch (default true); false keeps the data's order, as full-batch protocols do. */
  shuffle?: boolean;
  /**
   * The schedule (default OneCycle with pctStart 0.2, divFactor lr/1e-4, finalDivFactor lr/1e-3:
   * the lr goes 1e-4 → lr → 1e-4/(lr/1e-3)).
   */
  schedule?: Schedule;
  /** OneCycle warm-up fraction (default 0.2); the same as `schedule.pctStart`. */
  pctStart?: number;
  /** Adam's β₁ (the starting value where OneCycle cycles it), β₂ and ε (defaults 0.9, 0.999, 1e-8). */
  adam?: {
    /** Adam's β₁, in [0, 1) (default 0.9; OneCycle overwrites it each epoch unless `cycleMomentum` is false). */
    beta1?: number;
    /** Adam's β₂, in [0, 1) (default 0.999). */
    beta2?: number;
    /** Adam's ε, added to √v̂ in the denominator (default 1e-8). */
    eps?: number;
  };
  /** The objective convention (default `half`: 0.5·L + 0.5·λ·R, as the reference code). */
  objective?: ObjectiveConvention;
  /**
   * Initial parameters by name (`model.namedParameters()` names, e.g. `embedder.weight`), each a flat
   * row-major array or nested arrays of the parameter's size; written into the model before training.
   */
  init?: Record<string, ArrayLike<number> | unknown[]>;
  /** Record one entry per optimizer step in `result.steps` (default false). */
  recordSteps?: boolean;
  /**
   * Stop with {@link DivergenceError} when an epoch's mean training loss exceeds this factor times the loss
   * on the whole training set before the first step (default 1000; `Infinity` never stops). A run that diverges this far has failed, even while its
   * loss is still finite.
   */
  divergenceFactor?: number;
  /** Validation data, scored every `validateEvery` epochs and at the last epoch. */
  validation?: Dataset;
  /** Score `validation` every this many epochs (default: a tenth of the epochs, at least 1). */
  validateEvery?: number;
  /** Blend in the L1-sphere projection over the last `pruneSteps` optimizer steps, then `prune` (docs/math.md §7). */
  pruneSteps?: number;
  /** Show a progress bar with ETA on stderr (default: when stderr is a TTY). */
  progress?: boolean;
  /** Called after every epoch. */
  onEpoch?: (record: EpochRecord) => void;
}
const TRAIN_KEYS = optionKeys<TrainOptions>()([
  'epochs', 'batchSize', 'lr', 'lambda', 'seed', 'shuffle', 'schedule', 'pctStart', 'adam', 'objective', 'init', 'recordSteps', 'divergenceFactor',
  'validation', 'validateEvery', 'pruneSteps', 'progress', 'onEpoch',
]);

/** One optimizer step, recorded when `recordSteps` is set: values before the step's update. */
export interface StepRecord {
  /** 0-based step index. */
  step: number;
  /** Data loss L and regularizer R at the parameters before this step's update. */
  loss: number;
  /** The regularizer R (unscaled by λ) at the parameters before this step's update. */
  regularizer: number;
  /** The objective that was differentiated (per the convention). */
  objective: number;
  /** The lr and Adam β₁ this step used. */
  lr: number;
  /** Adam's β₁ this step used (cycled by OneCycle). */
  beta1: number;
}

/** One epoch of history. */
export interface EpochRecord {
  /** 0-based epoch index. */
  epoch: number;
  /** Optimizer steps taken so far. */
  step: number;
  /** The learning rate this epoch used (the schedule steps after the epoch). */
  lr: number;
  /** Mean data loss over the epoch's batches. */
  trainLoss: number;
  /** Mean objective over the epoch's batches (0.5·L + 0.5·λ·R by default). */
  objective: number;
  /** R at the end of the epoch. */
  regularizer: number;
  /** Validation loss and metric, on validation epochs. */
  valLoss?: number;
  /** Validation metric on validation epochs: accuracy for classification, RMSE for regression. */
  valMetric?: number;
}

/** What {@link train} returns. */
export interface TrainResult {
  /** One record per epoch, in order. */
  history: EpochRecord[];
  /** Per-step records (with `recordSteps`). */
  steps?: StepRecord[];
  /** Final validation loss/metric (when validation data was given). */
  valLoss?: number;
  /** Final validation metric: accuracy for classification, RMSE for regression. */
  valMetric?: number;
  /** Near-sparsity of the raw weights at the end (docs/math.md §7). */
  nearSparsity: number;
  /** Exact sparsity of the used weights at the end (> 0 only after pruning). */
  exactSparsity: number;
  /** Wall-clock time of the run, in seconds. */
  seconds: number;
}

/** Training stopped because the loss grew far beyond where it started (see `TrainOptions.divergenceFactor`). */
export class DivergenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DivergenceError';
  }
}

/** Checks the options of {@link train}. */
function checkTrainOptions(options: TrainOptions): void {
  checkOptions('train', options, TRAIN_KEYS);
  const { epochs, batchSize, lr, lambda } = options;
  checkPositiveInteger(epochs, 'train', 'epochs');
  checkPositiveInteger(batchSize, 'train', 'batchSize');
  if (!(lr > 0)) throw new Error(`train: lr must be > 0, got ${lr}`);
  if (!(lambda >= 0)) throw new Error(`train: lambda must be ≥ 0, got ${lambda}`);
  checkObjective(options.objective, 'train');
  const sched = options.schedule ?? { kind: 'onecycle' };
  if (sched.kind === 'onecycle') {
    const pct = sched.pctStart ?? options.pctStart ?? 0.2;
    if (!(pct * epochs > 1)) throw new Error(`train: OneCycle needs pctStart·epochs > 1 (pctStart ${pct} needs at least ${Math.floor(1 / pct) + 1} epochs), got ${epochs} epochs`);
  } else if (sched.kind !== 'constant') throw new Error(`train: schedule.kind must be 'onecycle' or 'constant', got '${String((sched as { kind: unknown }).kind)}'`);
}

/** The schedule's per-epoch step (a no-op for a constant lr). */
function makeSchedule(opt: Adam, options: TrainOptions): { step(): void } {
  const { epochs, lr } = options;
  const sched = options.schedule ?? { kind: 'onecycle' };
  if (sched.kind === 'constant') return { step() {} };
  return new OneCycle(opt, {
    maxLr: lr, totalSteps: epochs, pctStart: sched.pctStart ?? options.pctStart ?? 0.2,
    divFactor: sched.divFactor ?? lr / 1e-4, finalDivFactor: sched.finalDivFactor ?? lr / 1e-3,
    cycleMomentum: sched.cycleMomentum ?? true,
  });
}

/** Writes named initial values into the model's parameters, checking every name and size. */
export function setParameters(model: Model, values: Record<string, ArrayLike<number> | unknown[]>): void {
  const params = new Map(model.namedParameters());
  for (const name of Object.keys(values)) {
    if (!params.has(name)) throw new Error(`train: init has '${name}', which is not a parameter of this model (${[...params.keys()].join(', ')})`);
  }
  C.noGrad(() => C.tidy(() => {
    for (const [name, p] of params) {
      if (!Object.hasOwn(values, name)) continue;
      const v = values[name]!;
      const flat = Array.isArray(v) ? (v as unknown[]).flat(Infinity) as number[] : Array.from(v as ArrayLike<number>);
      if (flat.length !== p.size || flat.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
        throw new Error(`train: init '${name}' has ${flat.length} values (or a non-finite one); the parameter has shape [${p.shape.join(', ')}]`);
      }
      p.assign(C.tensor(flat, p.shape, { dtype: p.dtype, backend: p.backend }));
    }
  }));
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
 * Trains `model` in place. Each epoch: a seeded shuffle, mini-batches, one Adam
 * step per batch on L + λ·R, then one OneCycle step (docs/math.md §8: lr from 1e-4
 * up to `lr` at 20% of the epochs, then down to 1e-4/(lr/1e-3); β₁ cycles
 * 0.95 ↔ 0.85). Each step is {@link trainStep}; a non-finite loss stops training with
 * core's `NonFiniteLossError` naming the epoch and step.
 * @param model the model to train (its parameters are updated in place)
 * @param data the training rows (`x` row-major n × d, `y` targets or class indices)
 * @param options epochs, batch size, lr and λ, and the optional protocol settings: see {@link TrainOptions}
 */
export async function train(model: Model, data: Dataset, options: TrainOptions): Promise<TrainResult> {
  checkTrainInputs(model, data, options);
  checkTrainOptions(options);
  const { epochs, batchSize, lr, lambda } = options;
  checkData(model, data, 'train');
  if (options.divergenceFactor !== undefined && !(options.divergenceFactor > 1)) throw new Error(`train: divergenceFactor must be > 1, got ${options.divergenceFactor}`);
  if (options.validation) checkData(model, options.validation, 'train (validation)');
  if (options.init) setParameters(model, options.init);
  const t0 = performance.now();
  const rng = new RNG(options.seed ?? 0);
  const opt = new Adam(model.parameters(), { lr, ...options.adam });
  const sched = makeSchedule(opt, options);
  const steps: StepRecord[] | undefined = options.recordSteps ? [] : undefined;
  const batchesPerEpoch = Math.ceil(data.n / batchSize);
  const pruning = pruningSchedule(model, options.pruneSteps, epochs * batchesPerEpoch);
  const every = options.validateEvery ?? Math.max(1, Math.floor(epochs / 10));
  const bar = new Progress(epochs, options.progress);
  const history: EpochRecord[] = [];
  let step = 0;
  const factor = options.divergenceFactor ?? 1000;
  // the yardstick of divergence: the loss on the whole training set before the first step (one batch's
  // loss can be near zero, e.g. a batch of zero targets, and would call an ordinary epoch diverged)
  const startLoss = Number.isFinite(factor) ? (await evaluate(model, data)).loss : Number.NaN;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const order = options.shuffle === false ? Array.from({ length: data.n }, (_, i) => i) : rng.permutation(data.n);
      let lossSum = 0, objSum = 0;
      for (let bi = 0; bi < batchesPerEpoch; bi++) {
        pruning.before(step);
        const idx = order.slice(bi * batchSize, (bi + 1) * batchSize);
        const [stepLr, beta1] = [opt.lr, opt.beta1];
        const batch = batchTensors(data, idx, model.config.dtype);
        let r: TrainStepResult;
        try {
          r = await trainStep(model, opt, batch, {
            task: data.task, lambda, objective: options.objective, regularizer: steps !== undefined, where: `train: epoch ${epoch}, step ${step + 1}`,
          });
        } finally { batch.x.dispose(); batch.y.dispose(); }
        steps?.push({ step, loss: r.loss, regularizer: r.regularizer, objective: r.objective, lr: stepLr, beta1 });
        lossSum += r.loss;
        objSum += r.objective;
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
      if (rec.trainLoss > factor * startLoss) {
        throw new DivergenceError(`train: diverged at epoch ${epoch}: the training loss ${rec.trainLoss.toPrecision(3)} is more than ${factor}× the training set's loss before the first step (${startLoss.toPrecision(3)}); lower the learning rate or λ`);
      }
      options.onEpoch?.(rec);
      bar.update(epoch, rec.trainLoss);
    }
  } finally {
    bar.done();
    opt.dispose();
  }
  if (options.pruneSteps) prune(model);
  const last = history[history.length - 1]!;
  return {
    history, ...(steps ? { steps } : {}), valLoss: last.valLoss, valMetric: last.valMetric,
    ...(await sparsityReport(model)), seconds: (performance.now() - t0) / 1000,
  };
}

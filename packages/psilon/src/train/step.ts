/**
 * One optimizer step on the objective of docs/math.md §8, the only place a step is
 * spelled: `train()`, the playground and the step benchmark all call {@link trainStep}.
 * It is also the one place a non-finite loss is caught (the losses and `backward()`
 * of core return NaN as a value, as any tensor op does).
 */
import * as C from '@psilon/core';
import { checkOptions, NonFiniteLossError, type Optimizer, type Tensor } from '@psilon/core';
import type { Task } from '../data/index.js';
import type { Model } from '../nn/index.js';
import { optionKeys } from '../nn/options.js';
import { taskLoss } from './loss.js';

/** How the objective combines the data loss L and the regularizer R (docs/math.md §8). */
export type ObjectiveConvention =
  /** 0.5·L + 0.5·λ·R, the reference code's final form (the default). */
  | 'half'
  /** L + λ·R: the same minimizer; under Adam the same steps up to ε. */
  | 'sum';

/** The objective conventions, the default first. */
export const OBJECTIVE_CONVENTIONS = ['half', 'sum'] as const satisfies readonly ObjectiveConvention[];

/** Refuses anything but a known {@link ObjectiveConvention}, naming the caller. */
export function checkObjective(convention: unknown, where: string): ObjectiveConvention {
  if (convention === undefined) return OBJECTIVE_CONVENTIONS[0];
  if (!(OBJECTIVE_CONVENTIONS as readonly unknown[]).includes(convention)) {
    throw new Error(`${where}: objective must be ${OBJECTIVE_CONVENTIONS.map((c) => `'${c}'`).join(' or ')}, got '${String(convention)}'`);
  }
  return convention as ObjectiveConvention;
}

/**
 * The objective of docs/math.md §8 from the data loss L and the regularizer R (null when λ = 0):
 * 0.5·L + 0.5·λ·R for the `half` convention (the reference's), L + λ·R for `sum`.
 */
export function objective(loss: Tensor, reg: Tensor | null, lambda: number, convention: ObjectiveConvention = 'half'): Tensor {
  const sum = reg && lambda > 0 ? C.add(loss, C.mul(reg, lambda)) : loss;
  return convention === 'half' ? C.mul(sum, 0.5) : sum;
}

/** Options of {@link trainStep}. */
export interface TrainStepOptions {
  /** The task, which picks the data loss L (docs/math.md §8). */
  task: Task;
  /** Regularization strength λ ≥ 0. */
  lambda: number;
  /** The objective convention (default `half`). */
  objective?: ObjectiveConvention;
  /** Compute R even when λ = 0, to report it (default false; R is always computed when λ > 0). */
  regularizer?: boolean;
  /** Where the step is, for the non-finite error (e.g. `train: epoch 3, step 17`; default `trainStep`). */
  where?: string;
}
const TRAIN_STEP_KEYS = optionKeys<TrainStepOptions>()(['task', 'lambda', 'objective', 'regularizer', 'where']);

/** What {@link trainStep} read back: values at the parameters before the step's update. */
export interface TrainStepResult {
  /** The data loss L. */
  loss: number;
  /** The objective that was differentiated (per the convention). */
  objective: number;
  /** The regularizer R, or NaN when it was not computed (λ = 0 without `regularizer: true`). */
  regularizer: number;
}

/**
 * One optimizer step on a batch: zeroGrad, forward, the task loss L, the objective of
 * L, R and λ, backward, `optimizer.step()`. Everything is recorded synchronously, before
 * the function's first `await`, so steps of several models started together (e.g. in
 * `Promise.all`) go to the device as one submission before any read-back; then L, the
 * objective and R come back in one read. The caller owns `batch` (it is not disposed).
 * Throws core's `NonFiniteLossError`, naming `options.where`, when L or the objective is
 * NaN or ±∞; the update has been applied by then, so the model is no longer usable.
 * @param model the model to update
 * @param optimizer the optimizer over `model.parameters()`
 * @param batch the batch: inputs x [rows, inDim] and targets y (see {@link batchTensors})
 * @param options the task and λ (required), the objective convention, whether to compute R at λ = 0, and where (for errors): see {@link TrainStepOptions}
 */
export async function trainStep(model: Model, optimizer: Optimizer, batch: { x: Tensor; y: Tensor }, options: TrainStepOptions): Promise<TrainStepResult> {
  checkOptions('trainStep', options, TRAIN_STEP_KEYS);
  const { task, lambda, where = 'trainStep' } = options;
  if (!(lambda >= 0)) throw new Error(`${where}: lambda must be ≥ 0, got ${lambda}`);
  const convention = checkObjective(options.objective, where);
  const withR = lambda > 0 || options.regularizer === true;
  const values = C.tidy(() => {
    optimizer.zeroGrad();
    const loss = taskLoss(task, model.forward(batch.x), batch.y);
    const reg = withR ? model.regularizer() : null;
    const obj = objective(loss, reg, lambda, convention);
    obj.backward();
    optimizer.step();
    // L, the objective and R as one [3] vector: one read-back per step (R's slot is 0 when not computed)
    return C.concat([loss, obj, reg ?? C.zerosLike(loss)].map((t) => C.reshape(t.detach(), [1])));
  });
  let read: ArrayLike<number>;
  try { read = await values.data(); } finally { values.dispose(); }
  const [loss, obj, reg] = [read[0]!, read[1]!, read[2]!];
  if (!Number.isFinite(loss) || !Number.isFinite(obj)) {
    throw Number.isFinite(loss)
      ? new NonFiniteLossError(obj, where, `it is the objective: L = ${loss} is finite, so λ·R overflowed; lower λ or the learning rate`)
      : new NonFiniteLossError(loss, where, 'lower the learning rate or λ');
  }
  return { loss, objective: obj, regularizer: withR ? reg : Number.NaN };
}

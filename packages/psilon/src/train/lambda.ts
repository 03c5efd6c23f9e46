/** λ selection over a grid (docs/math.md §8): one training run per λ, judged at its final epoch. */
import type { Dataset } from '../data/index.js';
import type { Model } from '../nn/index.js';
import { train, type TrainOptions, type TrainResult } from './train.js';

/** Options of {@link selectLambda}: the training options without λ, plus the grid. */
export interface SelectLambdaOptions extends Omit<TrainOptions, 'lambda'> {
  /** The λ values to train at, in the order given (at least one). */
  grid: readonly number[];
  /** The data the best λ is chosen on (lowest validation loss); required. */
  validation: Dataset;
  /**
   * Reuse one model across the grid, each λ starting from the previous λ's
   * weights — the reference code's behaviour (docs/math.md §8 quirk). Default false:
   * a fresh initialisation per λ.
   */
  warmStart?: boolean;
  /** Called after each λ. */
  onLambda?: (lambda: number, result: TrainResult) => void;
}

/** One λ's outcome. */
export interface LambdaRun {
  /** The regularization strength λ of this run. */
  lambda: number;
  /** What {@link train} returned for it. */
  result: TrainResult;
  /** The trained model (disposed unless it is the best, `keepAll` is set, or `warmStart` shares it). */
  model: Model;
}

/**
 * Trains one model per λ and picks the λ with the lowest final-epoch validation
 * loss (docs/math.md §8: no early stopping). Returns every run and the best; models
 * other than the best are disposed unless `keepAll`.
 * @param makeModel builds a fresh model (called once per λ, or once with `warmStart`)
 * @param data the training rows
 * @param options the λ `grid` and the `validation` data (required), `warmStart`, `keepAll`, and every {@link TrainOptions} but `lambda`
 */
export async function selectLambda(
  makeModel: () => Model, data: Dataset, options: SelectLambdaOptions & {
    /** Keep every run's model instead of disposing all but the best (default false). */
    keepAll?: boolean;
  },
): Promise<{
  /** The run with the lowest final validation loss. */
  best: LambdaRun;
  /** Every run, in grid order. */
  runs: LambdaRun[];
}> {
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

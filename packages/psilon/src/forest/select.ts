/** Choosing a forest's leaf size on validation, as the paper's reference does (docs/math.md, "Random forest"). */
import type { Dataset } from '../data/index.js';
import { fitForest, forestScore, type ForestOptions, type RandomForest } from './forest.js';

/** The paper's min_samples_leaf grid. */
export const PAPER_LEAF_GRID: readonly number[] = [4, 8, 12, 16, 20, 30, 40, 50, 75, 100, 150, 200];

/** The grid's leaf sizes below half the training rows (a larger leaf could not split the root); at least the smallest. */
export function leafGrid(nTrain: number, grid: readonly number[] = PAPER_LEAF_GRID): number[] {
  const kept = grid.filter((m) => m < nTrain / 2);
  return kept.length ? kept : grid.slice(0, 1);
}

/**
 * Fits a forest per leaf size and keeps the lowest validation loss (MSE, so RMSE, for
 * regression; log-loss for classification); the first on ties.
 * @param train the rows the forests are fitted on
 * @param validation the rows the leaf size is chosen on
 * @param options as for {@link fitForest}; `minSamplesLeaf` is set from `grid`
 * @param grid the leaf sizes to try (default: {@link PAPER_LEAF_GRID} below half the training rows)
 */
export function selectForest(train: Dataset, validation: Dataset, options: ForestOptions = {}, grid = leafGrid(train.n)): RandomForest & {
  /** The chosen forest's loss on `validation` (see {@link forestScore}). */
  valLoss: number;
} {
  if (!grid.length) throw new Error('selectForest: the leaf-size grid is empty');
  let best: (RandomForest & { valLoss: number }) | undefined;
  for (const m of grid) {
    const f = fitForest(train, { ...options, minSamplesLeaf: m });
    const valLoss = forestScore(f, validation).loss;
    if (!best || valLoss < best.valLoss) best = { ...f, valLoss };
  }
  return best!;
}

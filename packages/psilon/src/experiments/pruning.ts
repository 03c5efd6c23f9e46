/** Experiment 3: pruning to exact sparsity (docs/math.md §7). */
import { loadBoston, prepareTabular } from '../data/index.js';
import { psilonNet } from '../nn/index.js';
import { sparsityReport } from '../sparsity/index.js';
import { evaluate, train } from '../train/index.js';
import { settingsOf, TABULAR_SIZES, type ExperimentOptions } from './common.js';
import type { GridExperiment, PointSpec } from './grid.js';
import { num, str, tuple } from './schema.js';

/** Options of the pruning experiment. */
export type PruningOptions = ExperimentOptions & {
  /** Regularization strength λ of both runs (default 1e-3). */
  lambda?: number;
};

function setup(o: PruningOptions) {
  const { size, s, seed } = settingsOf(o, TABULAR_SIZES);
  return { size, s, seed, lambda: o.lambda ?? 1e-3, pruneSteps: Math.max(1, Math.round(s.epochs * 5 * 0.2)) };
}

/**
 * Experiment 3 (docs/math.md §7): a PSiLON Net trained with and without the pruning
 * phase (the projection blended in over the last 20% of steps, then frozen):
 * exact sparsity and test RMSE before and after. Two grid points.
 */
export const pruning: GridExperiment<PruningOptions, PointSpec & {
  /** True for the run with the pruning phase, false for the run without. */
  pruned: boolean;
}, (string | number)[]> = {
  points: () => [{ id: 'unpruned', pruned: false }, { id: 'pruned', pruned: true }],
  validate: (p, r) => tuple(str, num, num, num, num)(r, 'result')
    ?? ((r as string[])[0]!.startsWith('pruned') === p.pruned ? undefined : `result[0] is '${(r as string[])[0]}', not the ${p.pruned ? 'pruned' : 'unpruned'} run`),
  async runPoint(o, { pruned }) {
    const { s, seed, lambda, pruneSteps } = setup(o);
    const d = prepareTabular(loadBoston(), seed);
    const model = psilonNet({ inDim: d.train.d, hidden: s.hidden, outDim: 1, nHidden: s.nHidden, seed });
    try {
      await train(model, d.train, {
        epochs: s.epochs, batchSize: Math.ceil(d.train.n / 5), lr: 2e-3, lambda, seed, validation: d.validation,
        pruneSteps: pruned ? pruneSteps : undefined, progress: o.progress,
      });
      const test = await evaluate(model, d.test);
      const used = await sparsityReport(model), projected = await sparsityReport(model, { of: 'projection' });
      return [pruned ? `pruned (last ${pruneSteps} steps)` : 'unpruned', Math.sqrt(test.loss), used.exactSparsity, projected.exactSparsity, used.nearSparsity];
    } finally {
      model.dispose();
    }
  },
  reduce(o, results) {
    const { size, s, seed, lambda } = setup(o);
    return {
      name: 'pruning',
      title: 'Experiment 3: pruning a PSiLON Net to exact sparsity (Boston housing)',
      table: { headers: ['model', 'test RMSE (scaled)', 'exact sparsity (used weights)', 'exact sparsity of P(V)', 'near-sparsity'], rows: pruning.points(o).map((p) => results.get(p.id)!) },
      plots: [],
      notes: [
        `PSiLON Net width ${s.hidden}, n_hidden ${s.nHidden}, ${s.epochs} epochs, λ = ${lambda}. The pruned run blends W = (1 − α)·W + α·P(V), α = t/T over its last T steps, then freezes P(V).`,
        'Exact zeros appear only in columns with ‖v‖₁ > 1 (docs/math.md §7), so the raw scale of V matters.',
      ],
      settings: { size, seed, lambda, hidden: s.hidden, epochs: s.epochs },
    };
  },
};

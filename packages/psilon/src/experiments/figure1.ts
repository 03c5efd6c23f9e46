/** Experiment 4: the paper's Figure 1 (validation loss against step). */
import { loadBoston, prepareTabular } from '../data/index.js';
import { curvePlot, validateNetPoint, resultsOf, runNetPoint, settingsOf, TABULAR_SIZES, type ExperimentOptions, type NetPoint, type NetPointResult } from './common.js';
import type { GridExperiment } from './grid.js';

const GRIDS = { 'psilon-net': [1e-4, 1e-3, 5e-3, 1e-2, 5e-2], 'standard-net': [2.5e-3, 5e-3, 1e-2, 1.3e-2, 1.7e-2] };
const LABELS = { 'psilon-net': 'PSiLON Net', 'standard-net': 'Standard Net' } as const;

function setup(o: ExperimentOptions) {
  const { size, s, seed } = settingsOf(o, TABULAR_SIZES);
  const d = prepareTabular(loadBoston(), seed);
  const grids = Object.fromEntries(Object.entries(GRIDS).map(([k, g]) => [k, size === 'quick' ? g.slice(0, 2) : g])) as typeof GRIDS;
  return { size, s, seed, d, grids, dims: { inDim: d.train.d, hidden: s.hidden, outDim: 1, nHidden: s.nHidden, seed } };
}

/**
 * Experiment 4 (Figure 1 of the paper): validation loss against optimization
 * step for several λ, for the PSiLON Net and the Standard Net, as SVG plots. The
 * paper used Higgs, which is not bundled; this runs on Boston housing.
 */
export const figure1: GridExperiment<ExperimentOptions, NetPoint, NetPointResult> = {
  points: (o) => Object.entries(setup(o).grids).flatMap(([model, g]) => g.map((lambda) => ({ id: `${model}-lambda=${lambda}`, model, lambda }))),
  validate: validateNetPoint,
  runPoint(o, p) {
    const { d, dims, s } = setup(o);
    return runNetPoint(d, p, dims, { epochs: s.epochs, progress: o.progress });
  },
  reduce(o, results) {
    const { size, s, grids, dims } = setup(o);
    const points = figure1.points(o);
    const runs = (Object.keys(GRIDS) as (keyof typeof GRIDS)[]).map((m) => ({ label: LABELS[m], all: resultsOf(results, points, (p) => (p as NetPoint).model === m) }));
    return {
      name: 'figure1',
      title: 'Experiment 4: validation loss against step for several λ (Figure 1, on Boston housing)',
      table: { headers: ['model', 'λ', 'final validation loss'], rows: runs.flatMap((r) => r.all.map((x) => [r.label, x.lambda, x.valLoss])) },
      plots: [curvePlot('Figure 1', runs.map((r) => ({ label: r.label, runs: r.all })), 'figure1.svg', 'step')],
      notes: ['The Standard Net grid is the plotting script\'s "standard" grid (docs/math.md §11); the PSiLON grid spans the tabular grid.'],
      settings: { size, ...dims, epochs: s.epochs, grids },
    };
  },
};

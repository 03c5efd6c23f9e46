/** Experiment 4: the paper's Figure 1 (validation loss against step). */
import { loadBoston, prepareTabular } from '../data/index.js';
import { psilonNet, standardNet } from '../nn/index.js';
import { curvePlot, fitByGrid, settingsOf, TABULAR_SIZES, type ExperimentOptions } from './common.js';
import type { ExperimentResult } from './report.js';

/**
 * Experiment 4 (Figure 1 of the paper): validation loss against optimization
 * step for several λ, for the PSiLON Net and the Standard Net, as SVG plots. The
 * paper used Higgs, which is not bundled; this runs on Boston housing.
 */
export async function figure1Experiment(o: ExperimentOptions = {}): Promise<ExperimentResult> {
  const { size, s, seed } = settingsOf(o, TABULAR_SIZES);
  const d = prepareTabular(loadBoston(), seed);
  const grids = { psilon: [1e-4, 1e-3, 5e-3, 1e-2, 5e-2], standard: [2.5e-3, 5e-3, 1e-2, 1.3e-2, 1.7e-2] };
  const dims = { inDim: d.train.d, hidden: s.hidden, outDim: 1, nHidden: s.nHidden };
  const runs = [
    await fitByGrid('PSiLON Net', () => psilonNet({ ...dims, seed }), d, { epochs: s.epochs, grid: size === 'quick' ? grids.psilon.slice(0, 2) : grids.psilon, seed, progress: o.progress }),
    await fitByGrid('Standard Net', () => standardNet({ ...dims, seed }), d, { epochs: s.epochs, grid: size === 'quick' ? grids.standard.slice(0, 2) : grids.standard, seed, progress: o.progress }),
  ];
  return {
    name: 'figure1',
    title: 'Experiment 4: validation loss against step for several λ (Figure 1, on Boston housing)',
    table: { headers: ['model', 'λ', 'final validation loss'], rows: runs.flatMap((r) => [...r.curves].map(([l, res]) => [r.model, l, res.valLoss!])) },
    plots: runs.map((r, i) => curvePlot(r, `figure1-${i === 0 ? 'psilon' : 'standard'}.svg`, 'step')),
    notes: ['The Standard Net grid is the plotting script\'s "standard" grid (docs/math.md §11); the PSiLON grid spans the tabular grid.'],
    settings: { size, seed, ...dims, epochs: s.epochs, grids },
  };
}


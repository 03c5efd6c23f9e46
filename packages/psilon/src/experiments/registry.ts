/** The experiments by CLI name, as grids (grid.ts). */
import type { GridExperiment, PointSpec } from './grid.js';
import { figure1 } from './figure1.js';
import { mnist } from './mnist.js';
import { pruning } from './pruning.js';
import { tabular } from './tabular.js';
import { table1 } from './table1.js';

/** Every experiment's grid, by CLI name. */
export const GRIDS = {
  /** Experiment 1 of docs/math.md §9: small tabular data, both nets over a λ grid, and the linear reference. */
  tabular,
  /** Experiment 2 of docs/math.md §9: the deep ablation of the ResNet variants on the bundled MNIST digits. */
  mnist,
  /** Experiment 3: a PSiLON Net trained with and without the pruning phase (docs/math.md §7). */
  pruning,
  /** Figure 1 of docs/math.md §9: validation loss against optimization step for 5 values of λ per model. */
  figure1,
  /** Table 1 of docs/math.md §9: the linear reference, the random forest and both nets on every dataset of a suite. */
  table1,
} as const;
/** The name of an experiment. */
export type ExperimentName = keyof typeof GRIDS;

/** True when `name` is an experiment's name (own properties only: `toString` is not one). */
export const isExperimentName = (name: string): name is ExperimentName => Object.hasOwn(GRIDS, name);

/** The grid of an experiment, typed loosely for code that handles any of them (the CLI, workers, reports). */
export function gridOf(name: ExperimentName): GridExperiment<Record<string, unknown>, PointSpec, unknown> {
  return GRIDS[name] as unknown as GridExperiment<Record<string, unknown>, PointSpec, unknown>;
}

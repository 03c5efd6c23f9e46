/** The experiments by CLI name. */
import { figure1Experiment } from './figure1.js';
import { mnistExperiment } from './mnist.js';
import { pruningExperiment } from './pruning.js';
import { tabularExperiment } from './tabular.js';

export const EXPERIMENTS = {
  tabular: tabularExperiment,
  mnist: mnistExperiment,
  pruning: pruningExperiment,
  figure1: figure1Experiment,
} as const;
export type ExperimentName = keyof typeof EXPERIMENTS;

/** True when `name` is an experiment's name (own properties only: `toString` is not one). */
export const isExperimentName = (name: string): name is ExperimentName => Object.hasOwn(EXPERIMENTS, name);

export { tabularExperiment, mnistExperiment, pruningExperiment, figure1Experiment };
export { PAPER_TABULAR_GRID, loadTableFile, type Size, type ExperimentOptions, type TabularOptions } from './common.js';
export { MNIST_LAMBDAS } from './mnist.js';
export { linePlot, type Series, type PlotOptions } from './plot.js';
export { markdownTable, textTable, writeReport, fmtNum, type ExperimentResult, type Table } from './report.js';
export { runBench } from './bench.js';

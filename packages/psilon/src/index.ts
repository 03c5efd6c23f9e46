/**
 * psilon — PSiLON Net and PSiLON ResNet (arXiv 2404.19112): L1 weight-normalized
 * layers, closed-form 1-path-norm regularizers, pruning to exact sparsity,
 * sparsity metrics, training and experiments. The folders, bottom up:
 * data ← norms ← nn ← sparsity ← train | forest ← experiments ← cli (imports point down).
 *
 * The public API: everything of `psilon/browser` (browser.ts), the data loaders and
 * file readers, and the experiments' entry points. Helpers the folders share (table
 * formatting, progress bars, argument parsers, solvers) are not exported; the CLI and
 * the tests import them from their modules.
 */
export * from './browser.js';
export * from './data/index.js';
export { readSavedModel } from './nn/model-file.js';
export {
  fitForest, predictForest, forestScore, saveForest, loadForest, selectForest, leafGrid, PAPER_LEAF_GRID, LOG_LOSS_EPS,
  type ForestOptions, type RandomForest, type SavedForest, type Tree,
} from './forest/index.js';
export type { Table1Options, Table1Manifest, Table1Point, Table1Result, Table1FitResult, Table1Model } from './experiments/table1.js';
export {
  tabularExperiment, mnistExperiment, pruningExperiment, figure1Experiment, table1Experiment, EXPERIMENTS, GRIDS, PAPER_TABULAR_GRID, MNIST_LAMBDAS,
  runExperiment, runFolder, parseShard, type RunExperimentOptions, type GridExperiment, type GridRun, type GridRunOptions, type PointSpec, type PointRunner,
  type MnistOptions, type PruningOptions, type NetPoint, type NetPointResult, type VariantResult,
  loadTableFile, type TableFileOptions, type Size, type ExperimentName, type ExperimentOptions, type TabularOptions,
  linePlot, type Series, type PlotOptions,
  writeReport, type ExperimentResult, type ReportMeta, type Table as ResultTable,
} from './experiments/index.js';

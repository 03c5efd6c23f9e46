/**
 * psilon — PSiLON Net and PSiLON ResNet (arXiv 2404.19112): L1 weight-normalized
 * layers, closed-form 1-path-norm regularizers, pruning to exact sparsity,
 * sparsity metrics, training and experiments. The folders, bottom up:
 * data ← norms ← nn ← sparsity ← train | forest ← experiments ← cli (imports point down).
 */
export * from './data/index.js';
export * from './norms/index.js';
export {
  NormLinear, CReLUNormLinear, type NormLinearOptions, type CReLUNormLinearOptions, type NormKind, type WNLayer,
  type WeightBlend, type HasLayers, type LayerParams,
  NormNet, NormResNet, parameterLayout, MAX_PARAMETERS, psilonNet, standardNet, psilonResNet, resnetVariant, RESNET_VARIANTS, MODELS,
  NET_REGULARIZERS, RESNET_REGULARIZERS,
  type Model, type NetOptions, type NetConfig, type RegularizerKind, type NetRegularizer, type ResNetRegularizer,
  type ResNetVariant, type ModelDims, type Dims,
  regularizer, pathNormClosedForm, improvedBoundClosedForm, pathNormExplicit, resnetBoundExplicit,
  l2Penalty, hasClosedForm, lipschitzBound, type LipschitzBound,
  saveModel, loadModel, parameterNames, type SavedModel,
} from './nn/index.js';
export * from './sparsity/index.js';
export * from './train/index.js';
export {
  fitForest, predictForest, forestScore, saveForest, loadForest, selectForest, leafGrid, PAPER_LEAF_GRID, LOG_LOSS_EPS,
  type ForestOptions, type RandomForest, type SavedForest, type Tree,
} from './forest/index.js';
export type { Table1Options, Table1Manifest, Table1Point, Table1Result, Table1FitResult, Table1Model } from './experiments/table1.js';
export {
  tabularExperiment, mnistExperiment, pruningExperiment, figure1Experiment, EXPERIMENTS, isExperimentName, PAPER_TABULAR_GRID,
  runExperiment, runFolder, GRIDS, runGrid, readPoints, parseShard, type RunExperimentOptions, type GridExperiment, type GridRun,
  type GridRunOptions, type PointSpec, type MnistOptions, type PruningOptions, type NetPoint, type NetPointResult, type VariantResult,
  MNIST_LAMBDAS, MIN_ROWS, loadTableFile, type TableFileOptions, type Size, type ExperimentName, type ExperimentOptions, type TabularOptions,
  linePlot, type Series, type PlotOptions,
  markdownTable, textTable, writeReport, fmtNum, type ExperimentResult, type Table as ResultTable,
} from './experiments/index.js';

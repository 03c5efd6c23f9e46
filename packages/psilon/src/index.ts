/**
 * psilon — PSiLON Net and PSiLON ResNet (arXiv 2404.19112): L1 weight-normalized
 * layers, closed-form 1-path-norm regularizers, pruning to exact sparsity,
 * sparsity metrics, training and experiments.
 */
export { NormLinear, CReLUNormLinear, type NormLinearOptions, type CReLUNormLinearOptions, type NormKind, type WNLayer } from './layers.js';
export {
  NormNet, NormResNet, psilonNet, standardNet, psilonResNet, resnetVariant, RESNET_VARIANTS,
  type Model, type NetOptions, type NetConfig, type RegularizerKind, type ResNetVariant,
} from './models.js';
export {
  regularizer, pathNormClosedForm, improvedBoundClosedForm, pathNormExplicit, resnetBoundExplicit, l2Penalty,
  hasClosedForm, lipschitzBound, type LipschitzBound,
} from './pathnorm.js';
export { projectColumn, projectVector, shiftedSign, type ColumnProjection } from './projection.js';
export { projectLayer, blendWeights, startPruning, advancePruning, prune, type PruningState, type HasLayers } from './prune.js';
export { nearSparsity, nearSparsityOf, exactSparsity, sparsityReport } from './sparsity.js';
export {
  train, evaluate, selectLambda, taskLoss, batchTensors,
  type Task, type Dataset, type TrainOptions, type TrainResult, type EpochRecord, type SelectLambdaOptions, type LambdaRun,
} from './train.js';
export * from './data/index.js';
export { fitRidge, selectRidge, ridgeRMSE, choleskySolve, RIDGE_ALPHAS, type Ridge } from './ridge.js';
export { fitLogistic, selectLogistic, logisticScore, LOGISTIC_ALPHAS, type Logistic } from './logistic.js';
export { saveModel, loadModel, parameterNames, type SavedModel } from './serialize.js';
export { linePlot, type Series, type PlotOptions } from './plot.js';
export { markdownTable, textTable, writeReport, fmtNum, type ExperimentResult, type Table as ResultTable } from './report.js';
export {
  tabularExperiment, mnistExperiment, pruningExperiment, figure1Experiment, EXPERIMENTS, PAPER_TABULAR_GRID, MNIST_LAMBDAS, loadTableFile,
  type Size, type ExperimentName, type ExperimentOptions, type TabularOptions,
} from './experiments.js';

/**
 * psilon's browser entry (`psilon/browser`): the public API that runs without Node —
 * models, regularizers and bounds, pruning and sparsity, training, table parsing
 * and preprocessing. The package entry (`psilon`) is this plus the bundled-data loaders,
 * the file readers and the experiments (they read node_modules and files, and run folders
 * and worker threads). Every name here is public (scripts/public-api.json lists them);
 * the helpers the folders share stay inside the package.
 */
export type { Dataset, Task } from './data/dataset.js';
export {
  parseCSV, parseARFF, parseIDX, tableToDataset, idxToDataset, MAX_INTEGER_CLASSES, MAX_CATEGORIES, MAX_FEATURES, MAX_CELLS,
  type Table, type CSVOptions, type ARFFOptions, type TableOptions, type IdxArray, type IdxNames,
} from './data/parse.js';
export {
  subset, tabularSplits, fractionSplits, fitStandardizer, standardize, fitTargetScaler, scaleTarget, prepareTabular,
  type Splits, type Standardizer, type TargetScaler,
} from './data/preprocess.js';
export { preprocessingOf, applyPreprocessing, checkPreprocessing, tableForModel, type Preprocessing, type ScoreFileOptions } from './data/prepared.js';

// the path-norm mathematics on gains and weight matrices (docs/math.md §6)
export { netPathNorm, resnetImprovedBound, chainPathNorm, resnetPathBound, type ResNetBound } from './norms/index.js';

// layers, models, their regularizers and bounds, save/load (docs/math.md §2–§6)
export {
  NormLinear, CReLUNormLinear, MAX_PARAMETERS, type NormLinearOptions, type CReLUNormLinearOptions, type NormKind, type WNLayer,
  type WeightBlend, type HasLayers, type LayerParams, type LayerShape,
  NormNet, NormResNet, parameterLayout, parameterCount, psilonNet, standardNet, psilonResNet, resnetVariant, RESNET_VARIANTS, MODELS,
  NET_REGULARIZERS, RESNET_REGULARIZERS,
  type Model, type NetOptions, type NetConfig, type LayoutConfig, type RegularizerKind, type NetRegularizer, type ResNetRegularizer,
  type ResNetVariant, type ModelDims, type Dims,
  regularizer, pathNormClosedForm, improvedBoundClosedForm, pathNormExplicit, resnetBoundExplicit,
  l2Penalty, hasClosedForm, lipschitzBound, type LipschitzBound,
  saveModel, loadModel, checkSavedModel, parameterNames, type SavedModel,
} from './nn/index.js';

// the L1-sphere projection, pruning, sparsity (docs/math.md §7)
export {
  projectVector, projectLayer, startPruning, advancePruning, prune, type PruningState,
  nearSparsity, nearSparsityOf, exactSparsity, sparsityReport, type SparsityOptions,
} from './sparsity/index.js';

// training (docs/math.md §8) and the linear references
export {
  train, trainStep, checkTrainInputs, predict, scorePredictions, type Predictions, type Scores, objective, setParameters, DivergenceError, selectLambda, taskLoss, batchTensors, evaluate,
  type TrainOptions, type TrainResult, type EpochRecord, type StepRecord, type Schedule, type ObjectiveConvention,
  type TrainStepOptions, type TrainStepResult, type SelectLambdaOptions, type LambdaRun,
  fitRidge, selectRidge, ridgeRMSE, RIDGE_ALPHAS, type Ridge, fitLogistic, selectLogistic, logisticScore, LOGISTIC_ALPHAS, type Logistic,
} from './train/index.js';

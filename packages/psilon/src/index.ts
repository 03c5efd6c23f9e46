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
export { projectLayer, blendWeights, startPruning, advancePruning, prune, exactSparsity, type PruningState, type HasLayers } from './prune.js';
export { nearSparsity, nearSparsityOf } from './sparsity.js';
export {
  train, evaluate, selectLambda, taskLoss, batchTensors,
  type Task, type Dataset, type TrainOptions, type TrainResult, type EpochRecord, type SelectLambdaOptions, type LambdaRun,
} from './train.js';

export {
  NormLinear, CReLUNormLinear, type NormLinearOptions, type CReLUNormLinearOptions, type NormKind, type WNLayer,
  type WeightBlend, type HasLayers, type LayerParams, type LayerShape, MAX_PARAMETERS,
} from './layers.js';
export {
  NormNet, NormResNet, parameterLayout, parameterCount, checkParameterCount, psilonNet, standardNet, psilonResNet, resnetVariant, RESNET_VARIANTS, MODELS,
  NET_REGULARIZERS, RESNET_REGULARIZERS,
  type Model, type NetOptions, type NetConfig, type LayoutConfig, type RegularizerKind, type NetRegularizer, type ResNetRegularizer,
  type ResNetVariant, type ModelDims, type Dims,
} from './models.js';
export {
  regularizer, pathNormClosedForm, improvedBoundClosedForm, pathNormExplicit, resnetBoundExplicit, l2Penalty,
  hasClosedForm, lipschitzBound, type LipschitzBound,
} from './bounds.js';
export { saveModel, loadModel, checkSavedModel, parameterNames, type SavedModel } from './serialize.js';

export { projectColumn, projectVector, shiftedSign, projectLayer, projectParams, type ColumnProjection } from './projection.js';
export { blendWeights, startPruning, advancePruning, prune, type PruningState } from './prune.js';
export { nearSparsity, nearSparsityOf, exactSparsity, sparsityReport, type SparsityOptions } from './metrics.js';

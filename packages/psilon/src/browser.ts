/**
 * psilon's browser entry (`psilon/browser`): everything that runs without Node —
 * models, regularizers and bounds, pruning and sparsity, training, table parsing
 * and preprocessing. Left out: the bundled-data loaders and file readers (they read
 * node_modules and files), the experiments (run folders, worker threads) and the CLI.
 */
export type { Dataset, Task } from './data/dataset.js';
export { parseCSV, parseARFF, parseIDX, tableToDataset, idxToDataset, MAX_INTEGER_CLASSES, type Table, type CSVOptions, type TableOptions, type IdxArray } from './data/parse.js';
export {
  subset, tabularSplits, fractionSplits, fitStandardizer, standardize, fitTargetScaler, scaleTarget, prepareTabular,
  type Splits, type Standardizer, type TargetScaler,
} from './data/preprocess.js';
export { preprocessingOf, applyPreprocessing, checkPreprocessing, tableForModel, type Preprocessing, type ScoreFileOptions } from './data/prepared.js';
export { netPathNorm, resnetImprovedBound, chainPathNorm, resnetPathBound, type ResNetBound } from './norms/index.js';
export * from './nn/index.js';
export * from './sparsity/index.js';
export * from './train/index.js';

export type { Dataset, Task } from './dataset.js';
export { preprocessingOf, applyPreprocessing, checkPreprocessing, tableForModel, type Preprocessing, type ScoreFileOptions } from './prepared.js';
export {
  parseCSV, parseARFF, parseIDX, tableToDataset, idxToDataset, MAX_INTEGER_CLASSES, MAX_CATEGORIES, MAX_FEATURES, MAX_CELLS,
  type Table, type CSVOptions, type ARFFOptions, type TableOptions, type IdxArray, type IdxNames,
} from './parse.js';
export { loadIdxFiles } from './files.js';
export { loadBoston, loadIris, loadMnist } from './bundled.js';
export { loadDiabetes, loadBreastCancer, loadWine } from './datasets/load.js';
export {
  subset, tabularSplits, fractionSplits, fitStandardizer, standardize, fitTargetScaler, scaleTarget, prepareTabular,
  type Splits, type Standardizer, type TargetScaler,
} from './preprocess.js';
export { readInputBytes, readInputText, MAX_INPUT_BYTES, type ReadInputOptions } from './read.js';

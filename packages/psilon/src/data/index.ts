export type { Dataset, Task } from './dataset.js';
export { preprocessingOf, applyPreprocessing, type Preprocessing } from './prepared.js';
export { parseCSV, parseARFF, parseIDX, tableToDataset, idxToDataset, MAX_INTEGER_CLASSES, type Table, type CSVOptions, type TableOptions, type IdxArray } from './parse.js';
export { loadBoston, loadIris, loadMnist } from './bundled.js';
export { loadDiabetes, loadBreastCancer, loadWine } from './datasets/load.js';
export {
  subset, tabularSplits, fractionSplits, fitStandardizer, standardize, fitTargetScaler, scaleTarget, prepareTabular,
  type Splits, type Standardizer, type TargetScaler,
} from './preprocess.js';
export { readInputBytes, readInputText, MAX_INPUT_BYTES, type ReadInputOptions } from './read.js';

/** The parsers of users' files (browser-safe: nothing here reads a file): CSV, OpenML ARFF, IDX, and tables to datasets. */
export { parseCSV, csvHeader, type CSVOptions } from './csv.js';
export { parseARFF, type ARFFOptions } from './arff.js';
export { tableToDataset, MAX_INTEGER_CLASSES, MAX_CATEGORIES, MAX_FEATURES, MAX_CELLS, type Table, type TableOptions } from './table.js';
export { parseIDX, idxToDataset, type IdxArray, type IdxNames } from './idx.js';

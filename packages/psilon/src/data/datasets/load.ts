/**
 * Small real datasets bundled with the package as CSV files (diabetes, breast cancer, wine),
 * copied from scikit-learn's data files; their sources and licence (BSD-3-Clause) are in
 * `src/data/datasets/README.md`, which ships beside them.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Dataset, Task } from '../dataset.js';
import { parseCSV, tableToDataset } from '../parse.js';

/**
 * The CSV files live in src/data/datasets/ (the package ships src/); this module runs
 * from there (source) or from dist/data/datasets/ (built).
 */
function csvText(file: string): string {
  const here = import.meta.url;
  const url = here.endsWith('.ts') ? new URL(`./${file}`, here) : new URL(`../../../src/data/datasets/${file}`, here);
  return readFileSync(fileURLToPath(url), 'utf8');
}

/** Reads a bundled CSV; `names` name the classes by their integer code. */
function bundled(file: string, target: string, task: Task, names?: readonly string[]): Dataset & { classes?: string[] } {
  const { notes: _notes, ...d } = tableToDataset(parseCSV(csvText(file), { file }), { target, task });
  return names && d.classes ? { ...d, classes: d.classes.map((c) => names[Number(c)]!) } : d;
}

/**
 * Diabetes (Efron et al. 2004; 442 rows, 10 features: age, sex, bmi, bp and six blood
 * serum measurements s1…s6, unscaled), regression of `progression`, disease progression
 * one year after baseline.
 */
export function loadDiabetes(): Dataset {
  return bundled('diabetes.csv', 'progression', 'regression');
}

/**
 * Breast Cancer Wisconsin, diagnostic (569 rows, 30 features of cell nuclei), binary
 * target `benign`: 0 malignant, 1 benign (scikit-learn's coding).
 */
export function loadBreastCancer(): Dataset & {
  /** The class names, in output order. */
  classes?: string[];
} {
  return bundled('breast-cancer.csv', 'benign', 'binary', ['malignant', 'benign']);
}

/** Wine recognition (178 rows, 13 chemical measurements), three classes (cultivars 0, 1, 2). */
export function loadWine(): Dataset & {
  /** The class names, in output order. */
  classes?: string[];
} {
  return bundled('wine.csv', 'class', 'multiclass', ['class_0', 'class_1', 'class_2']);
}

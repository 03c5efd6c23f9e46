/**
 * The preprocessing of a tabular model, kept beside it so a saved model can score
 * new files (`psilon predict`, `psilon evaluate`): the feature columns it was trained
 * on, their standardization, the target's scaling and the class names. The saved
 * model is the single source of these facts: a scored file is read through them,
 * never re-typed or re-numbered from its own rows.
 */
import type { Dataset, Task } from './dataset.js';
import { csvHeader, parseARFF, parseCSV, type CSVOptions, type Table } from './parse.js';
import type { Standardizer, TargetScaler } from './preprocess.js';

/** What a model needs to turn a new table into its inputs and its outputs back into the target's units. */
export interface Preprocessing {
  /** Feature names in input order (one-hot columns as `column=value`). */
  features: string[];
  /** Standardization per feature: x ← (x − mean)/std. */
  mean: number[];
  /** The std per feature of that standardization (1, with mean 0, for a constant or 0/1 feature, which is left as is). */
  std: number[];
  /** The task the model was trained for. */
  task: Task;
  /** The target column's name in the training file. */
  target: string;
  /** Regression: y = median + halfIqr·ŷ. */
  scale?: TargetScaler;
  /** Classification: the class names, in output order. */
  classes?: string[];
}

/** The preprocessing of a prepared tabular dataset (its features, standardizer and target scaler). */
export function preprocessingOf(data: Dataset & { classes?: string[] }, target: string, st: Standardizer, scale?: TargetScaler): Preprocessing {
  if (!data.features) throw new Error('preprocessingOf: the dataset has no feature names');
  return { features: data.features, mean: Array.from(st.mean), std: Array.from(st.std), task: data.task, target, scale, classes: data.classes };
}

const isArrayOf = (a: unknown, ok: (v: unknown) => boolean): boolean => Array.isArray(a) && a.every(ok);
const finite = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);

/**
 * Throws unless `p` is a preprocessing record for a model with these dimensions: distinct feature
 * names, one per input; finite means and positive finite standard deviations; a task and target;
 * a finite target scale (regression) or distinct class names (classification). The message names
 * the key (`preprocessing.std[1] is null, …`); callers prefix the file.
 */
export function checkPreprocessing(p: unknown, dims: { inDim: number; outDim: number }): asserts p is Preprocessing {
  const w = 'preprocessing';
  const show = (v: unknown) => (v === undefined ? 'undefined' : JSON.stringify(v) ?? String(v));
  if (!p || typeof p !== 'object' || Array.isArray(p)) throw new Error(`${w} is not an object`);
  const { features, mean, std, task, target, scale, classes } = p as Record<string, unknown>;
  if (!isArrayOf(features, (f) => typeof f === 'string')) throw new Error(`${w}.features must be an array of column names`);
  const names = features as string[];
  if (names.length !== dims.inDim) throw new Error(`${w} has ${names.length} features, the model's inDim is ${dims.inDim}`);
  if (new Set(names).size !== names.length) throw new Error(`${w}.features names a column twice`);
  for (const [key, arr, positive] of [['mean', mean, false], ['std', std, true]] as const) {
    if (!Array.isArray(arr) || arr.length !== names.length) throw new Error(`${w}.${key} must be an array of ${names.length} numbers`);
    const bad = arr.findIndex((v) => !finite(v) || (positive && !((v as number) > 0)));
    if (bad >= 0) throw new Error(`${w}.${key}[${bad}] is ${show(arr[bad])}, not a ${positive ? 'positive ' : ''}finite number (feature '${names[bad]}')`);
  }
  if (task !== 'regression' && task !== 'binary' && task !== 'multiclass') throw new Error(`${w}.task must be regression, binary or multiclass, got ${show(task)}`);
  if (typeof target !== 'string') throw new Error(`${w}.target must be the target column's name`);
  if (task === 'regression') {
    const sc = scale as Record<string, unknown> | undefined;
    if (!sc || typeof sc !== 'object' || !finite(sc.median) || !(finite(sc.halfIqr) && (sc.halfIqr as number) > 0)) {
      throw new Error(`${w}.scale must hold a finite median and a positive finite halfIqr for a regression model`);
    }
    if (dims.outDim !== 1) throw new Error(`${w} is for one regression target, the model has outDim ${dims.outDim}`);
  } else {
    const k = task === 'binary' ? 2 : dims.outDim;
    if (task === 'binary' && dims.outDim !== 1) throw new Error(`${w} is for a binary task, the model has outDim ${dims.outDim}`);
    if (!isArrayOf(classes, (c) => typeof c === 'string') || (classes as string[]).length !== k || new Set(classes as string[]).size !== k || k < 2) {
      throw new Error(`${w}.classes must be ${k} distinct class names for this ${task} model`);
    }
  }
}

/** How a feature is read from a table: a numeric column, or one value of a one-hot encoded column. */
type Source = { column: number; value?: string };

/**
 * The category of `cats` a table cell holds: the one written the same, else the one of equal
 * numeric value ('3.0' and the number 3 are category '3'); undefined when none.
 */
export function categoryOf(cell: number | string, cats: readonly string[]): string | undefined {
  const s = String(cell);
  if (cats.includes(s)) return s;
  const a = Number(s);
  if (s.trim() === '' || !Number.isFinite(a)) return undefined;
  return cats.find((c) => c.trim() !== '' && Number(c) === a);
}

/**
 * Where each feature of `p` comes from in a table with these columns: a column of the same
 * name (numeric), else the longest column `c` with the feature named `c=value` (one-hot).
 * A feature found nowhere is an error naming its column.
 */
function sources(p: Preprocessing, columns: readonly string[], file: string): Source[] {
  const missing = new Set<string>();
  const out = p.features.map((f): Source => {
    const j = columns.indexOf(f);
    if (j >= 0) return { column: j };
    let best = -1;
    columns.forEach((c, k) => { if (f.startsWith(`${c}=`) && (best < 0 || c.length > columns[best]!.length)) best = k; });
    if (best >= 0) return { column: best, value: f.slice(columns[best]!.length + 1) };
    missing.add(f.includes('=') ? f.slice(0, f.indexOf('=')) : f);
    return { column: -1 };
  });
  if (missing.size) {
    throw new Error(`${file} lacks the feature column(s) ${[...missing].join(', ')} that the model was trained on`);
  }
  return out;
}

/** Options of {@link tableForModel}. */
export interface ScoreFileOptions extends Pick<CSVOptions, 'na' | 'categorical' | 'delimiter'> {
  /** The file's name, for messages; `.arff` files are read as ARFF. */
  file: string;
  /**
   * Read the target column as the training file's was (to score against it: `psilon evaluate`);
   * otherwise it is left as text, like every column the model does not read (default false).
   */
  withTarget?: boolean;
}

/**
 * Parses a file to be scored by a model with preprocessing `p`: the columns the model
 * one-hot encodes are read as categories (so a file whose rows of such a column all look
 * numeric keeps its values as written), whatever the file's other rows hold; the columns it
 * does not read (and the target, unless `withTarget`) are left as text. A feature column the
 * file lacks is an error naming it.
 */
export function tableForModel(p: Preprocessing, text: string, o: ScoreFileOptions): Table {
  if (/\.arff$/i.test(o.file)) return parseARFF(text, { file: o.file });
  const delimiter = o.delimiter ?? ',';
  const header = csvHeader(text.replace(/^\uFEFF/, ''), delimiter);
  const oneHot = new Set<string>(), read = new Set<string>();
  for (const s of sources(p, header, o.file)) { // a missing feature column is named here, before parsing
    read.add(header[s.column]!);
    if (s.value !== undefined) oneHot.add(header[s.column]!);
  }
  if (o.withTarget) read.add(p.target);
  // a column the model does not read is left as text, so no cell of it can fail the file
  const unread = header.filter((c) => !read.has(c));
  // a missing-value token drops a row only where the model reads it
  return parseCSV(text, {
    file: o.file, na: o.na, naColumns: [...read].filter((c) => header.includes(c)), categorical: [...new Set([...(o.categorical ?? []), ...oneHot, ...unread])],
    ...(o.delimiter !== undefined ? { delimiter } : {}),
  });
}

/**
 * The model's inputs from a table: each feature read from the column of its name (a missing
 * one is an error naming it), one-hot values matched by value (a category seen in training
 * has the same encoding in every file; an unseen one is all zeros and counted in `notes`),
 * then standardized as in training. Returns the [n, d] row-major inputs and notes.
 */
export function applyPreprocessing(p: Preprocessing, table: Table, file = 'the file'): {
  /** The standardized inputs, [n, d] row-major (d = `p.features.length`). */
  x: Float64Array;
  /** Rows read. */
  n: number;
  /** What a user should hear (unseen categories, unused columns, …). */
  notes: string[];
} {
  const src = sources(p, table.columns, file);
  const notes: string[] = [];
  const used = new Set(src.map((s) => s.column));
  const ignored = table.columns.filter((c, j) => !used.has(j) && c !== p.target);
  if (ignored.length) notes.push(`ignored ${ignored.length} column(s) the model was not trained on: ${ignored.slice(0, 5).join(', ')}${ignored.length > 5 ? ', …' : ''}`);
  const n = table.rows.length, d = p.features.length;
  const x = new Float64Array(n * d);
  // per one-hot column: the model's categories, and the category each row holds (by value)
  const categories = new Map<number, string[]>();
  src.forEach((s) => { if (s.value !== undefined) categories.set(s.column, [...(categories.get(s.column) ?? []), s.value]); });
  const held = new Map<number, (string | undefined)[]>();
  for (const [j, cats] of categories) held.set(j, table.rows.map((row) => categoryOf(row[j]!, cats)));
  table.rows.forEach((row, i) => {
    src.forEach((s, k) => {
      const cell = row[s.column]!;
      let v: number;
      if (s.value !== undefined) v = held.get(s.column)![i] === s.value ? 1 : 0;
      else if (typeof cell === 'number') v = cell;
      else if (cell.trim() !== '' && Number.isFinite(Number(cell))) v = Number(cell); // a number in a column this file's other rows made categorical
      else throw new Error(`${file}: data row ${i + 1}, column '${table.columns[s.column]}': '${cell}' is not a number (the model was trained on a numeric column)`);
      x[i * d + k] = (v - p.mean[k]!) / p.std[k]!;
    });
  });
  for (const [j, rows] of held) {
    const unseen = new Map<string, number>();
    rows.forEach((c, i) => { if (c === undefined) { const v = String(table.rows[i]![j]); unseen.set(v, (unseen.get(v) ?? 0) + 1); } });
    if (unseen.size) {
      const count = [...unseen.values()].reduce((a, b) => a + b, 0);
      const values = [...unseen.keys()];
      notes.push(`column '${table.columns[j]}': ${count} row(s) hold ${values.length} value(s) unseen in training (${values.slice(0, 5).join(', ')}${values.length > 5 ? ', …' : ''}); their one-hot inputs are all 0`);
    }
  }
  return { x, n, notes };
}

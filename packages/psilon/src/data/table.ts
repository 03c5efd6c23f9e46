/** A parsed table of named columns, and how it becomes a Dataset (one-hot features, class indices). */
import type { Dataset, Task } from './dataset.js';

/** A table of named columns before it becomes a Dataset. */
export interface Table {
  /** The column names, in file order. */
  columns: string[];
  /** Row-major cells: numbers, or strings for categorical columns. */
  rows: (number | string)[][];
  /** Columns whose values are categories (strings). */
  categorical: Set<string>;
  /** What parsing decided that a user should hear (rows dropped for missing values, …). */
  notes?: string[];
}

/** Options of {@link tableToDataset}. */
export interface TableOptions {
  /** The target column. */
  target: string;
  /**
   * `regression`, `binary` or `multiclass`. Default: a categorical target is classification; a numeric
   * target whose values are integers with at most {@link MAX_INTEGER_CLASSES} distinct values (and fewer
   * than half the rows) is classification too, said in `notes`; any other numeric target is regression.
   */
  task?: Task;
}

/** The most distinct integer values a numeric target may have to be taken as class labels by default. */
export const MAX_INTEGER_CLASSES = 10;

/** The most distinct values a categorical column may have (one-hot columns per feature, classes of a target). */
export const MAX_CATEGORIES = 1000;

/** The most feature columns a table may give after one-hot encoding. */
export const MAX_FEATURES = 10_000;

/** The most values (rows × features) a table's feature matrix may hold: 2²⁷ (1 GiB of float64). */
export const MAX_CELLS = 2 ** 27;

/** True when `s` is a finite number as a CSV/ARFF cell. */
export const isNumber = (s: string): boolean => s.trim() !== '' && Number.isFinite(Number(s));

/** A feature column of the dataset: where it comes from, for messages. */
interface Feature { name: string; column: string; value?: string }
const origin = (f: Feature) => (f.value === undefined ? `column '${f.column}'` : `column '${f.column}', value '${f.value}'`);

/**
 * Features and target from a table. Categorical features are one-hot encoded (one column per
 * category, in first-seen order, named `column=value`); a categorical target becomes class indices.
 * The width is checked before anything is allocated: at most {@link MAX_CATEGORIES} values per
 * categorical column, {@link MAX_FEATURES} feature columns and {@link MAX_CELLS} values in all; a
 * one-hot name equal to another feature's name is an error.
 * @param table the parsed table (from {@link parseCSV} or {@link parseARFF})
 * @param options the target column (required) and the task (default: inferred from the target; see {@link TableOptions})
 */
export function tableToDataset(table: Table, options: TableOptions): Dataset & {
  /** Classification: the class names, in output order (sorted; numbers as strings). */
  classes?: string[];
  /** What a user should hear about the conversion (rows dropped, columns encoded, …). */
  notes: string[];
} {
  const t = table.columns.indexOf(options.target);
  if (t < 0) {
    const one = table.columns.length === 1 && /[\t;|]/.test(table.columns[0]!);
    throw new Error(`target column '${options.target}' is not one of: ${table.columns.join(', ')}${one ? ' (the header is one column: is the file separated by another character? pass --delimiter)' : ''}`);
  }
  if (options.task !== undefined && !['regression', 'binary', 'multiclass'].includes(options.task)) {
    throw new Error(`task must be regression, binary or multiclass, got '${String(options.task)}'`);
  }
  const featureCols = table.columns.map((_, j) => j).filter((j) => j !== t);
  if (featureCols.length === 0) throw new Error(`no feature columns: the file has only the target '${options.target}'`);
  const notes = [...(table.notes ?? [])];
  const distinct = (j: number) => {
    const index = new Map<string, number>();
    for (const r of table.rows) { const v = String(r[j]); if (!index.has(v)) index.set(v, index.size); }
    return index;
  };
  // width first: categories per column, total width, cells; nothing is allocated before
  const encoders = featureCols.map((j) => {
    const column = table.columns[j]!;
    if (!table.categorical.has(column)) return { j, feats: [{ name: column, column }] as Feature[] };
    const index = distinct(j);
    if (index.size > MAX_CATEGORIES) {
      throw new Error(`categorical column '${column}' has ${index.size} distinct values, over the one-hot limit of ${MAX_CATEGORIES} per column (an identifier or free text? drop the column; numbers are read as numbers unless --categorical names the column)`);
    }
    return { j, index, feats: [...index.keys()].map((value): Feature => ({ name: `${column}=${value}`, column, value })) };
  });
  const feats = encoders.flatMap((e) => e.feats);
  const n = table.rows.length, d = feats.length;
  if (d > MAX_FEATURES) {
    const widest = encoders.filter((e) => e.index).sort((a, b) => b.feats.length - a.feats.length).slice(0, 3).map((e) => `'${e.feats[0]!.column}' ${e.feats.length}`);
    throw new Error(`one-hot encoding gives ${d} feature columns, over the limit of ${MAX_FEATURES} (widest: ${widest.join(', ')} values); drop or merge categorical columns`);
  }
  if (n * d > MAX_CELLS) throw new Error(`${n} rows × ${d} feature columns = ${n * d} values, over the limit of ${MAX_CELLS}; use fewer rows or columns`);
  const byName = new Map<string, Feature>();
  for (const f of feats) {
    const other = byName.get(f.name);
    if (other) {
      const [hot, real] = other.value !== undefined ? [other, f] : [f, other];
      throw new Error(`one-hot column '${f.name}' (${origin(hot)}) has the name of another feature column (${origin(real)}); rename a column`);
    }
    byName.set(f.name, f);
  }
  const x = new Float64Array(n * d);
  table.rows.forEach((r, i) => {
    let k = i * d;
    for (const e of encoders) {
      if (e.index) { x[k + e.index.get(String(r[e.j]))!] = 1; k += e.feats.length; } else x[k++] = r[e.j] as number;
    }
  });
  const targetName = table.columns[t]!;
  const y = new Float64Array(n);
  let task = options.task;
  let classes: string[] | undefined;
  const numeric = !table.categorical.has(targetName);
  if (numeric && table.rows.every((r) => r[t] === table.rows[0]![t])) {
    throw new Error(`target '${targetName}' is constant (every row is ${table.rows[0]![t]}): there is nothing to learn`);
  }
  if (numeric && task === undefined) {
    const values = [...new Set(table.rows.map((r) => r[t] as number))];
    if (values.every(Number.isInteger) && values.length <= MAX_INTEGER_CLASSES && values.length * 2 <= n) {
      task = values.length === 2 ? 'binary' : 'multiclass';
      notes.push(`integer target '${targetName}' with ${values.length} distinct values: ${task === 'binary' ? 'binary' : 'multiclass'} classification (--task regression to override)`);
    }
  }
  if (!numeric || task === 'binary' || task === 'multiclass') {
    const values = [...new Set(table.rows.map((r) => r[t]!))];
    if (values.length > MAX_CATEGORIES) throw new Error(`target '${targetName}' has ${values.length} distinct values, over the limit of ${MAX_CATEGORIES} classes${numeric ? ' (--task regression for a numeric target)' : ''}`);
    // numeric labels in numeric order, names in string order
    classes = (numeric ? (values as number[]).sort((a, b) => a - b) : (values as string[]).sort()).map(String);
    if (classes.length < 2) throw new Error(`target '${targetName}' has the single value '${classes[0]}': classification needs at least 2 classes`);
    task ??= classes.length === 2 ? 'binary' : 'multiclass';
    if (task === 'regression') throw new Error(`target '${targetName}' is categorical; regression needs a numeric target`);
    if (task === 'binary' && classes.length !== 2) throw new Error(`binary task: target '${targetName}' has ${classes.length} classes`);
    const index = new Map(classes.map((c, k) => [c, k]));
    table.rows.forEach((r, i) => { y[i] = index.get(String(r[t]))!; });
  } else {
    task ??= 'regression';
    table.rows.forEach((r, i) => { y[i] = r[t] as number; });
  }
  const outputs = task === 'multiclass' ? classes!.length : 1;
  return { x, y, n, d, task, outputs, features: feats.map((f) => f.name), classes, notes };
}

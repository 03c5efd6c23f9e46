/** Loaders for the user's own files: CSV, OpenML ARFF and IDX (MNIST / Fashion-MNIST). */
import type { Dataset, Task } from './dataset.js';

/** A table of named columns before it becomes a Dataset. */
export interface Table {
  columns: string[];
  /** Row-major cells: numbers, or strings for categorical columns. */
  rows: (number | string)[][];
  /** Columns whose values are categories (strings). */
  categorical: Set<string>;
  /** What parsing decided that a user should hear (rows dropped for missing values, …). */
  notes?: string[];
}

/** Options of {@link parseCSV}. */
export interface CSVOptions {
  /** Column separator (default ','). */
  delimiter?: string;
  /** Columns to treat as categorical even when numeric. */
  categorical?: readonly string[];
  /**
   * Tokens that mean "missing" (e.g. `NA`, `?`, or `''` for an empty cell). A row holding one is
   * dropped, and the count reported in `notes`. Without them any non-numeric cell in an otherwise
   * numeric column, and any empty cell, is an error.
   */
  na?: readonly string[];
  /** The file's name, for messages. */
  file?: string;
}

function splitLine(line: string, delim: string, lineNo: number): string[] {
  const out: string[] = [];
  let cur = '', quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (ch === '"') quoted = false; else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delim) { out.push(cur.trim()); cur = ''; } else cur += ch;
  }
  if (quoted) throw new Error(`CSV line ${lineNo}: unterminated quoted field`);
  out.push(cur.trim());
  return out;
}

/**
 * The column names of a CSV text's header row (its first non-empty line), as {@link parseCSV}
 * reads them, without reading the rest of the file.
 */
export function csvHeader(text: string, delimiter = ','): string[] {
  const lines = text.split(/\r?\n/);
  const at = lines.findIndex((l) => l.trim() !== '');
  return at < 0 ? [] : splitLine(lines[at]!, delimiter, at + 1);
}

/**
 * Parses CSV text with a header row. Column typing (README "Data rules"): a column is
 * numeric when its cells parse as finite numbers; a column where most cells are numbers
 * but some are not is an error naming the line, column and value (a stray `3.5a`, `NA`
 * or `Infinity` would otherwise turn it into categories); other columns, and those
 * listed in `categorical`, are categorical. Cells equal to an `na` token are missing and
 * their rows dropped. Ragged rows and unterminated quotes raise an error naming the line.
 */
export function parseCSV(text: string, options: CSVOptions = {}): Table {
  const delim = options.delimiter ?? ',';
  const where = options.file ? `${options.file}: ` : 'CSV ';
  const na = new Set(options.na ?? []);
  const lines = text.split(/\r?\n/);
  let headerAt = lines.findIndex((l) => l.trim() !== '');
  if (headerAt < 0) throw new Error('CSV: the file is empty');
  const columns = splitLine(lines[headerAt]!, delim, headerAt + 1);
  if (new Set(columns).size !== columns.length) throw new Error(`CSV line ${headerAt + 1}: duplicate column names in the header`);
  const raw: string[][] = [];
  const lineOf: number[] = [];
  for (let i = headerAt + 1; i < lines.length; i++) {
    if (lines[i]!.trim() === '') continue;
    const cells = splitLine(lines[i]!, delim, i + 1);
    if (cells.length !== columns.length) throw new Error(`${where}line ${i + 1}: ${cells.length} fields, the header has ${columns.length}`);
    cells.forEach((c, j) => { if (c === '' && !na.has('')) throw new Error(`${where}line ${i + 1}, column '${columns[j]}': empty value (pass --na '' to treat empty cells as missing)`); });
    raw.push(cells);
    lineOf.push(i + 1);
  }
  headerAt = 0;
  if (raw.length === 0) throw new Error(`${where}no data rows after the header`);
  const categorical = new Set(options.categorical ?? []);
  for (const c of categorical) if (!columns.includes(c)) throw new Error(`${where}categorical column '${c}' is not in the header`);
  columns.forEach((c, j) => {
    if (categorical.has(c)) return;
    const present = raw.map((r, k) => [r[j]!, k] as const).filter(([v]) => !na.has(v));
    const bad = present.filter(([v]) => !isNumber(v));
    if (bad.length === 0) return;
    if (bad.length * 2 < present.length) {
      const [v, k] = bad[0]!;
      throw new Error(`${where}line ${lineOf[k]}, column '${c}': '${v}' is not a number, in an otherwise numeric column (mark such tokens missing with --na ${JSON.stringify(v)}, or the column categorical with --categorical ${c})`);
    }
    categorical.add(c);
  });
  const keep = raw.map((r) => !r.some((v) => na.has(v)));
  const dropped = keep.filter((k) => !k).length;
  const rows = raw.filter((_, k) => keep[k]).map((r) => r.map((cell, j) => (categorical.has(columns[j]!) ? cell : Number(cell))));
  if (rows.length === 0) throw new Error(`${where}every row has a missing value`);
  const notes = dropped ? [`dropped ${dropped} rows with missing values (${[...na].map((t) => (t === '' ? "''" : t)).join(', ')}) of ${raw.length}`] : [];
  return { columns, rows, categorical, notes };
}

const isNumber = (s: string): boolean => s.trim() !== '' && Number.isFinite(Number(s));

/**
 * Parses OpenML's ARFF: `@relation`, `@attribute name numeric|real|integer|{a,b,…}|string`,
 * `@data`, comments with `%`. Missing values ('?') raise an error naming the line.
 */
export function parseARFF(text: string): Table {
  const lines = text.split(/\r?\n/);
  const columns: string[] = [];
  const categorical = new Set<string>();
  const nominal = new Map<string, Set<string>>();
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('%')) continue;
    const lower = line.toLowerCase();
    if (lower.startsWith('@relation')) continue;
    if (lower.startsWith('@attribute')) {
      const m = /^@attribute\s+('(?:[^']|\\')*'|"[^"]*"|\S+)\s+(.+)$/i.exec(line);
      if (!m) throw new Error(`ARFF line ${i + 1}: malformed @attribute`);
      const name = m[1]!.replace(/^['"]|['"]$/g, '');
      const type = m[2]!.trim();
      columns.push(name);
      if (type.startsWith('{')) {
        if (!type.endsWith('}')) throw new Error(`ARFF line ${i + 1}: unterminated nominal set for '${name}'`);
        categorical.add(name);
        nominal.set(name, new Set(type.slice(1, -1).split(',').map((s) => s.trim().replace(/^['"]|['"]$/g, ''))));
      } else if (/^(numeric|real|integer)$/i.test(type)) {
        // numeric
      } else if (/^string$/i.test(type)) categorical.add(name);
      else throw new Error(`ARFF line ${i + 1}: unsupported attribute type '${type}' for '${name}'`);
      continue;
    }
    if (lower.startsWith('@data')) { i++; break; }
    throw new Error(`ARFF line ${i + 1}: unexpected '${line.slice(0, 30)}' in the header`);
  }
  if (columns.length === 0) throw new Error('ARFF: no @attribute declarations');
  const rows: (number | string)[][] = [];
  for (; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('%')) continue;
    if (line.startsWith('{')) throw new Error(`ARFF line ${i + 1}: sparse ARFF rows are not supported`);
    const cells = splitLine(line, ',', i + 1).map((c) => c.replace(/^'|'$/g, ''));
    if (cells.length !== columns.length) throw new Error(`ARFF line ${i + 1}: ${cells.length} values, ${columns.length} attributes declared`);
    rows.push(cells.map((c, j) => {
      const name = columns[j]!;
      if (c === '?') throw new Error(`ARFF line ${i + 1}: missing value '?' in '${name}' (impute or drop such rows first)`);
      if (categorical.has(name)) {
        const allowed = nominal.get(name);
        if (allowed && !allowed.has(c)) throw new Error(`ARFF line ${i + 1}: '${c}' is not a declared value of '${name}'`);
        return c;
      }
      if (!isNumber(c)) throw new Error(`ARFF line ${i + 1}: '${c}' is not numeric in '${name}'`);
      return Number(c);
    }));
  }
  if (rows.length === 0) throw new Error('ARFF: no data rows');
  return { columns, rows, categorical };
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

/**
 * Features and target from a table. Categorical features are one-hot encoded
 * (one column per category, in first-seen order); a categorical target becomes
 * class indices.
 */
export function tableToDataset(table: Table, options: TableOptions): Dataset & { classes?: string[]; notes: string[] } {
  const t = table.columns.indexOf(options.target);
  if (t < 0) throw new Error(`target column '${options.target}' is not one of: ${table.columns.join(', ')}`);
  if (options.task !== undefined && !['regression', 'binary', 'multiclass'].includes(options.task)) {
    throw new Error(`task must be regression, binary or multiclass, got '${String(options.task)}'`);
  }
  const featureCols = table.columns.map((_, j) => j).filter((j) => j !== t);
  if (featureCols.length === 0) throw new Error(`no feature columns: the file has only the target '${options.target}'`);
  const notes = [...(table.notes ?? [])];
  const encoders = featureCols.map((j) => {
    const name = table.columns[j]!;
    if (!table.categorical.has(name)) return { names: [name], encode: (v: number | string) => [v as number] };
    const cats = [...new Set(table.rows.map((r) => String(r[j])))];
    return { names: cats.map((c) => `${name}=${c}`), encode: (v: number | string) => cats.map((c) => (String(v) === c ? 1 : 0)) };
  });
  const features = encoders.flatMap((e) => e.names);
  const n = table.rows.length, d = features.length;
  const x = new Float64Array(n * d);
  table.rows.forEach((r, i) => {
    let k = 0;
    featureCols.forEach((j, e) => { for (const v of encoders[e]!.encode(r[j]!)) x[i * d + k++] = v; });
  });
  const targetName = table.columns[t]!;
  const y = new Float64Array(n);
  let task = options.task;
  let classes: string[] | undefined;
  const numeric = !table.categorical.has(targetName);
  if (numeric && task === undefined) {
    const values = [...new Set(table.rows.map((r) => r[t] as number))];
    if (values.every(Number.isInteger) && values.length <= MAX_INTEGER_CLASSES && values.length * 2 <= n) {
      task = values.length === 2 ? 'binary' : 'multiclass';
      notes.push(`integer target '${targetName}' with ${values.length} distinct values: ${task === 'binary' ? 'binary' : 'multiclass'} classification (--task regression to override)`);
    }
  }
  if (!numeric || task === 'binary' || task === 'multiclass') {
    const distinct = [...new Set(table.rows.map((r) => r[t]!))];
    // numeric labels in numeric order, names in string order
    classes = (numeric ? (distinct as number[]).sort((a, b) => a - b) : (distinct as string[]).sort()).map(String);
    task ??= classes.length === 2 ? 'binary' : 'multiclass';
    if (task === 'regression') throw new Error(`target '${targetName}' is categorical; regression needs a numeric target`);
    if (task === 'binary' && classes.length !== 2) throw new Error(`binary task: target '${targetName}' has ${classes.length} classes`);
    table.rows.forEach((r, i) => { y[i] = classes!.indexOf(String(r[t])); });
  } else {
    task ??= 'regression';
    table.rows.forEach((r, i) => { y[i] = r[t] as number; });
  }
  const outputs = task === 'multiclass' ? classes!.length : 1;
  return { x, y, n, d, task, outputs, features, classes, notes };
}

/** Parsed IDX tensor: dims and values. */
export interface IdxArray { dims: number[]; data: Uint8Array | Float64Array }

/**
 * Parses the IDX format of MNIST/Fashion-MNIST (big-endian: two zero bytes, a
 * type code, the number of dims, the dims, then the data). Unsigned bytes (0x08)
 * and float64 (0x0E) are supported.
 */
export function parseIDX(buf: Uint8Array): IdxArray {
  if (buf.length < 4) throw new Error('IDX: file shorter than its 4-byte magic number');
  if (buf[0] !== 0 || buf[1] !== 0) throw new Error('IDX: bad magic number (first two bytes must be 0)');
  const type = buf[2]!, nd = buf[3]!;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length < 4 + 4 * nd) throw new Error(`IDX: header declares ${nd} dims but the file ends at byte ${buf.length}`);
  const dims = Array.from({ length: nd }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const off = 4 + 4 * nd;
  if (type === 0x08) {
    if (buf.length !== off + count) throw new Error(`IDX: expected ${count} bytes of data for dims [${dims.join(', ')}], found ${buf.length - off}`);
    return { dims, data: buf.slice(off, off + count) };
  }
  if (type === 0x0e) {
    if (buf.length !== off + 8 * count) throw new Error(`IDX: expected ${8 * count} bytes of float64 data, found ${buf.length - off}`);
    return { dims, data: Float64Array.from({ length: count }, (_, i) => view.getFloat64(off + 8 * i, false)) };
  }
  throw new Error(`IDX: unsupported data type 0x${type.toString(16)} (only 0x08 ubyte and 0x0e double)`);
}

/** An image classification dataset from IDX images [n, rows, cols] and labels [n], pixels mapped to [−1, 1] (docs/math.md §9). */
export function idxToDataset(images: IdxArray, labels: IdxArray): Dataset {
  if (images.dims.length !== 3) throw new Error(`IDX images must be 3-D [n, rows, cols], got [${images.dims.join(', ')}]`);
  if (labels.dims.length !== 1) throw new Error(`IDX labels must be 1-D, got [${labels.dims.join(', ')}]`);
  const [n, r, c] = images.dims as [number, number, number];
  if (labels.dims[0] !== n) throw new Error(`IDX: ${n} images but ${labels.dims[0]} labels`);
  const d = r * c;
  const x = Float64Array.from(images.data, (v) => (v / 255) * 2 - 1);
  const y = Float64Array.from(labels.data);
  const outputs = Math.max(...y) + 1;
  return { x, y, n, d, task: 'multiclass', outputs };
}

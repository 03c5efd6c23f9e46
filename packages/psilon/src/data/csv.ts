/**
 * RFC 4180 CSV: quoted fields may hold the delimiter, line breaks and `""` (one quote);
 * records end at LF, CRLF or a lone CR. Line numbers in errors are the file's physical lines.
 */
import { isNumber, type Table } from './table.js';

/** Options of {@link parseCSV}. */
export interface CSVOptions {
  /** Column separator: one character other than a quote or a line break (default ','; e.g. '\t', ';'). */
  delimiter?: string;
  /** Columns to treat as categorical even when numeric. */
  categorical?: readonly string[];
  /**
   * Tokens that mean "missing" (e.g. `NA`, `?`, or `''` for an empty cell). A row holding one is
   * dropped, and the count reported in `notes`. Without them any non-numeric cell in an otherwise
   * numeric column, and any empty cell, is an error.
   */
  na?: readonly string[];
  /**
   * The columns whose `na` tokens drop a row (default: every column). In the other columns a token is
   * an ordinary cell (so such a column should be categorical): a scored file's unread columns.
   */
  naColumns?: readonly string[];
  /** The file's name, for messages. */
  file?: string;
}

/** One record of a CSV file: its cells and the physical line it starts on (1-based). */
interface CSVRecord { cells: string[]; line: number }

/**
 * Splits CSV text into records (RFC 4180). Unquoted cells are trimmed; spaces around a quoted
 * field are ignored, and its content kept as is. Blank lines are skipped. `where` prefixes errors.
 */
function csvRecords(text: string, delim: string, where: string): CSVRecord[] {
  const out: CSVRecord[] = [];
  const n = text.length;
  const blank = (ch: string | undefined) => (ch === ' ' || ch === '\t') && ch !== delim;
  let i = 0, line = 1;
  while (i < n) {
    const start = line;
    const cells: string[] = [];
    let quotedAny = false;
    for (;;) {
      let j = i;
      while (blank(text[j])) j++;
      if (text[j] === '"') {
        quotedAny = true;
        const opened = line;
        let cur = '';
        i = j + 1;
        for (;;) {
          if (i >= n) throw new Error(`${where}line ${opened}: unterminated quoted field`);
          const ch = text[i]!;
          if (ch === '"') {
            if (text[i + 1] === '"') { cur += '"'; i += 2; continue; }
            i++;
            break;
          }
          if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) line++;
          cur += ch;
          i++;
        }
        while (blank(text[i])) i++;
        if (i < n && text[i] !== delim && text[i] !== '\n' && text[i] !== '\r') {
          throw new Error(`${where}line ${line}: text after the closing quote of a field (a quote inside a quoted field is written "")`);
        }
        cells.push(cur);
      } else {
        let k = i;
        while (k < n && text[k] !== delim && text[k] !== '\n' && text[k] !== '\r') {
          if (text[k] === '"') throw new Error(`${where}line ${line}: a quote inside an unquoted field (quote the whole field and double the quote: "5'11""")`);
          k++;
        }
        cells.push(text.slice(i, k).trim());
        i = k;
      }
      if (i < n && text[i] === delim) { i++; continue; }
      if (text[i] === '\r') { i++; if (text[i] === '\n') i++; line++; } else if (text[i] === '\n') { i++; line++; }
      break;
    }
    if (!(cells.length === 1 && cells[0] === '' && !quotedAny)) out.push({ cells, line: start });
  }
  return out;
}

/** Throws unless `d` can separate CSV fields. */
function checkDelimiter(d: string, where: string): void {
  if (typeof d !== 'string' || d.length !== 1 || d === '"' || d === '\n' || d === '\r') {
    throw new Error(`${where}the delimiter must be one character other than a quote or a line break, got ${JSON.stringify(d)}`);
  }
}

/** A cell for a one-line message: line breaks written as \n and \r. */
const oneLine = (v: string): string => v.replace(/\r/g, '\\r').replace(/\n/g, '\\n');

/**
 * Parses CSV text with a header row (RFC 4180; README "Data rules"). Column typing: a column is
 * numeric when its cells parse as finite numbers; a column where most cells are numbers but some
 * are not is an error naming the line, column and value (a stray `3.5a`, `NA` or `Infinity` would
 * otherwise turn it into categories); other columns, and those listed in `categorical`, are
 * categorical. Cells equal to an `na` token are missing and their rows dropped. Ragged rows and
 * unterminated quotes raise an error naming the line.
 * @param text the CSV file's text (a header row, then one row per line)
 * @param options delimiter, categorical columns, missing-value tokens and the file name for errors (see {@link CSVOptions})
 */
export function parseCSV(text: string, options: CSVOptions = {}): Table {
  const delim = options.delimiter ?? ',';
  const where = options.file ? `${options.file}: ` : 'CSV ';
  const whole = `${options.file ?? 'CSV'}: `;
  checkDelimiter(delim, whole);
  const na = new Set(options.na ?? []);
  const records = csvRecords(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, delim, where);
  if (records.length === 0) throw new Error(`${whole}the file is empty`);
  const { cells: columns, line: headerLine } = records[0]!;
  if (new Set(columns).size !== columns.length) throw new Error(`${where}line ${headerLine}: duplicate column names in the header`);
  const raw: string[][] = [];
  const lineOf: number[] = [];
  for (const { cells, line } of records.slice(1)) {
    if (cells.length !== columns.length) throw new Error(`${where}line ${line}: ${cells.length} fields, the header has ${columns.length}`);
    cells.forEach((c, j) => { if (c === '' && !na.has('')) throw new Error(`${where}line ${line}, column '${columns[j]}': empty value (pass --na '' to treat empty cells as missing)`); });
    raw.push(cells);
    lineOf.push(line);
  }
  if (raw.length === 0) throw new Error(`${whole}no data rows after the header`);
  const categorical = new Set(options.categorical ?? []);
  for (const c of options.naColumns ?? []) if (!columns.includes(c)) throw new Error(`${whole}missing-value column '${c}' is not in the header`);
  const naCol = columns.map((c) => options.naColumns === undefined || options.naColumns.includes(c));
  for (const c of categorical) if (!columns.includes(c)) throw new Error(`${whole}categorical column '${c}' is not in the header`);
  columns.forEach((c, j) => {
    if (categorical.has(c)) return;
    const present = raw.map((r, k) => [r[j]!, k] as const).filter(([v]) => !(na.has(v) && naCol[j]));
    const bad = present.filter(([v]) => !isNumber(v));
    if (bad.length === 0) return;
    if (bad.length * 2 < present.length) {
      const [v, k] = bad[0]!;
      throw new Error(`${where}line ${lineOf[k]}, column '${c}': '${oneLine(v)}' is not a number, in an otherwise numeric column (mark such tokens missing with --na ${JSON.stringify(v)}, or the column categorical with --categorical ${c})`);
    }
    categorical.add(c);
  });
  const keep = raw.map((r) => !r.some((v, j) => na.has(v) && naCol[j]));
  const dropped = keep.filter((k) => !k).length;
  const rows = raw.filter((_, k) => keep[k]).map((r) => r.map((cell, j) => (categorical.has(columns[j]!) ? cell : Number(cell))));
  if (rows.length === 0) throw new Error(`${whole}every row has a missing value`);
  const notes = dropped ? [`dropped ${dropped} rows with missing values (${[...na].map((t) => (t === '' ? "''" : t)).join(', ')}) of ${raw.length}`] : [];
  return { columns, rows, categorical, notes };
}

/**
 * The column names of a CSV text's header row (its first record), read by the same RFC 4180
 * rules as {@link parseCSV}; `[]` for an empty text.
 */
export function csvHeader(text: string, delimiter = ','): string[] {
  checkDelimiter(delimiter, 'CSV: ');
  return csvRecords(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, delimiter, 'CSV ')[0]?.cells ?? [];
}

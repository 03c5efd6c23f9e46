/** OpenML's ARFF (dense rows): `@relation`, `@attribute`, `@data`, `%` comments, quoted names and values. */
import { isNumber, type Table } from './table.js';

/** Options of {@link parseARFF}. */
export interface ARFFOptions {
  /** The file's name, for messages. */
  file?: string;
}

/**
 * Splits a comma-separated ARFF list (a data row, or the inside of a nominal `{…}`): values may be
 * quoted with ' or " (a backslash escapes the next character), unquoted ones are trimmed.
 */
function arffValues(s: string, where: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    while (s[i] === ' ' || s[i] === '\t') i++;
    const q = s[i];
    if (q === "'" || q === '"') {
      let cur = '';
      i++;
      for (;;) {
        if (i >= s.length) throw new Error(`${where}: unterminated quoted value`);
        if (s[i] === '\\' && i + 1 < s.length) { cur += s[i + 1]; i += 2; continue; }
        if (s[i] === q) { i++; break; }
        cur += s[i++];
      }
      while (s[i] === ' ' || s[i] === '\t') i++;
      if (i < s.length && s[i] !== ',') throw new Error(`${where}: text after the closing quote of ${q}${cur}${q}`);
      out.push(cur);
    } else {
      const k = s.indexOf(',', i);
      out.push(s.slice(i, k < 0 ? s.length : k).trim());
      i = k < 0 ? s.length : k;
    }
    if (s[i] !== ',') return out;
    i++;
  }
}

/**
 * Parses OpenML's ARFF: `@relation`, `@attribute name numeric|real|integer|{a,b,…}|string`,
 * `@data`, comments with `%`; names and values may be quoted (`{'a,b', c}`). Lines end at LF,
 * CRLF or CR. Missing values ('?') and sparse rows raise an error naming the line.
 * @param text the ARFF file's text
 * @param options `file`, the name errors report (see {@link ARFFOptions})
 */
export function parseARFF(text: string, options: ARFFOptions = {}): Table {
  const at = (i: number) => `${options.file ? `${options.file}: ` : ''}ARFF line ${i + 1}`;
  const whole = options.file ? `${options.file}: ARFF` : 'ARFF';
  const lines = text.split(/\r\n|\r|\n/);
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
      const m = /^@attribute\s+('(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"|[^\s{]+)\s*(.+)$/i.exec(line);
      if (!m) throw new Error(`${at(i)}: malformed @attribute`);
      const [name] = /^['"]/.test(m[1]!) ? arffValues(m[1]!, at(i)) : [m[1]!];
      const type = m[2]!.trim();
      if (columns.includes(name!)) throw new Error(`${at(i)}: attribute '${name}' is declared twice`);
      columns.push(name!);
      if (type.startsWith('{')) {
        if (!type.endsWith('}')) throw new Error(`${at(i)}: unterminated nominal set for '${name}'`);
        categorical.add(name!);
        nominal.set(name!, new Set(arffValues(type.slice(1, -1), at(i))));
      } else if (/^(numeric|real|integer)$/i.test(type)) {
        // numeric
      } else if (/^string$/i.test(type)) categorical.add(name!);
      else throw new Error(`${at(i)}: unsupported attribute type '${type}' for '${name}'`);
      continue;
    }
    if (lower.startsWith('@data')) { i++; break; }
    throw new Error(`${at(i)}: unexpected '${line.slice(0, 30)}' in the header`);
  }
  if (columns.length === 0) throw new Error(`${whole}: no @attribute declarations`);
  const rows: (number | string)[][] = [];
  for (; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('%')) continue;
    if (line.startsWith('{')) throw new Error(`${at(i)}: sparse ARFF rows are not supported`);
    const cells = arffValues(line, at(i));
    if (cells.length !== columns.length) throw new Error(`${at(i)}: ${cells.length} values, ${columns.length} attributes declared`);
    rows.push(cells.map((c, j) => {
      const name = columns[j]!;
      if (c === '?') throw new Error(`${at(i)}: missing value '?' in '${name}' (impute or drop such rows first)`);
      if (categorical.has(name)) {
        const allowed = nominal.get(name);
        if (allowed && !allowed.has(c)) throw new Error(`${at(i)}: '${c}' is not a declared value of '${name}'`);
        return c;
      }
      if (!isNumber(c)) throw new Error(`${at(i)}: '${c}' is not numeric in '${name}'`);
      return Number(c);
    }));
  }
  if (rows.length === 0) throw new Error(`${whole}: no data rows`);
  return { columns, rows, categorical };
}

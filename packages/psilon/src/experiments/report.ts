/** Experiment results as Markdown reports with SVG plots. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './files.js';

/** A results table. */
export interface Table {
  /** The column headings. */
  headers: string[];
  /** The rows, one cell per heading (numbers are formatted to 4 significant digits in the report). */
  rows: (string | number)[][];
}

/** What an experiment produces. */
export interface ExperimentResult {
  /** The experiment's name (`tabular`, `mnist`, …). */
  name: string;
  /** The report's heading. */
  title: string;
  /** The results table. */
  table: Table;
  /** SVG plots, each with the CSV of its plotted numbers (written beside it under the same base name). */
  plots: {
    /** The SVG's file name, relative to the report's folder. */
    file: string;
    /** The plot's heading in the report. */
    title: string;
    /** The SVG document. */
    svg: string;
    /** The plotted numbers as CSV, when there are any. */
    csv?: string;
  }[];
  /** Protocol facts and caveats printed under the table. */
  notes: string[];
  /** The settings that ran (size, widths, grids…). */
  settings: Record<string, unknown>;
}

/** Formats a number for tables: 4 significant digits, or scientific when tiny/huge. */
export function fmtNum(v: number | string): string {
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a < 1e-3 || a >= 1e5 ? v.toExponential(2) : Number(v.toPrecision(4)).toString();
}

/** A GitHub-flavoured Markdown table. */
export function markdownTable(t: Table): string {
  const rows = t.rows.map((r) => `| ${r.map(fmtNum).join(' | ')} |`);
  return [`| ${t.headers.join(' | ')} |`, `| ${t.headers.map(() => '---').join(' | ')} |`, ...rows].join('\n');
}

/** A plain-text table for the terminal. */
export function textTable(t: Table): string {
  const cells = [t.headers, ...t.rows.map((r) => r.map(fmtNum))];
  const widths = t.headers.map((_, j) => Math.max(...cells.map((r) => String(r[j]).length)));
  const line = (r: (string | number)[]) => r.map((c, j) => String(c).padEnd(widths[j]!)).join('  ');
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** What a report says about how it was made. */
export interface ReportMeta {
  /** The backend that ran it (its `description`). */
  backend: string;
  /** Wall time of this run (seconds). */
  seconds: number;
  /** The command line that made the report. */
  command: string;
  /** Points run now (default: all of them). */
  ran?: number;
  /** Points reused from earlier runs and the compute time they took then (seconds). */
  reused?: {
    /** Points reused. */
    points: number;
    /** The compute time they took when they ran, in seconds. */
    seconds: number;
  };
  /** The run folders a merged report (`psilon report`) was made from. */
  mergedFrom?: readonly string[];
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** The report's time line: this run's wall time, and what reused or merged points took when they ran. */
function timeLines(meta: ReportMeta): string[] {
  const s = (x: number) => `${x.toFixed(1)} s`;
  if (meta.mergedFrom) {
    return [
      `- merged from: ${meta.mergedFrom.map((d) => `\`${d}\``).join(', ')} (each folder's report.md keeps its own run's command, backend and wall time)`,
      `- compute time: ${s(meta.reused?.seconds ?? 0)} over ${plural(meta.reused?.points ?? 0, 'point')}, as recorded when they ran`,
    ];
  }
  if (!meta.reused?.points) return [`- wall time: ${s(meta.seconds)}`];
  return [`- wall time: ${s(meta.seconds)} this run (${plural(meta.ran ?? 0, 'point')} run); ${plural(meta.reused.points, 'point')} reused from earlier runs, which took ${s(meta.reused.seconds)} of compute then`];
}

/** The CSV file written beside plot file `svg` (same base name). */
export const csvFileOf = (svg: string): string => svg.replace(/\.svg$/i, '') + '.csv';

/**
 * Writes `<outDir>/<name>.md` (default `report.md`) and its SVG plots, each with a CSV of the
 * plotted numbers beside it (same base name); a report under another name prefixes its
 * plot files with `<name>-`, so it never overwrites a run's own files. Every file is
 * written atomically (files.ts). Returns the report's path.
 */
export function writeReport(r: ExperimentResult, outDir: string, meta: ReportMeta, options: { name?: string } = {}): string {
  const name = options.name ?? 'report';
  const prefix = name === 'report' ? '' : `${name}-`;
  try { mkdirSync(outDir, { recursive: true }); } catch (e) { throw new Error(`${outDir}: cannot create the folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`); }
  const plots = r.plots.map((p) => ({ ...p, file: prefix + p.file }));
  for (const p of plots) {
    writeFileAtomic(join(outDir, p.file), p.svg);
    if (p.csv !== undefined) writeFileAtomic(join(outDir, csvFileOf(p.file)), p.csv);
  }
  const md = [
    `# ${r.title}`,
    '',
    `- command: \`${meta.command}\``,
    `- backend: ${meta.backend}`,
    ...timeLines(meta),
    `- date: ${new Date().toISOString()}`,
    `- settings: \`${JSON.stringify(r.settings)}\``,
    '',
    '## Results',
    '',
    markdownTable(r.table),
    '',
    ...(r.notes.length ? ['## Notes', '', ...r.notes.map((n) => `- ${n}`), ''] : []),
    ...(plots.length ? ['## Plots', '', ...plots.flatMap((p) => [
      `### ${p.title}`, '', `![${p.title}](${p.file})`, '', ...(p.csv !== undefined ? [`The plotted numbers: [${csvFileOf(p.file)}](${csvFileOf(p.file)}).`, ''] : []),
    ])] : []),
  ].join('\n');
  const path = join(outDir, `${name}.md`);
  writeFileAtomic(path, md); // a report is either the old one or the new one, never half written
  return path;
}

/** Experiment results as Markdown reports with SVG plots. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './files.js';

/** A results table. */
export interface Table { headers: string[]; rows: (string | number)[][] }

/** What an experiment produces. */
export interface ExperimentResult {
  name: string;
  title: string;
  table: Table;
  plots: { file: string; title: string; svg: string }[];
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

/** Writes `<outDir>/report.md` and the SVG plots; returns the report's path. */
export function writeReport(r: ExperimentResult, outDir: string, meta: { backend: string; seconds: number; command: string }): string {
  mkdirSync(outDir, { recursive: true });
  for (const p of r.plots) writeFileSync(join(outDir, p.file), p.svg);
  const md = [
    `# ${r.title}`,
    '',
    `- command: \`${meta.command}\``,
    `- backend: ${meta.backend}`,
    `- wall time: ${meta.seconds.toFixed(1)} s`,
    `- date: ${new Date().toISOString()}`,
    `- settings: \`${JSON.stringify(r.settings)}\``,
    '',
    '## Results',
    '',
    markdownTable(r.table),
    '',
    ...(r.notes.length ? ['## Notes', '', ...r.notes.map((n) => `- ${n}`), ''] : []),
    ...(r.plots.length ? ['## Plots', '', ...r.plots.flatMap((p) => [`### ${p.title}`, '', `![${p.title}](${p.file})`, ''])] : []),
  ].join('\n');
  const path = join(outDir, 'report.md');
  writeFileAtomic(path, md); // a report is either the old one or the new one, never half written
  return path;
}

/**
 * Minimal, dependency-free SVG line plots for reports, made to publish: nice tick
 * values (1-2-5 steps; on a log axis decades, 1-2-5 or 1…9 per decade) whose labels
 * never repeat, an axis that covers the data's whole range from a labelled tick
 * below the lowest value to one above the highest, curves told apart by colour
 * and dash pattern and labelled at their ends, several panels on one shared axis
 * range, and the plotted numbers as CSV so the figure can be re-plotted.
 */

/** One line of a plot. */
export interface Series {
  /** The line's name in the legend. */
  name: string;
  /** The line's [x, y] points, in drawing order. */
  points: [number, number][];
}

/** Options of {@link linePlot}. */
export interface PlotOptions {
  /** The plot's heading. */
  title: string;
  /** The x axis's label. */
  xLabel: string;
  /** The y axis's label. */
  yLabel: string;
  /** The lines to draw. */
  series: Series[];
  /** Logarithmic y axis (positive values only). */
  logY?: boolean;
  /** Width of the SVG in px, margins included (default: a 430 px plot area plus the margins). */
  width?: number;
  /** Height of the SVG in px (default 400). */
  height?: number;
}

/** A panel of {@link panelPlot}: its title and its lines. */
export interface Panel { title: string; series: Series[] }

/** Options of {@link panelPlot}: panels side by side on one shared x and y range. */
export interface PanelPlotOptions extends Omit<PlotOptions, 'series' | 'width'> {
  panels: Panel[];
  /** Width of each panel's plotting area in pixels (default 400 with several panels, 430 with one). */
  panelWidth?: number;
}

/** An axis: the range it spans and its ticks, with their labels. */
export interface Axis { lo: number; hi: number; ticks: number[]; labels: string[] }

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
/** Dash patterns, cycled with a different period than the colours so every pair of the first 24 series differs. */
const DASHES = ['', '7 3', '2 2', '9 3 2 3', '4 4 1 4', '12 3'];
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Labels for tick values: the shortest precision (from `p0`) at which no two are equal and each reads back as its value (to 1e-6). */
function uniqueLabels(values: number[], format: (v: number, p: number) => string, p0: number): string[] {
  const scale = Math.max(...values.map(Math.abs));
  for (let p = Math.max(0, p0); p <= 20; p++) {
    const labels = values.map((v) => format(v, p));
    const faithful = labels.every((l, i) => Math.abs(Number(l) - values[i]!) <= 1e-6 * Math.max(Math.abs(values[i]!), 1e-6 * scale));
    if (faithful && new Set(labels).size === labels.length) return labels;
  }
  return values.map(String);
}

const tidy = (s: string) => s.replace('e+', 'e').replace(/^-(0(\.0*)?)$/, '$1');

/** `v` with `p` decimals, or in scientific notation when very large or small. */
function formatLinear(v: number, p: number, scientific: boolean): string {
  if (scientific && v !== 0) {
    const [m, e] = v.toExponential(Math.min(p, 20)).split('e');
    return tidy(`${String(Number(m))}e${e}`);
  }
  return tidy(v.toFixed(Math.min(p, 100)));
}

/** A 1-2-5 step near `span / target`. */
function niceStep(span: number, target: number): number {
  const raw = span / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const r = raw / mag;
  return (r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10) * mag;
}

/**
 * Ticks for a linear axis over data in [lo, hi]: about `target` steps of 1, 2 or 5 × 10^k,
 * from the last tick at or below `lo` to the first at or above `hi` (the axis's range).
 */
export function linearTicks(lo: number, hi: number, target = 5): Axis {
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) throw new Error(`linearTicks: the range [${lo}, ${hi}] is not finite`);
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) { const d = Math.abs(lo) * 0.1 || 1; lo -= d; hi += d; }
  if (!Number.isFinite(hi - lo)) throw new Error(`linearTicks: the range [${lo}, ${hi}] is wider than a float can hold`);
  const step = niceStep(hi - lo, target);
  const k0 = Math.floor(lo / step + 1e-9), k1 = Math.ceil(hi / step - 1e-9);
  const ticks = Array.from({ length: k1 - k0 + 1 }, (_, i) => Number(((k0 + i) * step).toPrecision(12)));
  const big = Math.max(...ticks.map(Math.abs));
  const scientific = big >= 1e6 || big < 1e-3;
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return { lo: ticks[0]!, hi: ticks[ticks.length - 1]!, ticks, labels: uniqueLabels(ticks, (v, p) => formatLinear(v, p, scientific), scientific ? 0 : decimals) };
}

/** A tick value on a log axis: plain decimals from 0.001 to 99,999, else `2e-5`. */
const formatLog = (v: number, p: number) => (v >= 1e-3 && v < 1e5 ? tidy(String(Number(v.toPrecision(p + 1)))) : formatLinear(v, p, true));

/**
 * Ticks for a logarithmic axis over data in [lo, hi] (both > 0): the sparsest of decades
 * (every one, or every k-th over many decades), 1-2-5 per decade, or 1…9 per decade that
 * gives at least four ticks, from the last tick at or below `lo` to the first at or above
 * `hi`. A range under a factor of about 3 gets linear 1-2-5 ticks instead (still placed on
 * the log scale), so a narrow range is labelled finely, never with repeated labels.
 */
export function logTicks(lo: number, hi: number, target = 5): Axis {
  if (!(lo > 0 && hi > 0 && Number.isFinite(lo) && Number.isFinite(hi))) throw new Error(`logTicks: the range [${lo}, ${hi}] is not positive and finite`);
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi / lo < 1 + 1e-9) { lo /= 1.25; hi *= 1.25; }
  const e0 = Math.floor(Math.log10(lo)) - 1, e1 = Math.ceil(Math.log10(hi)) + 1;
  const span = Math.log10(hi) - Math.log10(lo);
  // every k-th decade over many decades, k from 1, 2, 3, 5, 10, 20, …: at most target + 2 ticks
  const strides = [1, 2, 3, 5, ...Array.from({ length: 30 }, (_, i) => [1, 2, 5][i % 3]! * 10 ** (1 + Math.floor(i / 3)))];
  const stride = strides.find((k) => Math.ceil(span / k) + 1 <= target + 2) ?? strides[strides.length - 1]!;
  const sets: { mantissas: number[]; stride: number }[] = [
    { mantissas: [1], stride }, { mantissas: [1, 2, 5], stride: 1 }, { mantissas: [1, 2, 3, 4, 5, 6, 7, 8, 9], stride: 1 },
  ];
  const axes: Axis[] = [];
  for (const { mantissas, stride: s } of sets) {
    const candidates: number[] = [];
    for (let e = Math.floor(e0 / s) * s; e <= e1 + s; e += s) for (const m of mantissas) {
      const v = Number((m * 10 ** e).toPrecision(12));
      if (v > 0 && Number.isFinite(v)) candidates.push(v);
    }
    const below = candidates.filter((v) => v <= lo * (1 + 1e-9)), above = candidates.filter((v) => v >= hi * (1 - 1e-9));
    if (!below.length || !above.length) continue;
    const a = below[below.length - 1]!, b = above[0]!;
    const ticks = candidates.filter((v) => v >= a && v <= b);
    const axis = { lo: a, hi: b, ticks, labels: uniqueLabels(ticks, formatLog, 0) };
    axes.push(axis);
    // enough ticks, and the axis reaches past the data by at most half the data's span at either end
    if (ticks.length >= 4 && Math.log10(lo) - Math.log10(a) <= span / 2 + 1e-9 && Math.log10(b) - Math.log10(hi) <= span / 2 + 1e-9) return axis;
  }
  // a narrow range: linear 1-2-5 ticks, placed on the log scale
  const lin = linearTicks(lo, hi, target);
  if (lin.lo > 0 && Number.isFinite(lin.hi)) return lin;
  if (axes.length) return axes[axes.length - 1]!;
  // at the ends of the float range: the data's own ends and the decades between
  const inner = Array.from({ length: Math.max(0, Math.floor(Math.log10(hi)) - Math.ceil(Math.log10(lo)) + 1) }, (_, i) => 10 ** (Math.ceil(Math.log10(lo)) + i))
    .filter((v, i) => i % stride === 0 && v > lo && v < hi);
  const ticks = [lo, ...inner, hi];
  return { lo, hi, ticks, labels: uniqueLabels(ticks, formatLog, 0) };
}

const csvField = (v: string | number) => {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The points of a series that a plot draws (finite, and positive on a log axis). */
const plotted = (s: Series, logY: boolean) => s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!logY || y > 0));

/** Spreads label positions (sorted by wish) at least `gap` apart inside [top, bottom]. */
function spread(wish: number[], gap: number, top: number, bottom: number): number[] {
  const order = wish.map((y, i) => [y, i] as const).sort((a, b) => a[0] - b[0]);
  const pos = order.map(([y]) => y);
  for (let i = 1; i < pos.length; i++) pos[i] = Math.max(pos[i]!, pos[i - 1]! + gap);
  const over = pos.length ? pos[pos.length - 1]! - bottom : 0;
  if (over > 0) for (let i = pos.length - 1; i >= 0; i--) pos[i] = Math.min(pos[i]! - over, i < pos.length - 1 ? pos[i + 1]! - gap : Infinity);
  for (let i = 0; i < pos.length; i++) pos[i] = Math.max(pos[i]!, top + i * gap);
  const out = new Array<number>(wish.length);
  order.forEach(([, i], k) => { out[i] = pos[k]!; });
  return out;
}

const f1 = (v: number) => v.toFixed(1);

/**
 * Panels side by side on one shared x and y range, each line in its own colour and
 * dash pattern and labelled at its end; returns the SVG and a CSV of exactly the
 * plotted points (`panel,series,<x label>,<y label>`).
 */
export function panelPlot(o: PanelPlotOptions): { svg: string; csv: string } {
  const logY = Boolean(o.logY);
  const pts = o.panels.flatMap((p) => p.series.flatMap((s) => plotted(s, logY)));
  if (pts.length === 0) throw new Error('linePlot: no finite points to plot');
  const xs = pts.map((p) => p[0]), ys = pts.map((p) => p[1]);
  const xa = linearTicks(Math.min(...xs), Math.max(...xs));
  const ya = logY ? logTicks(Math.min(...ys), Math.max(...ys)) : linearTicks(Math.min(...ys), Math.max(...ys));
  const n = o.panels.length;
  const PW = o.panelWidth ?? (n > 1 ? 400 : 430), H = o.height ?? 400;
  const labelW = 100; // room for the line-end labels right of each panel
  const m = { l: 70, t: 58, b: 50 }; // each panel has its own left margin for its tick labels
  const W = n * (m.l + PW + labelW) + 10;
  const fy = (y: number) => (logY ? Math.log10(y) : y);
  const [fy0, fy1] = [fy(ya.lo), fy(ya.hi)];
  const sy = (y: number) => H - m.b - ((fy(y) - fy0) / (fy1 - fy0)) * (H - m.t - m.b);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(o.title)}</text>`,
    `<text transform="translate(16 ${(H - m.b + m.t) / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}${logY ? ' (log scale)' : ''}</text>`,
  ];
  const csv = [['panel', 'series', o.xLabel, o.yLabel].map(csvField).join(',')];
  let index = 0;
  o.panels.forEach((panel, k) => {
    const left = m.l + k * (m.l + PW + labelW), right = left + PW;
    const sx = (x: number) => left + ((x - xa.lo) / (xa.hi - xa.lo)) * PW;
    if (panel.title) out.push(`<text class="panel-title" x="${(left + right) / 2}" y="${m.t - 12}" text-anchor="middle" font-size="13" font-weight="bold">${esc(panel.title)}</text>`);
    ya.ticks.forEach((t, i) => {
      const py = f1(sy(t));
      out.push(`<line x1="${left}" y1="${py}" x2="${right}" y2="${py}" stroke="#e4e4e4"/>`);
      out.push(`<line x1="${left - 5}" y1="${py}" x2="${left}" y2="${py}" stroke="black"/><text class="ytick" x="${left - 8}" y="${f1(sy(t) + 4)}" text-anchor="end">${esc(ya.labels[i]!)}</text>`);
    });
    xa.ticks.forEach((t, i) => {
      const px = f1(sx(t));
      out.push(`<line x1="${px}" y1="${H - m.b}" x2="${px}" y2="${H - m.b + 5}" stroke="black"/><text class="xtick" x="${px}" y="${H - m.b + 18}" text-anchor="middle">${esc(xa.labels[i]!)}</text>`);
    });
    out.push(`<rect x="${left}" y="${m.t}" width="${PW}" height="${H - m.t - m.b}" fill="none" stroke="black"/>`);
    out.push(`<text x="${(left + right) / 2}" y="${H - 12}" text-anchor="middle">${esc(o.xLabel)}</text>`);
    const ends: { y: number; name: string; color: string; dash: string }[] = [];
    for (const s of panel.series) {
      const color = COLORS[index % COLORS.length]!, dash = DASHES[index % DASHES.length]!;
      index++;
      const p = plotted(s, logY);
      for (const [x, y] of p) csv.push([panel.title, s.name, x, y].map(csvField).join(','));
      if (!p.length) continue;
      const d = p.map(([x, y], j) => `${j ? 'L' : 'M'}${f1(sx(x))},${f1(sy(y))}`).join(' ');
      out.push(`<path class="series" d="${d}" fill="none" stroke="${color}" stroke-width="1.8"${dash ? ` stroke-dasharray="${dash}"` : ''}><title>${esc(s.name)}</title></path>`);
      ends.push({ y: sy(p[p.length - 1]![1]), name: s.name, color, dash });
    }
    const at = spread(ends.map((e) => e.y), 13, m.t + 4, H - m.b);
    ends.forEach((e, i) => {
      const y = at[i]!;
      out.push(`<line x1="${right + 4}" y1="${f1(y)}" x2="${right + 22}" y2="${f1(y)}" stroke="${e.color}" stroke-width="1.8"${e.dash ? ` stroke-dasharray="${e.dash}"` : ''}/>`
        + `<text class="end-label" x="${right + 26}" y="${f1(y + 4)}" fill="${e.color}">${esc(e.name)}</text>`);
    });
  });
  out.push('</svg>');
  return { svg: out.join('\n'), csv: csv.join('\n') + '\n' };
}

/** Renders series as an SVG line chart with nice ticks, each line in its own colour and dash pattern and labelled at its end. */
export function linePlot(o: PlotOptions): string {
  return panelPlot({ title: o.title, xLabel: o.xLabel, yLabel: o.yLabel, logY: o.logY, height: o.height, panelWidth: o.width ? Math.max(100, o.width - 176) : undefined, panels: [{ title: '', series: o.series }] }).svg;
}

/** Minimal, dependency-free SVG line plots for reports. */

/** One line of a plot. */
export interface Series { name: string; points: [number, number][] }

/** Options of {@link linePlot}. */
export interface PlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Logarithmic y axis (positive values only). */
  logY?: boolean;
  width?: number;
  height?: number;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function ticks(lo: number, hi: number, n = 5): number[] {
  if (hi <= lo) return [lo];
  const step = 10 ** Math.floor(Math.log10((hi - lo) / n));
  const err = (hi - lo) / n / step;
  const s = step * (err >= 7.5 ? 10 : err >= 3.5 ? 5 : err >= 1.5 ? 2 : 1);
  const out: number[] = [];
  for (let t = Math.ceil(lo / s) * s; t <= hi + 1e-12 * s; t += s) out.push(Number(t.toPrecision(12)));
  return out;
}

/** Renders series as an SVG line chart with axes, ticks and a legend. */
export function linePlot(o: PlotOptions): string {
  const W = o.width ?? 640, H = o.height ?? 400;
  const m = { l: 70, r: 160, t: 40, b: 50 };
  const pts = o.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!o.logY || y > 0));
  if (pts.length === 0) throw new Error('linePlot: no finite points to plot');
  const fy = (y: number) => (o.logY ? Math.log10(y) : y);
  let [x0, x1] = [Math.min(...pts.map((p) => p[0])), Math.max(...pts.map((p) => p[0]))];
  let [y0, y1] = [Math.min(...pts.map((p) => fy(p[1]))), Math.max(...pts.map((p) => fy(p[1])))];
  if (x1 === x0) { x0 -= 1; x1 += 1; }
  if (y1 === y0) { y0 -= 1; y1 += 1; }
  const pad = (y1 - y0) * 0.05;
  y0 -= pad; y1 += pad;
  const sx = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const sy = (y: number) => H - m.b - ((fy(y) - y0) / (y1 - y0)) * (H - m.t - m.b);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${(W - m.r + m.l) / 2}" y="22" text-anchor="middle" font-size="15">${esc(o.title)}</text>`,
    `<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="black"/>`,
    `<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${H - m.b}" stroke="black"/>`,
  ];
  for (const t of ticks(x0, x1)) {
    out.push(`<line x1="${sx(t)}" y1="${H - m.b}" x2="${sx(t)}" y2="${H - m.b + 5}" stroke="black"/><text x="${sx(t)}" y="${H - m.b + 18}" text-anchor="middle">${t}</text>`);
  }
  for (const t of ticks(y0, y1)) {
    const y = o.logY ? 10 ** t : t;
    const label = o.logY ? y.toPrecision(2) : String(t);
    const py = H - m.b - ((t - y0) / (y1 - y0)) * (H - m.t - m.b);
    out.push(`<line x1="${m.l - 5}" y1="${py}" x2="${W - m.r}" y2="${py}" stroke="#ddd"/><text x="${m.l - 8}" y="${py + 4}" text-anchor="end">${label}</text>`);
  }
  out.push(`<text x="${(W - m.r + m.l) / 2}" y="${H - 12}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${(H - m.b + m.t) / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}${o.logY ? ' (log)' : ''}</text>`);
  o.series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length];
    const path = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!o.logY || y > 0))
      .map(([x, y], k) => `${k ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
    out.push(`<path d="${path}" fill="none" stroke="${c}" stroke-width="2"/>`);
    out.push(`<line x1="${W - m.r + 12}" y1="${m.t + 18 * i + 6}" x2="${W - m.r + 32}" y2="${m.t + 18 * i + 6}" stroke="${c}" stroke-width="2"/><text x="${W - m.r + 38}" y="${m.t + 18 * i + 10}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

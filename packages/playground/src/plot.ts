/**
 * The page's drawings on 2-D canvases: line charts with labelled axes and 1-2-5 ticks
 * (linear or log), the decision boundary / regression surface with the data points over
 * it, and heat maps of every layer's weights with the exact zeros marked.
 */
import type { LayerView } from './session.js';

/** TensorFlow Playground's class colours: class 0 orange, class 1 blue. */
export const CLASS0 = [245, 147, 34] as const;
export const CLASS1 = [8, 119, 189] as const;
const rgb = (c: readonly number[]) => `rgb(${c[0]},${c[1]},${c[2]})`;

/** Linear ticks on a 1-2-5 step covering [lo, hi], about `n` of them. */
export function linearTicks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n, p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

/** Log ticks on [lo, hi] (both > 0): decades when the range is wide, else 1-2-5 × 10^k, else linear ones. */
export function logTicks(lo: number, hi: number): number[] {
  const d0 = Math.floor(Math.log10(lo)), d1 = Math.ceil(Math.log10(hi));
  const inRange = (v: number) => v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9);
  if (d1 - d0 > 3) {
    const every = Math.ceil((d1 - d0) / 5);
    const out: number[] = [];
    for (let d = d0; d <= d1; d++) if (d % every === 0 && inRange(10 ** d)) out.push(Number(`1e${d}`));
    if (out.length >= 2) return out;
  }
  for (const mantissas of [[1], [1, 2, 5], [1, 1.5, 2, 3, 5, 7]]) {
    const out: number[] = [];
    for (let d = d0; d <= d1; d++) for (const m of mantissas) if (inRange(m * 10 ** d)) out.push(Number((m * 10 ** d).toPrecision(3)));
    if (out.length >= 3 || (mantissas.length > 3 && out.length >= 2)) return out;
  }
  return linearTicks(lo, hi, 4).filter((v) => v > 0);
}

/** Labels for tick values: the fewest significant digits that keep every label distinct. */
export function tickLabels(ticks: number[]): string[] {
  for (let p = 1; p <= 6; p++) {
    const labels = ticks.map((v) => (v === 0 ? '0' : Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3 ? v.toExponential(Math.max(0, p - 1)) : String(Number(v.toPrecision(p)))));
    if (new Set(labels).size === labels.length) return labels;
  }
  return ticks.map((v) => String(v));
}

/** One curve of a chart. */
export interface Series { points: ArrayLike<readonly [number, number]>; color: string; dash?: number[]; label: string }
/** A horizontal reference line. */
export interface RefLine { y: number; color: string; label: string }
/** Axes of a chart. */
export interface ChartOptions { xLabel: string; yLabel: string; logY?: boolean; yRange?: [number, number]; xMax?: number; refs?: RefLine[] }

/** A line chart with labelled axes, tick numbers, a legend and reference lines. */
export function lineChart(canvas: HTMLCanvasElement, series: Series[], o: ChartOptions): void {
  const g = canvas.getContext('2d')!;
  const W = canvas.width, H = canvas.height, L = 46, R = 8, T = 16, B = 30;
  g.clearRect(0, 0, W, H);
  g.font = '10px system-ui, sans-serif';
  const ys: number[] = [];
  let xMax = o.xMax ?? 1;
  for (const s of series) for (let i = 0; i < s.points.length; i++) {
    const [x, y] = s.points[i]!;
    if (Number.isFinite(y) && (!o.logY || y > 0)) ys.push(y);
    xMax = Math.max(xMax, x);
  }
  for (const r of o.refs ?? []) if (Number.isFinite(r.y) && (!o.logY || r.y > 0)) ys.push(r.y);
  let [lo, hi] = o.yRange ?? (ys.length ? [Math.min(...ys), Math.max(...ys)] : [o.logY ? 0.1 : 0, 1]);
  if (o.logY) { if (!(hi > lo * 1.05)) { lo /= 1.5; hi *= 1.5; } lo /= 1.08; hi *= 1.08; }
  else if (!o.yRange) { const pad = (hi - lo) * 0.06 || Math.abs(hi) * 0.1 || 1; lo -= pad; hi += pad; }
  const f = (v: number) => (o.logY ? Math.log10(v) : v);
  const px = (x: number) => L + (x / xMax) * (W - L - R);
  const py = (y: number) => T + (1 - (f(y) - f(lo)) / (f(hi) - f(lo))) * (H - T - B);
  // axes, grid, ticks
  g.strokeStyle = '#e5e7eb';
  g.fillStyle = '#374151';
  g.lineWidth = 1;
  const yt = o.logY ? logTicks(lo, hi) : linearTicks(lo, hi, 4);
  tickLabels(yt).forEach((label, i) => {
    const y = Math.round(py(yt[i]!)) + 0.5;
    g.beginPath(); g.moveTo(L, y); g.lineTo(W - R, y); g.stroke();
    g.textAlign = 'right'; g.textBaseline = 'middle'; g.fillText(label, L - 4, y);
  });
  const xt = linearTicks(0, xMax, 5);
  tickLabels(xt).forEach((label, i) => {
    const x = Math.round(px(xt[i]!)) + 0.5;
    g.beginPath(); g.moveTo(x, T); g.lineTo(x, H - B); g.stroke();
    const half = g.measureText(label).width / 2; // kept inside the canvas
    g.textAlign = 'center'; g.textBaseline = 'top'; g.fillText(label, Math.min(x, W - half - 1), H - B + 3);
  });
  g.strokeStyle = '#6b7280';
  g.strokeRect(L + 0.5, T + 0.5, W - L - R - 1, H - T - B - 1);
  g.textAlign = 'center'; g.textBaseline = 'bottom';
  g.fillText(o.xLabel, L + (W - L - R) / 2, H - 1);
  g.save(); g.translate(10, T + (H - T - B) / 2); g.rotate(-Math.PI / 2); g.textBaseline = 'middle'; g.fillText(o.yLabel, 0, 0); g.restore();
  // curves and reference lines, clipped to the plot
  g.save();
  g.beginPath(); g.rect(L, T, W - L - R, H - T - B); g.clip();
  for (const r of o.refs ?? []) {
    if (!(Number.isFinite(r.y) && (!o.logY || r.y > 0))) continue;
    g.strokeStyle = r.color; g.setLineDash([2, 3]);
    g.beginPath(); g.moveTo(L, py(r.y)); g.lineTo(W - R, py(r.y)); g.stroke();
    const below = py(r.y) < T + 12; // near the top: the label goes under the line
    g.setLineDash([]); g.fillStyle = r.color; g.textAlign = 'right'; g.textBaseline = below ? 'top' : 'bottom';
    g.fillText(r.label, W - R - 3, py(r.y) + (below ? 2 : -1));
  }
  g.lineWidth = 1.5;
  for (const s of series) {
    g.strokeStyle = s.color; g.setLineDash(s.dash ?? []);
    g.beginPath();
    let on = false;
    for (let i = 0; i < s.points.length; i++) {
      const [x, y] = s.points[i]!;
      if (!Number.isFinite(y) || (o.logY && y <= 0)) { on = false; continue; }
      if (on) g.lineTo(px(x), py(y)); else g.moveTo(px(x), py(y));
      on = true;
    }
    g.stroke();
  }
  g.restore();
  g.setLineDash([]);
  // legend, top left above the plot
  let lx = L;
  g.textAlign = 'left'; g.textBaseline = 'middle'; g.lineWidth = 1.5;
  for (const s of series) {
    g.strokeStyle = s.color; g.setLineDash(s.dash ?? []);
    g.beginPath(); g.moveTo(lx, T / 2); g.lineTo(lx + 16, T / 2); g.stroke();
    g.setLineDash([]); g.fillStyle = '#374151'; g.fillText(s.label, lx + 20, T / 2);
    lx += 28 + g.measureText(s.label).width;
  }
}

/** The 2-D view: the square [x0, x1] × [y0, y1], the grid's size, and the points with their targets. */
export interface View {
  box: [number, number, number, number];
  size: number;
  train: { x: ArrayLike<number>; y: ArrayLike<number> };
  test: { x: ArrayLike<number>; y: ArrayLike<number> };
}

const mix = (a: readonly number[], b: readonly number[], t: number) => a.map((v, i) => Math.round(v + (b[i]! - v) * t));
/** t ∈ [−1, 1] → orange (−1) … white (0) … blue (+1), faded for the background. */
const diverging = (t: number, fade: number) => mix([255, 255, 255], t < 0 ? CLASS0 : CLASS1, Math.min(1, Math.abs(t)) * fade);

/**
 * The net's output over the view (a logit's probability for binary tasks, the prediction
 * for regression, coloured from orange to blue), the p = ½ boundary (or the 0 level) in
 * dark grey, and the points: training points filled discs, test points squares with a
 * dark outline.
 */
export function boundary(canvas: HTMLCanvasElement, view: View, out: ArrayLike<number>, task: string): void {
  const g = canvas.getContext('2d')!;
  const W = canvas.width, H = canvas.height, n = view.size;
  let scale = 1;
  if (task === 'regression') { for (let i = 0; i < view.train.y.length; i++) scale = Math.max(scale, Math.abs(view.train.y[i]!)); }
  const value = (i: number) => (task === 'regression' ? out[i]! / scale : 2 / (1 + Math.exp(-out[i]!)) - 1); // in [−1, 1]
  const img = new ImageData(n, n);
  for (let i = 0; i < n * n; i++) {
    const c = diverging(value(i), 0.75);
    img.data.set([c[0]!, c[1]!, c[2]!, 255], 4 * i);
  }
  const off = new OffscreenCanvas(n, n);
  off.getContext('2d')!.putImageData(img, 0, 0);
  g.imageSmoothingEnabled = true;
  g.drawImage(off, 0, 0, W, H);
  // the level set out = 0 (p = ½), by marching squares between the grid's points (cell centres)
  g.strokeStyle = 'rgba(31,41,55,0.85)'; g.lineWidth = 1.5;
  g.beginPath();
  const cw = W / n, ch = H / n, v = (r: number, c: number) => out[r * n + c]!;
  for (let r = 0; r + 1 < n; r++) for (let c = 0; c + 1 < n; c++) {
    // corners clockwise from the top left, and where the sign changes on each edge
    const k: [number, number, number][] = [[r, c, v(r, c)], [r, c + 1, v(r, c + 1)], [r + 1, c + 1, v(r + 1, c + 1)], [r + 1, c, v(r + 1, c)]];
    const cross: [number, number][] = [];
    for (let e = 0; e < 4; e++) {
      const [ra, ca, a] = k[e]!, [rb, cb, b] = k[(e + 1) % 4]!;
      if ((a > 0) === (b > 0)) continue;
      const t = a / (a - b);
      cross.push([(ca + t * (cb - ca) + 0.5) * cw, (ra + t * (rb - ra) + 0.5) * ch]);
    }
    for (let j = 0; j + 1 < cross.length; j += 2) { g.moveTo(...cross[j]!); g.lineTo(...cross[j + 1]!); }
  }
  g.stroke();
  const [x0, x1, y0, y1] = view.box;
  const at = (x: ArrayLike<number>, i: number): [number, number] => [((x[2 * i]! - x0) / (x1 - x0)) * W, ((y1 - x[2 * i + 1]!) / (y1 - y0)) * H];
  const colour = (y: number) => rgb(task === 'regression' ? diverging(y / scale, 1) : y > 0.5 ? CLASS1 : CLASS0);
  g.lineWidth = 1;
  for (let i = 0; i < view.train.y.length; i++) {
    const [px, py] = at(view.train.x, i);
    g.fillStyle = colour(view.train.y[i]!); g.strokeStyle = '#fff';
    g.beginPath(); g.arc(px, py, 3.2, 0, 2 * Math.PI); g.fill(); g.stroke();
  }
  for (let i = 0; i < view.test.y.length; i++) {
    const [px, py] = at(view.test.x, i);
    g.fillStyle = colour(view.test.y[i]!); g.strokeStyle = '#111';
    g.fillRect(px - 3, py - 3, 6, 6); g.strokeRect(px - 3, py - 3, 6, 6);
  }
}

/** A note in the middle of a canvas (where there is nothing to draw). */
export function note(canvas: HTMLCanvasElement, text: string[]): void {
  const g = canvas.getContext('2d')!;
  g.clearRect(0, 0, canvas.width, canvas.height);
  g.fillStyle = '#6b7280'; g.font = '12px system-ui, sans-serif'; g.textAlign = 'center'; g.textBaseline = 'middle';
  text.forEach((t, i) => g.fillText(t, canvas.width / 2, canvas.height / 2 + (i - (text.length - 1) / 2) * 16));
}

/** The colour of an exact zero in the heat maps. */
export const ZERO = [220, 38, 38] as const;

/**
 * Every layer's used weights side by side, left to right (rows: inputs, columns: units),
 * |w| as grey levels scaled per layer (darker is larger), exact zeros in red, each block
 * labelled with its shape and count of exact zeros.
 */
export function heatMaps(canvas: HTMLCanvasElement, layers: LayerView[]): void {
  const g = canvas.getContext('2d')!;
  const W = canvas.width, H = canvas.height, gap = 10, label = 26;
  g.clearRect(0, 0, W, H);
  const cols = layers.reduce((s, l) => s + l.cols, 0), rows = Math.max(...layers.map((l) => l.rows));
  const cell = Math.min((W - gap * (layers.length - 1)) / cols, (H - label) / rows);
  let x = 0;
  const taken: [number, number, number][] = [];
  g.font = '10px system-ui, sans-serif'; g.textBaseline = 'top'; g.textAlign = 'left';
  layers.forEach((l, k) => {
    let max = 0;
    for (let i = 0; i < l.w.length; i++) max = Math.max(max, Math.abs(l.w[i]!));
    for (let r = 0; r < l.rows; r++) for (let c = 0; c < l.cols; c++) {
      const v = l.w[r * l.cols + c]!;
      const level = Math.round(255 * (1 - Math.abs(v) / (max || 1)));
      g.fillStyle = v === 0 ? rgb(ZERO) : `rgb(${level},${level},${level})`;
      g.fillRect(x + c * cell, r * cell, Math.max(1, cell), Math.max(1, cell));
    }
    g.strokeStyle = '#9ca3af'; g.lineWidth = 1;
    g.strokeRect(x + 0.5, 0.5, l.cols * cell, l.rows * cell);
    g.fillStyle = l.zeros ? rgb(ZERO) : '#374151';
    const text = `W${k + 1} ${l.rows}×${l.cols}: ${l.zeros} zero`;
    const tw = g.measureText(text).width, tx = Math.max(0, Math.min(x, W - tw));
    let ty = l.rows * cell + 2;
    while (taken.some(([a, b, y]) => y === ty && tx < b + 6 && a < tx + tw)) ty += 12; // below a label it would overlap
    taken.push([tx, tx + tw, ty]);
    g.fillText(text, tx, ty);
    x += l.cols * cell + gap;
  });
}

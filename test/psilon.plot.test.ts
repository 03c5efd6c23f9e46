/**
 * Plots to publish (issue 22): nice ticks that never repeat a label and cover the
 * data, curves told apart, Figure 1's panels in one picture on one y range, and the
 * plotted numbers beside each SVG as CSV.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { linePlot } from 'psilon';
import { linearTicks, logTicks, panelPlot, type Axis } from '../packages/psilon/src/experiments/plot.js';
import { rng } from './helpers/random.js';

/** Every property a published axis needs, for data in [lo, hi]. */
function expectGoodAxis(a: Axis, lo: number, hi: number, what: string): void {
  expect(new Set(a.labels).size, `${what}: repeated labels ${a.labels.join(' ')}`).toBe(a.labels.length);
  expect(a.ticks.length, `${what}: ${a.labels.join(' ')}`).toBeGreaterThanOrEqual(2);
  expect(a.ticks.length, `${what}: ${a.labels.join(' ')}`).toBeLessThanOrEqual(12);
  expect(a.ticks[0], `${what}: the lowest tick is at or below the lowest data`).toBeLessThanOrEqual(lo);
  expect(a.ticks[a.ticks.length - 1], `${what}: the highest tick is at or above the highest data`).toBeGreaterThanOrEqual(hi);
  expect([a.lo, a.hi]).toEqual([a.ticks[0], a.ticks[a.ticks.length - 1]]);
  for (let i = 1; i < a.ticks.length; i++) expect(a.ticks[i]!).toBeGreaterThan(a.ticks[i - 1]!);
  a.labels.forEach((l, i) => expect(Math.abs(Number(l) - a.ticks[i]!), `${what}: label ${l} for ${a.ticks[i]}`).toBeLessThanOrEqual(1e-6 * Math.abs(a.ticks[i]!) + 1e-300));
}

const SCALES = [1e-12, 1e-6, 1e-3, 0.01, 0.1, 1, 3.7, 10, 100, 1e4, 1e6, 1e12];

describe('ticks', () => {
  it('log axes: 1-2-5 or decades, never 0.40, 0.63, 1.0, 1.6, 2.5', () => {
    expect(logTicks(0.4, 2.5).labels).toEqual(['0.2', '0.5', '1', '2', '5']);
    expect(logTicks(1e-5, 0.3).labels).toEqual(['1e-5', '1e-4', '0.001', '0.01', '0.1', '1']);
    expect(logTicks(3.1, 5.7).labels).toEqual(['3', '4', '5', '6']);
  });

  it('a narrow log range (figure1 --quick: 5.56 to 5.70) gets distinct labels, not 5.7, 5.7, 5.6, 5.6', () => {
    const a = logTicks(5.5608, 5.6953);
    expectGoodAxis(a, 5.5608, 5.6953, 'narrow');
    expect(a.labels).toEqual(['5.56', '5.58', '5.60', '5.62', '5.64', '5.66', '5.68', '5.70']);
  });

  it('no repeated label, the whole range covered, over many random ranges (linear and log)', () => {
    const rand = rng(22);
    for (let i = 0; i < 1200; i++) {
      const scale = SCALES[i % SCALES.length]!;
      const a = (rand() - 0.5) * 10 * scale, width = scale * 10 ** (rand() * 6 - 4);
      expectGoodAxis(linearTicks(a, a + width), a, a + width, `linear [${a}, ${a + width}]`);
      const lo = scale * 10 ** (rand() * 4 - 2), hi = lo * 10 ** (rand() ** 2 * 8);
      expectGoodAxis(logTicks(lo, hi), lo, hi, `log [${lo}, ${hi}]`);
    }
  });

  it('degenerate ranges: a single value, reversed bounds; log needs positive values', () => {
    for (const v of [0, 1, -3, 5.6, 1e-9]) expectGoodAxis(linearTicks(v, v), v, v, `linear ${v}`);
    for (const v of [1, 5.6, 1e-9, 1e9]) expectGoodAxis(logTicks(v, v), v, v, `log ${v}`);
    expectGoodAxis(linearTicks(3, -2), -2, 3, 'reversed');
    expect(() => logTicks(0, 1)).toThrow(/not positive/);
  });
});

/** The attributes and text of every element of `cls` in an SVG. */
const elements = (svg: string, cls: string) => [...svg.matchAll(new RegExp(`<(\\w+) class="${cls}"([^>]*)>([^<]*)`, 'g'))].map((m) => ({ attrs: m[2]!, text: m[3]! }));

describe('curves', () => {
  it('identical curves stay distinguishable: their own colour and dash, both labelled at the line end, labels apart', () => {
    const pts: [number, number][] = [[0, 1], [1, 2], [2, 3]];
    const svg = linePlot({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 'λ = 1', points: pts }, { name: 'λ = 2', points: pts }, { name: 'λ = 3', points: pts }] });
    const paths = elements(svg, 'series');
    expect(paths).toHaveLength(3);
    const style = (a: string) => `${/stroke="([^"]+)"/.exec(a)![1]} ${/stroke-dasharray="([^"]+)"/.exec(a)?.[1] ?? 'solid'}`;
    expect(new Set(paths.map((p) => style(p.attrs))).size).toBe(3);
    expect(new Set(paths.map((p) => /stroke-dasharray="([^"]+)"/.exec(p.attrs)?.[1] ?? 'solid')).size).toBe(3);
    const labels = elements(svg, 'end-label');
    expect(labels.map((l) => l.text)).toEqual(['λ = 1', 'λ = 2', 'λ = 3']);
    const ys = labels.map((l) => Number(/ y="([\d.]+)"/.exec(l.attrs)![1])).sort((a, b) => a - b);
    for (let i = 1; i < ys.length; i++) expect(ys[i]! - ys[i - 1]!).toBeGreaterThanOrEqual(12);
  });

  it('the CSV holds exactly the plotted points (non-finite and, on a log axis, non-positive ones are not drawn)', () => {
    const { svg, csv } = panelPlot({
      title: 't', xLabel: 'step', yLabel: 'loss, val', logY: true,
      panels: [{ title: 'A', series: [{ name: 'a', points: [[1, 2], [2, NaN], [3, 0], [4, 1.5]] }] }, { title: 'B "b"', series: [{ name: 'b', points: [[1, 3]] }] }],
    });
    expect(csv).toBe('panel,series,step,"loss, val"\nA,a,1,2\nA,a,4,1.5\n"B ""b""",b,1,3\n');
    expect(elements(svg, 'series').map((p) => (/d="([^"]+)"/.exec(p.attrs)![1]!.match(/[ML]/g) ?? []).length)).toEqual([2, 1]);
  });
});

describe('figure1 --quick: one picture, one y range, numbers beside it', () => {
  it('writes figure1.svg with both panels on shared ticks, no repeated label, and figure1.csv of the plotted curves', async () => {
    const out = mkdtempSync(join(tmpdir(), 'psilon-plot-'));
    const r = await runCli(['experiment', 'figure1', '--quick', '--backend', 'wasm', '--out', out]);
    expect(r.code, r.err).toBe(0);
    const dir = join(out, readdirSync(out)[0]!);
    const files = readdirSync(dir);
    expect(files.filter((f) => f.endsWith('.svg'))).toEqual(['figure1.svg']);
    expect(files).toContain('figure1.csv');
    const svg = readFileSync(join(dir, 'figure1.svg'), 'utf8');
    expect(elements(svg, 'panel-title').map((t) => t.text)).toEqual(['PSiLON Net', 'Standard Net']);
    const yt = elements(svg, 'ytick').map((t) => t.text);
    const perPanel = yt.length / 2;
    expect(yt.slice(0, perPanel)).toEqual(yt.slice(perPanel)); // one shared y range
    expect(new Set(yt.slice(0, perPanel)).size).toBe(perPanel);
    const xt = elements(svg, 'xtick').map((t) => t.text);
    expect(new Set(xt.slice(0, xt.length / 2)).size).toBe(xt.length / 2);
    // the CSV is the point files' curves, point for point, and the SVG draws as many vertices
    const csv = readFileSync(join(dir, 'figure1.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('panel,series,step,validation loss');
    const rows = csv.slice(1).map((l) => l.split(','));
    const report = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(report).toContain('(figure1.csv)');
    const points = readdirSync(join(dir, 'points')).map((f) => JSON.parse(readFileSync(join(dir, 'points', f), 'utf8')).result);
    const expected = ['psilon-net', 'standard-net'].flatMap((m) => points.filter((p) => p.model === m).sort((a, b) => a.lambda - b.lambda)
      .flatMap((p) => p.curve.map(([, step, v]: number[]) => [m === 'psilon-net' ? 'PSiLON Net' : 'Standard Net', `λ = ${p.lambda}`, String(step), String(v)])));
    expect(rows).toEqual(expected);
    const vertices = elements(svg, 'series').map((p) => (/d="([^"]+)"/.exec(p.attrs)![1]!.match(/[ML]/g) ?? []).length);
    expect(vertices).toEqual(points.map((p) => p.curve.length));
    // the lowest and highest plotted values lie within the labelled ticks
    const ys = rows.map((r) => Number(r[3]));
    expect(Number(yt[0])).toBeLessThanOrEqual(Math.min(...ys));
    expect(Number(yt[perPanel - 1])).toBeGreaterThanOrEqual(Math.max(...ys));
  });
});

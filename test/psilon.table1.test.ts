/**
 * The Table 1 experiment and its bundled datasets: the datasets' shapes and values as
 * scikit-learn ships them, each column of the table against a direct fit of its model,
 * and `psilon experiment table1` run, resumed and sharded from the command line.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  fitForest, forestScore, GRIDS, loadBreastCancer, loadDiabetes, loadWine, prepareTabular, ridgeRMSE, runExperiment, runFolder, selectRidge,
  loadBoston, type Dataset,
} from 'psilon';
import { runCli } from './helpers/cli.js';

const counts = (d: Dataset) => { const c = new Array<number>(d.outputs === 1 ? 2 : d.outputs).fill(0); for (const v of d.y) c[v]!++; return c; };

describe('bundled datasets from scikit-learn', () => {
  it('diabetes, breast cancer and wine: shapes, tasks, first rows and class counts as scikit-learn has them', () => {
    const dia = loadDiabetes(), bc = loadBreastCancer(), wine = loadWine();
    expect([dia.n, dia.d, dia.task, dia.outputs]).toEqual([442, 10, 'regression', 1]);
    expect(Array.from(dia.x.subarray(0, 10))).toEqual([59, 2, 32.1, 101, 157, 93.2, 38, 4, 4.8598, 87]);
    expect([dia.y[0], dia.y[441]]).toEqual([151, 57]);
    expect(dia.features).toEqual(['age', 'sex', 'bmi', 'bp', 's1', 's2', 's3', 's4', 's5', 's6']);
    expect([bc.n, bc.d, bc.task, bc.classes]).toEqual([569, 30, 'binary', ['malignant', 'benign']]);
    expect(counts(bc)).toEqual([212, 357]);
    expect(bc.x[0]).toBe(17.99);
    expect([wine.n, wine.d, wine.task, wine.outputs]).toEqual([178, 13, 'multiclass', 3]);
    expect(counts(wine)).toEqual([59, 71, 48]);
    expect(wine.x[12]).toBe(1065);
  });

  it('the built loader finds the CSV files the package ships in src/', async () => {
    const built = await import('../packages/psilon/dist/data/datasets/load.js') as { loadWine: () => Dataset };
    expect(built.loadWine().n).toBe(178);
  });
});

describe('table1 experiment', () => {
  it('each column is its model tuned on validation: the linear and forest columns match direct fits', async () => {
    const { result } = await runExperiment('table1', { size: 'quick', datasets: ['boston'] });
    const row = result!.table.rows[0]!;
    const col = (h: string) => row[result!.table.headers.indexOf(h)];
    const d = prepareTabular(loadBoston(), 0);
    expect(col('linear')).toBe(ridgeRMSE(selectRidge(d.train, d.validation, [1e-2, 1]), d.test));
    const forests = [4, 16].map((m) => fitForest(d.train, { nEstimators: 20, minSamplesLeaf: m, seed: 0 }));
    const val = forests.map((f) => forestScore(f, d.validation).loss);
    const chosen = val.indexOf(Math.min(...val));
    expect(col('leaf size (forest)')).toBe([4, 16][chosen]);
    expect(col('random forest')).toBe(forestScore(forests[chosen]!, d.test).metric);
    for (const h of ['Standard Net', 'PSiLON Net', 'near-sparsity (PSiLON)']) expect(Number.isFinite(col(h))).toBe(true);
  });

  it('the leaf-size grid is the paper\'s, kept below half the training rows (iris: 75 training rows)', () => {
    const leaves = GRIDS.table1.points({ size: 'default', datasets: ['iris'] }).filter((p) => p.model === 'forest').map((p) => p.value);
    expect(leaves).toEqual([4, 8, 12, 16, 20, 30]);
    expect(GRIDS.table1.points({ size: 'full', datasets: ['boston'] }).filter((p) => p.model === 'forest').map((p) => p.value))
      .toEqual([4, 8, 12, 16, 20, 30, 40, 50, 75, 100]);
  });

  it('a manifest suite runs the files it names (paths relative to it); a bad manifest is refused with one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'psilon-suite-'));
    const rng = (i: number) => Math.sin(i * 12.9898) * 43758.5453 % 1;
    const rows = Array.from({ length: 60 }, (_, i) => [rng(i), rng(i + 100), rng(i + 200)]);
    writeFileSync(join(dir, 'reg.csv'), ['a,b,c,y', ...rows.map((r) => [...r, r[0]! * 2 + r[1]!].join(','))].join('\n'));
    writeFileSync(join(dir, 'cls.csv'), ['a,b,c,label', ...rows.map((r) => [...r, r[0]! > 0 ? 'yes' : 'no'].join(','))].join('\n'));
    const manifest = join(dir, 'suite.json');
    writeFileSync(manifest, JSON.stringify({ datasets: [{ file: 'reg.csv', target: 'y' }, { file: 'cls.csv', target: 'label', name: 'signs' }] }));
    const { result } = await runExperiment('table1', { size: 'quick', manifest });
    expect(result!.table.rows.map((r) => r.slice(0, 5))).toEqual([['reg', 'regression', 60, 3, 'RMSE'], ['signs', 'binary', 60, 3, 'log-loss']]);
    const bad = (text: string) => { writeFileSync(manifest, text); return () => GRIDS.table1.points({ manifest }); };
    expect(bad('{"datasets": [')).toThrow(/suite\.json: not valid JSON/);
    expect(bad('{"datasets": []}')).toThrow(/suite\.json: needs a non-empty "datasets" array/);
    expect(bad('{"datasets": [{"file": "reg.csv"}]}')).toThrow(/datasets\[0\] needs "file" and "target" strings/);
    expect(bad('{"datasets": [{"file": "reg.csv", "target": "y"}, {"file": "x/reg.csv", "target": "y"}]}')).toThrow(/two datasets are named 'reg'/);
    expect(bad('{"datasets": [{"file": "reg.csv", "target": "nope"}]}')).toThrow(/target column 'nope' is not one of/);
  });

  it('an unknown dataset is refused with one line', () => {
    expect(() => GRIDS.table1.points({ datasets: ['mnist'] })).toThrow("table1: unknown dataset 'mnist' (the suite has boston, diabetes, breast-cancer, iris, wine)");
  });
});

/** The report's table rows (Markdown), without the header. */
const tableOf = (dir: string, report = 'report.md') => readFileSync(join(dir, report), 'utf8').split('\n').filter((l) => l.startsWith('|')).slice(2);

describe('psilon experiment table1 (CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'psilon-table1-'));
  const cmd = ['experiment', 'table1', '--quick', '--backend', 'wasm'];
  const folder = runFolder(join(dir, 'serial'), 'table1', { size: 'quick', seed: 0 });
  let serial: string[];

  it('prints and writes Table 1 with all four model columns on every bundled dataset', async () => {
    const r = await runCli([...cmd, '--out', join(dir, 'serial')]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/linear\s+random forest\s+Standard Net\s+PSiLON Net/);
    serial = tableOf(folder);
    expect(serial.map((l) => l.split('|')[1]!.trim())).toEqual(['Boston housing', 'Diabetes', 'Breast cancer', 'Iris', 'Wine']);
    for (const l of serial) {
      const cells = l.split('|').slice(1, -1).map((c) => c.trim());
      for (const c of cells.slice(5, 11)) expect(Number.isFinite(Number(c)), `${c} in ${l}`).toBe(true);
    }
    expect(readFileSync(join(folder, 'report.md'), 'utf8')).toMatch(/figure1-wine\.svg/);
  });

  it('resumes: a second run finds every point and writes the same table', async () => {
    const r = await runCli([...cmd, '--out', join(dir, 'serial')]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/0 point\(s\) run, 40 already done/);
    expect(tableOf(folder)).toEqual(serial);
  });

  it('two shards merged by psilon report give the same table', async () => {
    const shards = [1, 2].map((i) => join(dir, `shard${i}`));
    for (const [i, d] of shards.entries()) expect((await runCli([...cmd, '--shard', `${i + 1}/2`, '--run-dir', d])).code).toBe(0);
    const merged = join(dir, 'merged');
    const r = await runCli(['report', ...shards, '--out', merged]);
    expect(r.code, r.err).toBe(0);
    expect(tableOf(merged, 'report-merged.md')).toEqual(serial);
  });
});

describe('psilon experiment table1 --manifest (a suite of your files)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'psilon-table1-manifest-'));
  const rows = (shift: number) => ['a,b,y', ...Array.from({ length: 60 }, (_, i) => `${(i * 7) % 11},${(i * 3) % 5},${((i * 7) % 11) * 0.5 + ((i * 3) % 5) + shift * (i % 2)}`)].join('\n');
  writeFileSync(join(dir, 'mine.csv'), rows(0));
  writeFileSync(join(dir, 'suite.json'), JSON.stringify({ datasets: [{ file: 'mine.csv', target: 'y' }] }));
  const cmd = ['experiment', 'table1', '--quick', '--backend', 'wasm', '--manifest', join(dir, 'suite.json')];

  it('runs the manifest\'s datasets; a changed dataset file is never mixed with the earlier points', async () => {
    const runDir = join(dir, 'run');
    const r = await runCli([...cmd, '--run-dir', runDir]);
    expect(r.code, r.err).toBe(0);
    const table = tableOf(runDir);
    expect(table.length).toBe(1);
    expect(table[0]).toMatch(/^\| mine \| regression \| 60 \| 2 \|/);
    // the same folder after the dataset changed: refused, naming the suite's files
    writeFileSync(join(dir, 'mine.csv'), rows(3));
    const again = await runCli([...cmd, '--run-dir', runDir]);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/holds another run \(the content of the suite's files \(manifest and datasets\) differs here and in the folder\)/);
    // and a merged report of the old folder refuses too: its data is not what the points were computed on
    const rep = await runCli(['report', runDir, '--out', join(dir, 'merged')]);
    expect(rep.code).toBe(1);
    expect(rep.err).toMatch(/the run's data changed since it ran/);
  });

  it('--manifest belongs to table1; a damaged manifest is named before any work', async () => {
    const t = await runCli(['experiment', 'tabular', '--quick', '--manifest', join(dir, 'suite.json')]);
    expect([t.code, t.err]).toEqual([2, 'psilon: --manifest applies to the table1 experiment only']);
    writeFileSync(join(dir, 'bad.json'), '{"datasets": [{"file": "mine.csv"}]}');
    const b = await runCli(['experiment', 'table1', '--quick', '--manifest', join(dir, 'bad.json'), '--out', join(dir, 'o')]);
    expect(b.code).toBe(1);
    expect(b.err).toMatch(/bad\.json: datasets\[0\] needs "file" and "target" strings/);
  });
});

/** Data loaders on fixtures made here, bundled datasets, preprocessing, ridge, save/load. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as C from '@psilon/core';
import {
  fitLogistic, selectLogistic, logisticScore, fitRidge, fitStandardizer, fitTargetScaler, idxToDataset, loadBoston, loadIris, loadMnist, loadModel, parseARFF, parseCSV, parseIDX,
  prepareTabular, psilonNet, psilonResNet, saveModel, selectRidge, standardize, tableToDataset, tabularSplits, loadTableFile, linePlot,
} from 'psilon';

describe('CSV', () => {
  const csv = 'a,b,color,y\n1,2,red,0.5\n3,4,blue,1.5\n"5",6,red,2.5\n';
  it('parses numbers, quoted fields and categorical columns, one-hot encodes features', () => {
    const t = parseCSV(csv);
    expect(t.columns).toEqual(['a', 'b', 'color', 'y']);
    expect([...t.categorical]).toEqual(['color']);
    const d = tableToDataset(t, { target: 'y' });
    expect(d.features).toEqual(['a', 'b', 'color=red', 'color=blue']);
    expect(Array.from(d.x.slice(0, 4))).toEqual([1, 2, 1, 0]);
    expect(Array.from(d.y)).toEqual([0.5, 1.5, 2.5]);
    expect(d.task).toBe('regression');
    const cls = tableToDataset(t, { target: 'color' });
    expect(cls.task).toBe('binary');
    expect(cls.classes).toEqual(['blue', 'red']);
  });
  it('names the line and the problem in malformed files', () => {
    expect(() => parseCSV('a,b\n1,2\n3\n')).toThrow(/CSV line 3: 1 fields, the header has 2/);
    expect(() => parseCSV('a,b\n1,\n')).toThrow(/CSV line 2, column 'b': empty value/);
    expect(() => parseCSV('a,b\n"1,2\n')).toThrow(/CSV line 2: unterminated quoted field/);
    expect(() => parseCSV('')).toThrow(/empty/);
    expect(() => tableToDataset(parseCSV(csv), { target: 'z' })).toThrow(/target column 'z' is not one of/);
  });
  it('loads a user file by extension', () => {
    const dir = mkdtempSync(join(tmpdir(), 'psilon-'));
    writeFileSync(join(dir, 'd.csv'), csv);
    expect(() => loadTableFile(join(dir, 'd.csv'), 'y')).toThrow(/d\.csv: 3 rows: at least 20 are needed/);
    expect(() => loadTableFile(join(dir, 'd.csv'), undefined)).toThrow(/--target/);
    writeFileSync(join(dir, 'e.csv'), ['a,y', ...Array.from({ length: 25 }, (_, i) => `${i},${i / 4}`)].join('\n'));
    expect(loadTableFile(join(dir, 'e.csv'), 'y').n).toBe(25);
  });
});

describe('ARFF', () => {
  const arff = `% comment\n@relation toy\n@attribute x1 numeric\n@attribute 'x 2' real\n@attribute cls {yes,no}\n@data\n1,2,yes\n3,4,no\n% trailing\n5,6,yes\n`;
  it('parses numeric and nominal attributes', () => {
    const t = parseARFF(arff);
    expect(t.columns).toEqual(['x1', 'x 2', 'cls']);
    const d = tableToDataset(t, { target: 'cls' });
    expect(d.task).toBe('binary');
    expect(Array.from(d.y)).toEqual([1, 0, 1]); // classes sorted: no, yes
  });
  it('names the line and the problem in malformed files', () => {
    expect(() => parseARFF(arff.replace('3,4,no', '3,?,no'))).toThrow(/ARFF line 8: missing value '\?' in 'x 2'/);
    expect(() => parseARFF(arff.replace('3,4,no', '3,4,maybe'))).toThrow(/ARFF line 8: 'maybe' is not a declared value of 'cls'/);
    expect(() => parseARFF(arff.replace('3,4,no', '3,4'))).toThrow(/ARFF line 8: 2 values, 3 attributes declared/);
    expect(() => parseARFF(arff.replace('real', 'date'))).toThrow(/ARFF line 4: unsupported attribute type 'date'/);
  });
});

describe('IDX', () => {
  function idx(type: number, dims: number[], bytes: number[]): Uint8Array {
    const head = [0, 0, type, dims.length];
    for (const d of dims) head.push((d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255);
    return Uint8Array.from([...head, ...bytes]);
  }
  it('parses images and labels (MNIST layout) into a [−1, 1] dataset', () => {
    const images = parseIDX(idx(8, [2, 2, 3], [0, 255, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255]));
    const labels = parseIDX(idx(8, [2], [7, 1]));
    const d = idxToDataset(images, labels);
    expect(d.n).toBe(2);
    expect(d.d).toBe(6);
    expect(Array.from(d.x.slice(0, 6))).toEqual([-1, 1, -1, -1, -1, -1]);
    expect(Array.from(d.y)).toEqual([7, 1]);
    expect(d.outputs).toBe(8);
  });
  it('rejects malformed files with the reason', () => {
    expect(() => parseIDX(Uint8Array.from([1, 0, 8, 1]))).toThrow(/bad magic/);
    expect(() => parseIDX(idx(8, [3], [1, 2]))).toThrow(/expected 3 bytes of data/);
    expect(() => parseIDX(idx(0x0b, [1], [0, 0]))).toThrow(/unsupported data type 0xb/);
    expect(() => idxToDataset(parseIDX(idx(8, [2, 1, 1], [0, 0])), parseIDX(idx(8, [3], [0, 0, 0])))).toThrow(/2 images but 3 labels/);
  });
});

describe('bundled datasets and preprocessing (docs/math.md §9)', () => {
  it('Boston, iris and MNIST load with the documented sizes', () => {
    const b = loadBoston();
    expect([b.n, b.d]).toEqual([506, 13]);
    expect(b.y[0]).toBe(24);
    const i = loadIris();
    expect([i.n, i.d, i.outputs]).toEqual([150, 4, 3]);
    const m = loadMnist(5);
    expect([m.n, m.d, m.outputs]).toEqual([50, 784, 10]);
    expect(Math.min(...m.x)).toBe(-1);
    expect(Math.max(...m.x)).toBeLessThanOrEqual(1);
  });
  it('splits 253/126/127 on Boston; standardizes with training statistics; scales the target by median and IQR/2', () => {
    const b = loadBoston();
    const sp = tabularSplits(b, 0);
    expect([sp.train.n, sp.test.n, sp.validation.n]).toEqual([253, 126, 127]);
    const st = fitStandardizer(sp.train);
    expect(st.scaled[3]).toBe(false); // chas is a 0/1 indicator
    const tr = standardize(sp.train, st);
    for (const j of [0, 5, 12]) {
      let m = 0, v = 0;
      for (let r = 0; r < tr.n; r++) m += tr.x[r * tr.d + j]! / tr.n;
      for (let r = 0; r < tr.n; r++) v += (tr.x[r * tr.d + j]! - m) ** 2 / tr.n;
      expect(m).toBeCloseTo(0, 10);
      expect(v).toBeCloseTo(1, 10);
    }
    const before = Float64Array.from(sp.train.x);
    standardize(sp.train, st);
    expect(sp.train.x).toEqual(before); // the input is not mutated
    const p = prepareTabular(b, 0);
    const s = fitTargetScaler(sp.train);
    expect(p.target).toEqual(s);
    const ys = Float64Array.from(p.train.y).sort();
    expect(ys[Math.floor(ys.length / 2)]).toBeCloseTo(0, 10);
  });
  it('ridge matches the normal equations and picks α on validation', () => {
    const b = prepareTabular(loadBoston(), 1);
    const m = fitRidge(b.train, 0);
    // residuals are orthogonal to every feature and to the intercept
    for (let j = 0; j < b.train.d; j++) {
      let s = 0;
      for (let r = 0; r < b.train.n; r++) {
        let p = m.b;
        for (let k = 0; k < b.train.d; k++) p += m.w[k]! * b.train.x[r * b.train.d + k]!;
        s += (b.train.y[r]! - p) * b.train.x[r * b.train.d + j]!;
      }
      expect(Math.abs(s)).toBeLessThan(1e-8);
    }
    expect(selectRidge(b.train, b.validation).valRMSE).toBeGreaterThan(0);
  });
});

describe('logistic regression baseline', () => {
  it('separates iris well above chance and gains from a small α over a huge one', () => {
    const d = prepareTabular(loadIris(), 0);
    const best = selectLogistic(d.train, d.validation);
    expect(logisticScore(best, d.test).accuracy).toBeGreaterThan(0.85);
    const heavy = fitLogistic(d.train, 100);
    expect(logisticScore(heavy, d.validation).loss).toBeGreaterThan(best.valLoss);
    expect(() => fitLogistic(prepareTabular(loadBoston(), 0).train, 1)).toThrow(/classification/);
  });
});

describe('save and load', () => {
  it('round-trips a PSiLON Net and a ResNet exactly, and rejects tampered files', async () => {
    for (const make of [() => psilonNet({ inDim: 3, hidden: 5, outDim: 2, seed: 4 }), () => psilonResNet({ inDim: 3, hidden: 5, outDim: 2, seed: 4 })]) {
      const m = make();
      C.noGrad(() => { for (const p of m.parameters()) p.assign(C.randn(p.shape, { rng: new C.RNG(1) })); });
      const saved = JSON.parse(JSON.stringify(await saveModel(m)));
      const back = loadModel(saved);
      const x = C.randn([4, 3], { rng: new C.RNG(2) });
      expect(Array.from(back.forward(x).dataSync())).toEqual(Array.from(m.forward(x).dataSync()));
      saved.parameters[0].shape = [9, 9];
      expect(() => loadModel(saved)).toThrow(/'embedder.weight' has shape \[9, 9\], expected \[3, 5\]/);
    }
    expect(() => loadModel({} as never)).toThrow(/not a saved psilon model/);
  });
});

describe('SVG plots', () => {
  it('renders every series with a legend, and refuses empty input', () => {
    const svg = linePlot({ title: 't', xLabel: 'x', yLabel: 'y', logY: true, series: [{ name: 'a<b', points: [[0, 1], [1, 10]] }, { name: 'c', points: [[0, 2], [1, 3]] }] });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<path /g)!.length).toBe(2);
    expect(svg).toContain('a&lt;b');
    expect(() => linePlot({ title: 't', xLabel: 'x', yLabel: 'y', series: [] })).toThrow(/no finite points/);
  });
});

/** predict / scorePredictions / applyPreprocessing: a saved model's preprocessing is the single source of its columns, categories and classes. */
import { describe, expect, it } from 'vitest';
import * as C from '@psilon/core';
import { applyPreprocessing, parseCSV, predict, psilonNet, scorePredictions, tableForModel, type Preprocessing } from 'psilon';

const noStd = (d: number) => ({ mean: Array(d).fill(0), std: Array(d).fill(1) });

describe('applyPreprocessing reads a table through the model', () => {
  const p: Preprocessing = { features: ['a', 'c=x', 'c=3'], ...noStd(3), task: 'regression', target: 'y', scale: { median: 0, halfIqr: 1 } };

  it('matches one-hot categories by value, whatever the other rows make of the column', () => {
    // c is numeric in this file (every value looks like a number): 3.0 is still category '3'
    const numericC = parseCSV('a,c\n1,3.0\n2,4\n');
    const { x, notes } = applyPreprocessing(p, numericC, 'f.csv');
    expect(Array.from(x)).toEqual([1, 0, 1, 2, 0, 0]);
    expect(notes.join('\n')).toMatch(/column 'c': 1 row\(s\) hold 1 value\(s\) unseen in training \(4\)/);
    // the same row in a file where c is categorical gives the same encoding
    const mixed = parseCSV('a,c\n1,3\n5,x\n');
    expect(Array.from(applyPreprocessing(p, mixed).x)).toEqual([1, 0, 1, 5, 1, 0]);
  });

  it('a missing feature column is an error naming it; a number in a column the file made categorical is read as a number', () => {
    expect(() => applyPreprocessing(p, parseCSV('a\n1\n'), 'f.csv')).toThrow(/f\.csv lacks the feature column\(s\) c that the model/);
    const q: Preprocessing = { ...p, features: ['a'], ...noStd(1) };
    expect(Array.from(applyPreprocessing(q, parseCSV('a\n1\nfoo\nbar\n', { na: ['foo', 'bar'] })).x)).toEqual([1]);
    expect(() => applyPreprocessing(q, { columns: ['a'], rows: [['wide']], categorical: new Set(['a']) }, 'f.csv')).toThrow(/f\.csv: data row 1, column 'a': 'wide' is not a number/);
  });

  it('tableForModel drops a row for a missing-value token only in a column the model reads', () => {
    const q: Preprocessing = { ...p, features: ['a'], ...noStd(1) };
    // 'extra' is NA on every row and the target is NA on one: neither is read by predict, so no row is dropped
    const t = tableForModel(q, 'a,extra,y\n1,NA,NA\n2,NA,5\nNA,NA,6\n', { file: 'f.csv', na: ['NA'] });
    expect(t.rows.length).toBe(2);
    expect(t.notes?.join(' ')).toMatch(/dropped 1 rows with missing values/);
    // with the target read (evaluate), a missing target drops its row too
    expect(tableForModel(q, 'a,extra,y\n1,NA,NA\n2,NA,5\nNA,NA,6\n', { file: 'f.csv', na: ['NA'], withTarget: true }).rows.length).toBe(1);
  });

  it('tableForModel reads the model\'s one-hot columns as categories, so their values keep their spelling', () => {
    const t = tableForModel(p, 'a,c\n1,3\n2,3\n', { file: 'f.csv' });
    expect(t.categorical.has('c')).toBe(true);
    expect(t.rows[0]).toEqual([1, '3']);
  });
});

describe('predict and scorePredictions', () => {
  it('regression: values in target units (median + halfIqr·ŷ), the same numbers the model computes', async () => {
    const model = psilonNet({ inDim: 2, hidden: 4, outDim: 1, nHidden: 1, seed: 3 });
    const p: Preprocessing = { features: ['a', 'b'], mean: [1, 2], std: [2, 4], task: 'regression', target: 'y', scale: { median: 10, halfIqr: 3 } };
    const table = parseCSV('a,b,y\n1,2,10\n3,6,13\n');
    const pred = await predict(model, p, table);
    const z = await C.noGrad(() => model.forward(C.tensor([0, 0, 1, 1], [2, 2]))).data();
    expect(Array.from(pred.values!)).toEqual([10 + 3 * z[0]!, 10 + 3 * z[1]!]);
    const s = scorePredictions(pred, p, table);
    const e = [pred.values![0]! - 10, pred.values![1]! - 13];
    expect(s.rmse).toBeCloseTo(Math.sqrt((e[0]! ** 2 + e[1]! ** 2) / 2), 12);
    model.dispose();
  });

  it('classification: labels mapped through the model\'s classes; unseen labels counted; accuracy over the known ones', async () => {
    const model = psilonNet({ inDim: 1, hidden: 4, outDim: 3, nHidden: 1, seed: 1 });
    const p: Preprocessing = { features: ['a'], ...noStd(1), task: 'multiclass', target: 'y', classes: ['ant', 'bee', 'cat'] };
    const table = parseCSV('a,y\n-2,cat\n0,cat\n2,bee\n4,dog\n');
    const pred = await predict(model, p, table);
    for (let i = 0; i < 4; i++) {
      const row = Array.from(pred.probabilities!.subarray(i * 3, i * 3 + 3));
      expect(row.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
      expect(pred.labels![i]).toBe(p.classes![row.indexOf(Math.max(...row))]);
    }
    const s = scorePredictions(pred, p, table);
    expect(s.known).toBe(3);
    expect([...s.unseen!]).toEqual([['dog', 1]]);
    const truth = ['cat', 'cat', 'bee'];
    expect(s.accuracy).toBe(truth.filter((t, i) => pred.labels![i] === t).length / 3);
    expect(s.logLoss).toBeCloseTo(-truth.reduce((a, t, i) => a + Math.log(pred.probabilities![i * 3 + p.classes!.indexOf(t)]!), 0) / 3, 12);
    model.dispose();
  });

  it('binary: σ of the one logit is the probability of classes[1]; a file of one class is scored', async () => {
    const model = psilonNet({ inDim: 1, hidden: 4, outDim: 1, nHidden: 1, seed: 2 });
    const p: Preprocessing = { features: ['a'], ...noStd(1), task: 'binary', target: 'y', classes: ['no', 'yes'] };
    const table = parseCSV('a,y\n1,yes\n-1,yes\n');
    const pred = await predict(model, p, table);
    const z = await C.noGrad(() => model.forward(C.tensor([1, -1], [2, 1]))).data();
    expect(pred.probabilities![1]).toBeCloseTo(1 / (1 + Math.exp(-z[0]!)), 12);
    const s = scorePredictions(pred, p, table);
    expect(s.known).toBe(2);
    expect(s.accuracy).toBe(pred.labels!.filter((l) => l === 'yes').length / 2);
    model.dispose();
  });
});

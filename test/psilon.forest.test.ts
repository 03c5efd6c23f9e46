/**
 * The random forest (docs/math.md, "Random forest"): hand-computed trees on tiny data,
 * agreement with a brute-force CART (exercising histogram subtraction and the small-node
 * path), determinism per seed, probabilities, save/load, leaf-size selection, bad inputs.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { RNG } from '@psilon/core';
import {
  fitForest, forestScore, leafGrid, loadBoston, loadBreastCancer, loadDiabetes, loadForest, loadIris, loadWine, predictForest, prepareTabular,
  saveForest, selectForest, PAPER_LEAF_GRID, type Dataset, type SavedForest,
} from 'psilon';

const table = (rows: number[][], y: number[], task: Dataset['task'] = 'regression', outputs = 1): Dataset => ({
  x: Float64Array.from(rows.flat()), y: Float64Array.from(y), n: rows.length, d: rows[0]!.length, task, outputs,
});
const exact = { nEstimators: 1, bootstrap: false, maxFeatures: 'all' as const };

describe('random forest: hand-computed trees', () => {
  it('a depth-1 regression stump on 6 points: the split of least squared error and the leaf means', () => {
    // feature 0 = 1…6, y = 1 2 3 7 8 12; with minSamplesLeaf 2 the candidate splits are after 2, 3 or 4 rows:
    //   after 2: SSE 0.5 + 41 = 41.5;  after 3: SSE 2 + 14 = 16;  after 4: SSE 20.75 + 8 = 28.75
    // so x0 ≤ 3.5 (the midpoint of 3 and 4), leaves mean(1,2,3) = 2 and mean(7,8,12) = 9; children of 3 rows
    // cannot split again (2·2 > 3). Feature 1 (6 1 5 2 4 3) does worse: its best split leaves SSE 86.5.
    const d = table([[1, 6], [2, 1], [3, 5], [4, 2], [5, 4], [6, 3]], [1, 2, 3, 7, 8, 12]);
    const f = fitForest(d, { ...exact, minSamplesLeaf: 2 });
    const t = f.trees[0]!;
    expect(Array.from(t.feature)).toEqual([0, -1, -1]);
    expect(t.threshold[0]).toBe(3.5);
    expect([t.value[t.left[0]!], t.value[t.right[0]!]]).toEqual([2, 9]);
    expect(Array.from(predictForest(f, Float64Array.from([0, 0, 3.5, 9, 3.6, 0])))).toEqual([2, 2, 9]);
  });

  it('a 2-class Gini tree on 6 points: splits and class frequencies by hand', () => {
    // x = 1…6, classes 0 0 0 1 1 0. Root: Σ S²/W per candidate (higher is better; = W − W·Gini):
    //   after 1: 1 + 2 = 3;  after 2: 2 + 2 = 4;  after 3: 3 + 5/3 ≈ 4.67;  after 4: 2.5 + 1 = 3.5;  after 5: 2.6 + 1 = 3.6
    // → x ≤ 3.5; left {0,0,0} is pure; right {1,1,0}: after 4: 1 + 1 = 2, after 5: 2 + 1 = 3 → x ≤ 5.5.
    const d = table([[1], [2], [3], [4], [5], [6]], [0, 0, 0, 1, 1, 0], 'binary');
    const f = fitForest(d, { ...exact, minSamplesLeaf: 1 });
    const t = f.trees[0]!;
    expect(Array.from(t.feature)).toEqual([0, -1, 0, -1, -1]);
    expect([t.threshold[0], t.threshold[2]]).toEqual([3.5, 5.5]);
    expect(Array.from(t.value.subarray(0, 2))).toEqual([4 / 6, 2 / 6]); // the root's class frequencies
    expect(Array.from(predictForest(f, Float64Array.from([2, 4.5, 6])))).toEqual([1, 0, 0, 1, 1, 0]);
  });

  it('a bootstrap leaf is the weighted mean of the drawn rows (weights = times drawn), replayed from the seed', () => {
    // minSamplesLeaf 3 on 4 rows: the root cannot split, so the one leaf is Σ wᵢyᵢ / Σ wᵢ over the bootstrap draws,
    // which the tree's generator makes: new RNG(new RNG(seed).nextUint32()), n draws of int(n)
    const d = table([[1], [2], [3], [4]], [1, 2, 3, 10]);
    for (const seed of [0, 1, 2, 3]) {
      const rng = new RNG(new RNG(seed).nextUint32());
      const w = [0, 0, 0, 0];
      for (let i = 0; i < 4; i++) w[rng.int(4)]! += 1;
      const want = w.reduce((a, wi, i) => a + wi * d.y[i]!, 0) / 4;
      const f = fitForest(d, { nEstimators: 1, seed, minSamplesLeaf: 3 });
      expect(Array.from(f.trees[0]!.feature)).toEqual([-1]);
      expect(predictForest(f, Float64Array.from([2]))[0]).toBeCloseTo(want, 14);
    }
  });
});

/** A brute-force CART (every split of every feature by sorting, the first best on ties), for comparison. */
function bruteTree(x: Float64Array, y: Float64Array, n: number, d: number, k: number, minLeaf: number) {
  const predictRow = (row: Float64Array): number[] => {
    let idx = Array.from({ length: n }, (_, i) => i);
    for (;;) {
      const m = idx.length;
      const tot = new Array<number>(k).fill(0);
      for (const r of idx) for (let c = 0; c < k; c++) tot[c]! += y[r * k + c]!;
      const parent = tot.reduce((a, s) => a + (s * s) / m, 0);
      let q = 0;
      for (const r of idx) for (let c = 0; c < k; c++) q += y[r * k + c]! ** 2;
      const leaf = tot.map((s) => s / m);
      if (m < 2 * minLeaf || q - parent <= 1e-12 * (q + m)) return leaf;
      let best = parent + 1e-12 * Math.abs(parent) + 1e-300, bf = -1, thr = 0;
      for (let f = 0; f < d; f++) {
        const s = [...idx].sort((a, b) => x[a * d + f]! - x[b * d + f]!);
        const left = new Array<number>(k).fill(0);
        for (let i = 0; i < m - 1; i++) {
          for (let c = 0; c < k; c++) left[c]! += y[s[i]! * k + c]!;
          const a = x[s[i]! * d + f]!, b = x[s[i + 1]! * d + f]!;
          if (a === b || i + 1 < minLeaf || m - i - 1 < minLeaf) continue;
          let score = 0;
          for (let c = 0; c < k; c++) score += left[c]! ** 2 / (i + 1) + (tot[c]! - left[c]!) ** 2 / (m - i - 1);
          if (score > best) { best = score; bf = f; thr = (a + b) / 2; }
        }
      }
      if (bf < 0) return leaf;
      idx = idx.filter((r) => (x[r * d + bf]! <= thr) === (row[bf]! <= thr));
    }
  };
  return predictRow;
}

describe('random forest: against a brute-force CART (no bootstrap, every feature)', () => {
  for (const [task, minLeaf] of [['regression', 1], ['regression', 7], ['multiclass', 3]] as const) {
    it(`${task}, minSamplesLeaf ${minLeaf}: the same tree, 400 rows (histogram subtraction and small nodes)`, () => {
      const rng = new RNG(11), n = 400, d = 4;
      const x = new Float64Array(n * d), y = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < d; j++) x[i * d + j] = rng.int(60) / 10; // ≤ 256 distinct values: the bins are exact
        const s = Math.sin(x[i * d]!) + x[i * d + 1]! * 0.3 + 0.2 * rng.normal();
        y[i] = task === 'regression' ? s : s < 0 ? 0 : s < 1 ? 1 : 2;
      }
      const data: Dataset = { x, y, n, d, task, outputs: task === 'regression' ? 1 : 3 };
      const f = fitForest(data, { ...exact, minSamplesLeaf: minLeaf });
      const k = f.k;
      const yk = task === 'regression' ? y : Float64Array.from({ length: n * 3 }, (_, j) => (y[Math.floor(j / 3)] === j % 3 ? 1 : 0));
      const brute = bruteTree(x, yk, n, d, k, minLeaf);
      // new points, and the training rows; with one-row leaves, features that split a node's rows the same way tie
      // exactly and the tie is broken by rounding, so only the training rows' leaves are compared there
      const fresh = new Float64Array(60 * d);
      for (let j = 0; j < fresh.length; j++) fresh[j] = rng.uniform() * 6;
      const probe = minLeaf === 1 ? x : Float64Array.from([...fresh, ...x]);
      const p = predictForest(f, probe);
      for (let i = 0; i < probe.length / d; i++) {
        const want = brute(probe.subarray(i * d, i * d + d));
        for (let c = 0; c < k; c++) expect(p[i * k + c]).toBeCloseTo(want[c]!, 12);
      }
    });
  }
});

function noisy(n: number, seed: number, task: Dataset['task']): Dataset {
  const rng = new RNG(seed), d = 5;
  const x = new Float64Array(n * d), y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) x[i * d + j] = rng.normal();
    const s = x[i * d]! + Math.sin(2 * x[i * d + 1]!) + 0.3 * rng.normal();
    y[i] = task === 'regression' ? s : task === 'binary' ? Number(s > 0) : s < -0.7 ? 0 : s < 0.7 ? 1 : 2;
  }
  return { x, y, n, d, task, outputs: task === 'multiclass' ? 3 : 1 };
}

describe('random forest: behaviour', () => {
  it('is deterministic per seed and differs between seeds; the input is not mutated', () => {
    const d = noisy(300, 1, 'regression');
    const before = Float64Array.from(d.x);
    const a = predictForest(fitForest(d, { nEstimators: 10, seed: 3 }), d.x);
    const b = predictForest(fitForest(d, { nEstimators: 10, seed: 3 }), d.x);
    const c = predictForest(fitForest(d, { nEstimators: 10, seed: 4 }), d.x);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect(Array.from(d.x)).toEqual(Array.from(before));
  });

  it('class probabilities sum to 1 (binary and multiclass) and beat the base rate', () => {
    for (const task of ['binary', 'multiclass'] as const) {
      const tr = noisy(400, 2, task), te = noisy(300, 3, task);
      const f = fitForest(tr, { nEstimators: 30, minSamplesLeaf: 4 });
      const p = predictForest(f, te.x);
      for (let i = 0; i < te.n; i++) {
        let s = 0;
        for (let c = 0; c < f.k; c++) { expect(p[i * f.k + c]).toBeGreaterThanOrEqual(0); s += p[i * f.k + c]!; }
        expect(s).toBeCloseTo(1, 12);
      }
      expect(forestScore(f, te).metric).toBeGreaterThan(0.7);
    }
  });

  it('regression: the forest beats the training mean on held-out data', () => {
    const tr = noisy(400, 4, 'regression'), te = noisy(300, 5, 'regression');
    const mean = tr.y.reduce((a, b) => a + b, 0) / tr.n;
    const base = Math.sqrt(te.y.reduce((a, v) => a + (v - mean) ** 2, 0) / te.n);
    expect(forestScore(fitForest(tr, { nEstimators: 30 }), te).metric).toBeLessThan(0.6 * base);
  });

  it('save/load round trip gives the same predictions, through JSON text', () => {
    const tr = noisy(200, 6, 'multiclass');
    const f = fitForest(tr, { nEstimators: 5, minSamplesLeaf: 2, seed: 9 });
    const back = loadForest(JSON.parse(JSON.stringify(saveForest(f))) as SavedForest);
    expect(Array.from(predictForest(back, tr.x))).toEqual(Array.from(predictForest(f, tr.x)));
    expect(back.options).toEqual(f.options);
  });

  it('a bad saved forest is refused with one line before anything is built', () => {
    const saved = saveForest(fitForest(noisy(50, 7, 'regression'), { nEstimators: 2 }));
    const bad = (change: (s: SavedForest) => void) => { const s = structuredClone(saved); change(s); return () => loadForest(s); };
    expect(bad((s) => { (s as { kind: string }).kind = 'psilon-model'; })).toThrow(/^loadForest: not a saved random forest/);
    expect(bad((s) => { (s as { version: number }).version = 7; })).toThrow(/unsupported version 7/);
    expect(bad((s) => { s.d = 0; })).toThrow(/d must be a positive integer, got 0/);
    expect(bad((s) => { s.trees[1]!.left[0] = 0; })).toThrow(/tree 1, node 0: child 0 is not a later node/);
    expect(bad((s) => { s.trees[0]!.feature[0] = 9; })).toThrow(/tree 0, node 0: feature 9 is not in/);
    expect(bad((s) => { s.trees[0]!.value.pop(); })).toThrow(/tree 0: value must hold/);
    expect(bad((s) => { s.trees[0]!.value[0] = NaN; })).toThrow(/non-finite/);
  });

  it('bad options and data are refused with one line naming the value', () => {
    const d = noisy(20, 8, 'regression');
    expect(() => fitForest(d, { minSamplesLeaf: 0 })).toThrow('randomForest: minSamplesLeaf must be an integer in [1, ∞], got 0');
    expect(() => fitForest(d, { nEstimators: 2.5 })).toThrow(/nEstimators must be an integer .* got 2.5/);
    expect(() => fitForest(d, { maxFeatures: 6 })).toThrow(/maxFeatures must be an integer in \[1, 5\], got 6/);
    expect(() => fitForest(d, { maxBins: 300 })).toThrow(/maxBins must be an integer in \[2, 256\], got 300/);
    expect(() => fitForest({ ...d, n: 0, x: new Float64Array(0), y: new Float64Array(0) })).toThrow('randomForest: the training data is empty (0 rows)');
    const x = Float64Array.from(d.x); x[5 * 5 + 2] = NaN;
    expect(() => fitForest({ ...d, x })).toThrow('randomForest: x[5, 2] is NaN, not a finite number');
    expect(() => fitForest({ ...noisy(20, 8, 'binary'), y: new Float64Array(20).fill(2) })).toThrow(/label 2 of row 0 is not a class index in \[0, 2\)/);
    expect(() => predictForest(fitForest(d, { nEstimators: 1 }), new Float64Array(7))).toThrow(/not a whole number of rows of 5 features/);
    expect(() => predictForest(fitForest(d, { nEstimators: 1 }), Float64Array.from([0, 0, Infinity, 0, 0]))).toThrow('predictForest: x[0, 2] is Infinity, not a finite number');
    const b = noisy(20, 9, 'binary');
    expect(() => forestScore(fitForest(b, { nEstimators: 1 }), { ...b, y: b.y.map(() => 3) })).toThrow(/forestScore: label 3 of row 0 is not a class index in \[0, 2\)/);
  });
});

describe('random forest: leaf size on validation', () => {
  it('the paper grid is kept below half the training rows', () => {
    expect(leafGrid(75)).toEqual([4, 8, 12, 16, 20, 30]);
    expect(leafGrid(2000)).toEqual([...PAPER_LEAF_GRID]);
    expect(leafGrid(5)).toEqual([4]);
  });

  it('selectForest keeps the leaf size of the lowest validation loss', () => {
    const tr = noisy(300, 10, 'regression'), va = noisy(150, 11, 'regression');
    const grid = [4, 50, 100];
    const best = selectForest(tr, va, { nEstimators: 15 }, grid);
    const losses = grid.map((m) => forestScore(fitForest(tr, { nEstimators: 15, minSamplesLeaf: m }), va).loss);
    expect(best.options.minSamplesLeaf).toBe(grid[losses.indexOf(Math.min(...losses))]);
    expect(best.valLoss).toBe(Math.min(...losses));
  });
});

describe('random forest: against scikit-learn\'s figures in bench/RESULTS.md', () => {
  // the rows of the "Test metric on the bundled datasets" table: dataset, rows, leaf, metric, psilon, sklearn, difference
  const results = readFileSync(new URL('../bench/RESULTS.md', import.meta.url), 'utf8');
  const table = results.slice(results.indexOf('### Test metric on the bundled datasets'));
  const rows = table.split('\n').filter((l) => /^\| [A-Z]/.test(l) && !l.startsWith('| dataset')).map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
  const loaders: Record<string, () => Dataset> = {
    'Boston housing': loadBoston, Diabetes: loadDiabetes, 'Breast cancer': loadBreastCancer, Iris: loadIris, Wine: loadWine,
  };
  it('the recorded table covers every bundled dataset', () => {
    expect(new Set(rows.map((r) => r[0]))).toEqual(new Set(Object.keys(loaders)));
  });
  it('1,000 trees on Table 1\'s splits: test RMSE / log-loss within 3% of scikit-learn\'s at the same min_samples_leaf', () => {
    for (const [name, , leaf, , , sk] of rows) {
      const d = prepareTabular(loaders[name!]!(), 0);
      const s = forestScore(fitForest(d.train, { nEstimators: 1000, minSamplesLeaf: Number(leaf), seed: 0 }), d.test);
      const ours = d.train.task === 'regression' ? s.metric : s.loss;
      expect(Math.abs(ours - Number(sk)) / Number(sk), `${name}, leaf ${leaf}: ${ours} vs scikit-learn's ${sk}`).toBeLessThan(0.03);
    }
  });
});

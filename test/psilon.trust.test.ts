/**
 * What a user's files and mistakes get (issue: trustworthy data, outputs and
 * failures): each case failed, or passed silently with a wrong result, before.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as C from '@psilon/core';
import { parseCSV, tableToDataset, loadTableFile } from 'psilon';

const dir = mkdtempSync(join(tmpdir(), 'psilon-trust-'));
function csv(name: string, rows: string[]): string {
  const f = join(dir, name);
  writeFileSync(f, rows.join('\n'));
  return f;
}
const numericRows = (n: number, target: (i: number) => string) => ['a,b,y', ...Array.from({ length: n }, (_, i) => `${i % 7},${(i * 3) % 11},${target(i)}`)];

describe('data: explicit column typing', () => {
  it('one stray non-numeric cell in a numeric column is an error naming file, line, column and value', () => {
    for (const bad of ['3.5a', 'NA', 'Infinity', 'NaN']) {
      const f = csv(`stray-${bad}.csv`, numericRows(60, (i) => (i === 17 ? bad : String(i / 10))));
      expect(() => loadTableFile(f, { target: 'y' })).toThrow(new RegExp(`${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*line 19, column 'y': '${bad}' is not a number`));
    }
    const f = csv('stray-feature.csv', ['a,b,y', ...Array.from({ length: 60 }, (_, i) => `${i === 5 ? 'NaN' : i},${i % 3},${i}`)]);
    expect(() => loadTableFile(f, { target: 'y' })).toThrow(/line 7, column 'a': 'NaN' is not a number/);
  });

  it('--na tokens are missing values: rows holding one are dropped, and the count is reported', () => {
    const f = csv('na.csv', numericRows(60, (i) => (i % 20 === 3 ? 'NA' : String(i / 10))));
    const d = loadTableFile(f, { target: 'y', na: ['NA'] });
    expect(d.n).toBe(57);
    expect(d.notes.join(' ')).toMatch(/dropped 3 rows with missing values \(NA\)/);
  });

  it('integer targets with few distinct values are classification (said in the notes); --task overrides', () => {
    const bin = loadTableFile(csv('bin.csv', numericRows(60, (i) => String(i % 9 === 0 ? 1 : 0))), { target: 'y' });
    expect(bin.task).toBe('binary');
    expect(bin.notes.join(' ')).toMatch(/integer target 'y' with 2 distinct values: binary classification \(--task regression to override\)/);
    const three = loadTableFile(csv('three.csv', numericRows(60, (i) => String(i % 3))), { target: 'y' });
    expect([three.task, three.outputs]).toEqual(['multiclass', 3]);
    const reg = loadTableFile(csv('three.csv', numericRows(60, (i) => String(i % 3))), { target: 'y', task: 'regression' });
    expect(reg.task).toBe('regression');
    expect(Array.from(reg.y.slice(0, 3))).toEqual([0, 1, 2]);
    const cont = loadTableFile(csv('cont.csv', numericRows(60, (i) => String(i / 7))), { target: 'y' });
    expect(cont.task).toBe('regression');
  });

  it('--categorical forces a numeric column to one-hot; tiny or degenerate data get a clear error', () => {
    const t = parseCSV(numericRows(30, (i) => String(i / 3)).join('\n'), { categorical: ['b'] });
    expect(tableToDataset(t, { target: 'y' }).features!.filter((f) => f.startsWith('b=')).length).toBe(11);
    expect(() => tableToDataset(parseCSV('y\n1\n2\n3\n4'), { target: 'y' })).toThrow(/no feature columns: the file has only the target 'y'/);
    expect(() => loadTableFile(csv('tiny.csv', numericRows(5, (i) => String(i / 3))), { target: 'y' })).toThrow(/5 rows: at least 20 are needed/);
  });
});

describe('API holes', () => {
  it('Adam refuses β ∉ [0, 1), a non-finite or non-positive lr', () => {
    const p = C.zeros([2], { requiresGrad: true });
    expect(() => new C.Adam([p], { lr: 1e-3, beta1: 1 })).toThrow(/beta1 must be in \[0, 1\), got 1/);
    expect(() => new C.Adam([p], { lr: 1e-3, beta2: 1 })).toThrow(/beta2 must be in \[0, 1\), got 1/);
    expect(() => new C.Adam([p], { lr: Infinity })).toThrow(/lr must be a finite number > 0, got Infinity/);
    expect(() => new C.Adam([p], { lr: 0 })).toThrow(/lr must be a finite number > 0, got 0/);
  });

  it('a custom op returning the wrong number of gradients is an error naming it', () => {
    const bad = C.customOp<null>({ name: 'twoInOneGrad', forward: ([a, b]) => ({ outputs: [C.add(a!, b!)], saved: null }), backward: ([g]) => [g!] });
    const a = C.ones([2], { requiresGrad: true }), b = C.ones([2], { requiresGrad: true });
    expect(() => C.sum(bad(a, b)[0]!).backward()).toThrow(/custom op 'twoInOneGrad' returned 1 gradient\(s\) for 2 inputs/);
  });

  it('changing a tensor in place between forward and backward() is an error, not a wrong gradient', () => {
    const w = C.tensor([1, 2], [2], { requiresGrad: true });
    const x = C.tensor([3, 4], [2]);
    const loss = C.sum(C.mul(w, x));
    x.assign(C.tensor([0, 0], [2]));
    expect(() => loss.backward()).toThrow(/was changed in place \(assign\) after op 'mul' used it/);
  });

  it('tidy keeps the tensors it returns inside a Map, a Set or a class instance', () => {
    const m = C.tidy(() => new Map([['a', C.ones([2])]]));
    expect(m.get('a')!.isDisposed).toBe(false);
    const s = C.tidy(() => new Set([C.ones([2])]));
    expect([...s][0]!.isDisposed).toBe(false);
    class Box { constructor(readonly t: C.Tensor) {} }
    expect(C.tidy(() => new Box(C.ones([2]))).t.isDisposed).toBe(false);
  });

  it('raw RangeErrors from a backend name the op and the shapes', () => {
    const prev = C.setBackend(new C.CpuBackend());
    try {
      expect(() => C.zeros([2 ** 33])).toThrow(/zeros on \[8589934592\]: .*too large/);
    } finally { C.setBackend(prev); }
  });

  it('seeds must be integers below 2⁵³, and every bit counts', () => {
    expect(() => new C.RNG(1.5)).toThrow(/seed must be an integer/);
    expect(() => new C.RNG(2 ** 53)).toThrow(/below 2\^53/);
    expect(new C.RNG(1).nextUint32()).not.toBe(new C.RNG(1 + 2 ** 32).nextUint32());
  });
});

import { DivergenceError, loadModel, psilonNet, train, type Dataset } from 'psilon';
import { existsSync, readFileSync as readFile, readdirSync } from 'node:fs';
import { runCli } from './helpers/cli.js';

const cli = runCli;

describe('outputs, limits, divergence', () => {
  const good = csv('good.csv', numericRows(80, (i) => String((i % 13) / 3)));

  it('a bad cell stops the CLI with one line naming file, line, column and value, exit 1, nothing written', async () => {
    const f = csv('bad.csv', numericRows(80, (i) => (i === 40 ? '3.5a' : String(i / 3))));
    const save = join(dir, 'never.json');
    const r = await cli(['train', '--data', f, '--target', 'y', '--epochs', '6', '--save', save, '--backend', 'cpu']);
    expect(r.code).toBe(1);
    expect(r.err.split('\n').length).toBe(1);
    expect(r.err).toMatch(/bad\.csv: line 42, column 'y': '3\.5a' is not a number/);
    expect(existsSync(save)).toBe(false);
  });

  it('an unwritable --save or --out fails before any training', async () => {
    const notADir = csv('plain-file.txt', ['x']);
    const r = await cli(['train', '--data', good, '--target', 'y', '--epochs', '600', '--save', join(notADir, 'm.json'), '--backend', 'cpu']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--save: cannot write to .*plain-file\.txt \((ENOTDIR|EEXIST)\)/);
    expect(r.out).not.toMatch(/training/);
    const e = await cli(['experiment', 'pruning', '--quick', '--out', join(notADir, 'results'), '--backend', 'cpu']);
    expect(e.code).toBe(2);
    expect(e.err).toMatch(/--out: cannot write to/);
  });

  it('--save replaces a model atomically (no temporary file left, the old file intact when saving fails)', async () => {
    const save = join(dir, 'model.json');
    const r = await cli(['train', '--data', good, '--target', 'y', '--epochs', '6', '--save', save, '--backend', 'cpu']);
    expect(r.code, r.err).toBe(0);
    expect(loadModel(JSON.parse(readFile(save, 'utf8'))).config.arch).toBe('net');
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('a diverging run stops with a message suggesting a lower lr, and is not saved unless --force', async () => {
    const rng = new C.RNG(3);
    const x = Float64Array.from({ length: 200 }, () => rng.normal());
    const data: Dataset = { x, y: Float64Array.from({ length: 100 }, (_, i) => x[2 * i]!), n: 100, d: 2, task: 'regression', outputs: 1 };
    const prev = C.setBackend(new C.CpuBackend());
    try {
      const net = psilonNet({ inDim: 2, hidden: 16, outDim: 1, seed: 1 });
      await expect(train(net, data, { epochs: 20, batchSize: 20, lr: 1e3, lambda: 0, progress: false, schedule: { kind: 'constant' } }))
        .rejects.toThrow(DivergenceError);
      net.dispose();
    } finally { C.setBackend(prev); }
    const save = join(dir, 'diverged.json');
    const r = await cli(['train', '--data', good, '--target', 'y', '--epochs', '30', '--lr', '1e3', '--save', save, '--backend', 'cpu']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/diverged at epoch \d+: .*lower the learning rate/);
    expect(existsSync(save)).toBe(false);
  });

  it('size limits: a huge width is a clear error at once, and loadModel checks a file before building anything', async () => {
    expect(() => psilonNet({ inDim: 13, hidden: 1_000_000_000, outDim: 1 })).toThrow(/parameters, over the limit of 2\.68e\+8/);
    const t0 = performance.now();
    const tiny = { format: 'psilon-model', version: 2, config: { arch: 'net', inDim: 13, hidden: 100000, outDim: 1, nHidden: 3, share: true, norm: 'l1', bias: true, regularizer: 'pathnorm', dtype: 'float32' }, parameters: [] };
    expect(() => loadModel(tiny as never)).toThrow(/config.nHidden 3 needs at least 8 parameter arrays, the file has 0/);
    expect(performance.now() - t0).toBeLessThan(1000);
    const r = await cli(['train', '--hidden', '1000000000', '--epochs', '6']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/over the limit/);
  });

  it('parameterLayout (from the config alone) agrees with every model\'s namedParameters', async () => {
    const { NormNet, NormResNet, parameterLayout } = await import('psilon');
    for (const make of [
      () => new NormNet({ inDim: 3, hidden: 4, outDim: 2, nHidden: 3, share: true }), () => new NormNet({ inDim: 3, hidden: 4, outDim: 2, nHidden: 1, share: false, bias: false }),
      () => new NormResNet({ inDim: 3, hidden: 4, outDim: 2, nHidden: 4, share: true }), () => new NormResNet({ inDim: 3, hidden: 4, outDim: 1, nHidden: 2, share: false, norm: 'l2' }),
    ]) {
      const m = make();
      expect(parameterLayout(m.config)).toEqual(m.namedParameters().map(([name, t]) => ({ name, shape: [...t.shape] })));
      m.dispose();
    }
  });

  it('--epochs too small for OneCycle says how many are needed, for 1 as for 5', async () => {
    for (const e of ['1', '5']) {
      const r = await cli(['train', '--data', good, '--target', 'y', '--epochs', e, '--backend', 'cpu']);
      expect(r.code).toBe(2); // a usage error, found before the data is read
      expect(r.err).toMatch(/--epochs \d is too few for --schedule onecycle with --pct-start 0\.2 .*use --epochs 6 or more, or --schedule constant/);
    }
  });

  it('different runs never share a run folder; the same command does (to resume)', async () => {
    const { runFolder } = await import('psilon');
    const a = runFolder('r', 'tabular', { size: 'quick', seed: 0 }), b = runFolder('r', 'tabular', { size: 'quick', seed: 1 });
    expect(a).not.toBe(b);
    expect(runFolder('r', 'tabular', { size: 'quick', seed: 0 })).toBe(a);
    expect(runFolder('r', 'tabular', { size: 'quick', seed: 0, file: 'x.csv' })).not.toBe(a);
  });

  it('names are looked up as own properties only: --model toString and experiment constructor are usage errors', async () => {
    expect((await cli(['train', '--model', 'toString', '--epochs', '6'])).err).toMatch(/unknown model 'toString'/);
    expect((await cli(['experiment', 'constructor'])).code).toBe(2);
    expect((await cli(['experiment', 'tabular', '--size', 'toString'])).code).toBe(2);
  });
});

/** Each test here fails under one of the one-line source mutations that the suite used to miss. */
describe('tests that catch real changes', () => {
  const rng = new C.RNG(9);
  const x = Float64Array.from({ length: 120 }, () => rng.normal());
  const data: Dataset = { x, y: Float64Array.from({ length: 60 }, (_, i) => x[2 * i]! - x[2 * i + 1]!), n: 60, d: 2, task: 'regression', outputs: 1 };
  const opts = { epochs: 8, batchSize: 15, lr: 1e-2, lambda: 1e-3, progress: false };
  const withCpu = async <T>(f: () => Promise<T>): Promise<T> => {
    const prev = C.setBackend(new C.CpuBackend());
    try { return await f(); } finally { C.setBackend(prev); }
  };

  it('the reported Lipschitz bound is the closed form exactly (R_net = 9 for g = (2, −0.5, 3), g_K = (1, −2))', async () => withCpu(async () => {
    const { lipschitzBound } = await import('psilon');
    const net = psilonNet({ inDim: 2, hidden: 3, outDim: 2, nHidden: 3, dtype: 'float64' });
    C.noGrad(() => net.gains().forEach((g, i) => g.assign(C.tensor([[2], [-0.5], [3], [1, -2]][i]!, g.shape, { dtype: 'float64' }))));
    expect((await lipschitzBound(net)).value).toBe(9);
  }));

  it('mini-batches are shuffled by the seed (shuffle: false makes the seed irrelevant)', async () => withCpu(async () => {
    const run = async (seed: number, shuffle?: boolean) => {
      const net = psilonNet({ inDim: 2, hidden: 8, outDim: 1, seed: 1 });
      const r = await train(net, data, { ...opts, seed, shuffle });
      net.dispose();
      return r.history.map((h) => h.trainLoss);
    };
    expect(await run(1)).not.toEqual(await run(2));
    expect(await run(1, false)).toEqual(await run(2, false));
  }));

  it('evaluate reports RMSE = √MSE for regression (a zero model predicts 0: MSE = mean(y²))', async () => withCpu(async () => {
    const { evaluate } = await import('psilon');
    const net = psilonNet({ inDim: 2, hidden: 4, outDim: 1, seed: 1 });
    C.noGrad(() => { for (const g of net.gains()) g.assign(C.zerosLike(g)); });
    const mse = data.y.reduce((s, v) => s + v * v, 0) / data.n;
    const r = await evaluate(net, data);
    expect(r.loss).toBeCloseTo(mse, 5);
    expect(r.metric).toBeCloseTo(Math.sqrt(mse), 5);
  }));

  it('a regression target is scaled by half its interquartile range', async () => {
    const { fitTargetScaler } = await import('psilon');
    const s = fitTargetScaler({ ...data, y: Float64Array.from([1, 2, 3, 4, 5]), n: 5 });
    expect(s).toEqual({ median: 3, halfIqr: 1 }); // IQR of 1…5 is 4 − 2 = 2
  });

  it('training with pruneSteps ends by freezing the projection into the raw weights (exact zeros, blend off)', async () => withCpu(async () => {
    const net = psilonNet({ inDim: 2, hidden: 8, outDim: 1, seed: 1 });
    C.noGrad(() => net.embedder.v.assign(C.mul(net.embedder.v, 3))); // raw columns with ‖v‖₁ > 1 get exact zeros
    await train(net, data, { ...opts, pruneSteps: 10 });
    expect(net.layers().every((l) => l.pruning === null)).toBe(true);
    expect(Array.from(net.embedder.v.dataSync()).some((v) => v === 0)).toBe(true);
    net.dispose();
  }));

  it('train refuses an empty dataset and x/y lengths that disagree with n', async () => withCpu(async () => {
    const net = psilonNet({ inDim: 2, hidden: 4, outDim: 1, seed: 1 });
    await expect(train(net, { ...data, n: 0, x: new Float64Array(0), y: new Float64Array(0) }, opts)).rejects.toThrow(/0 rows; at least 1/);
    await expect(train(net, { ...data, y: data.y.slice(1) }, opts)).rejects.toThrow(/y holds 59 values for 60 rows/);
    net.dispose();
  }));
});

describe('psilon predict and evaluate on a saved model', () => {
  it('score new rows with the training preprocessing; predictions and evaluate agree; a missing feature is a clear error', async () => {
    const rows = numericRows(90, (i) => String(((i % 7) * 2 + ((i * 3) % 11)) / 3));
    const trainFile = csv('fit.csv', rows.slice(0, 81)), newFile = csv('new.csv', [rows[0]!, ...rows.slice(81)]);
    const model = join(dir, 'scored.json');
    const r = await cli(['train', '--data', trainFile, '--target', 'y', '--epochs', '30', '--hidden', '16', '--save', model, '--backend', 'cpu']);
    expect(r.code, r.err).toBe(0);
    const preds = join(dir, 'preds.csv');
    const p = await cli(['predict', '--model-file', model, '--data', newFile, '--out', preds, '--backend', 'cpu']);
    expect(p.code, p.err).toBe(0);
    const lines = readFile(preds, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('y_predicted');
    expect(lines.length).toBe(11); // header + the 10 new rows
    const ys = rows.slice(81).map((l) => Number(l.split(',')[2]));
    const rmse = Math.sqrt(lines.slice(1).reduce((s, v, i) => s + (Number(v) - ys[i]!) ** 2, 0) / ys.length);
    const e = await cli(['evaluate', '--model-file', model, '--data', newFile, '--backend', 'cpu']);
    expect(e.code, e.err).toBe(0);
    const shown = Number(/RMSE \(target units\)\s+([\d.e+-]+)/.exec(e.out)![1]);
    expect(Math.abs(shown - rmse) / rmse).toBeLessThan(1e-3);
    const noB = csv('nob.csv', ['a,y', '1,2', '3,4']);
    const bad = await cli(['predict', '--model-file', model, '--data', noB, '--backend', 'cpu']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/lacks the feature column\(s\) b/);
  });
});

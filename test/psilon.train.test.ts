/** PSiLON Net and ResNet train on small synthetic tasks; pruning gives exact zeros at a bounded cost. */
import { describe, expect, it, vi } from 'vitest';
import * as C from '@psilon/core';
import { Adam, CpuBackend, NonFiniteLossError, RNG, Tensor, type Backend } from '@psilon/core';
import { describeBackends, TRAINING_BACKENDS } from './helpers/backends.js';
import {
  batchTensors, evaluate, exactSparsity, objective, prune, psilonNet, psilonResNet, regularizer, taskLoss, train, trainStep, selectLambda, type Dataset,
} from 'psilon';

function regression(n: number, seed: number): Dataset {
  const rng = new RNG(seed), d = 6;
  const x = new Float64Array(n * d), y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) x[i * d + j] = rng.normal();
    y[i] = Math.sin(x[i * d]!) + 0.5 * x[i * d + 1]! * x[i * d + 2]! + 0.1 * rng.normal();
  }
  return { x, y, n, d, task: 'regression', outputs: 1 };
}

function blobs(n: number, seed: number): Dataset {
  const rng = new RNG(seed), d = 4, k = 3;
  const centers = [[2, 0, 0, 0], [-1, 2, 0, 0], [-1, -2, 0, 1]];
  const x = new Float64Array(n * d), y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    y[i] = c;
    for (let j = 0; j < d; j++) x[i * d + j] = centers[c]![j]! + 0.7 * rng.normal();
  }
  return { x, y, n, d, task: 'multiclass', outputs: k };
}

describe('training', () => {
  it('PSiLON Net on regression: the regularized objective goes down; pruning reaches exact sparsity within 2× the loss', async () => {
    const data = regression(256, 1), val = regression(128, 2);
    const opts = { epochs: 40, batchSize: 64, lr: 1e-2, lambda: 1e-3, validation: val, progress: false };
    const net = psilonNet({ inDim: 6, hidden: 32, outDim: 1, nHidden: 3, seed: 1 });
    const res = await train(net, data, opts);
    const first = res.history[0]!, last = res.history[res.history.length - 1]!;
    expect(last.objective).toBeLessThan(first.objective * 0.5);
    expect(res.valMetric!).toBeLessThan(0.8); // RMSE; the target's std is ≈ 0.9
    expect(res.exactSparsity).toBe(0);

    const pruned = psilonNet({ inDim: 6, hidden: 32, outDim: 1, nHidden: 3, seed: 1 });
    const resP = await train(pruned, data, { ...opts, pruneSteps: 60 });
    expect(resP.exactSparsity).toBeGreaterThan(0.05);
    const unprunedLoss = (await evaluate(net, data)).loss;
    const prunedLoss = (await evaluate(pruned, data)).loss;
    expect(prunedLoss).toBeLessThan(2 * unprunedLoss);
    // pruning again changes nothing: already on the sphere
    prune(pruned);
    expect(exactSparsity(pruned)).toBeCloseTo(resP.exactSparsity, 12);
  });

  it('PSiLON ResNet on 3-class blobs: loss goes down, accuracy > 85%, pruning keeps accuracy', async () => {
    const data = blobs(240, 3), val = blobs(120, 4);
    const opts = { epochs: 30, batchSize: 60, lr: 2e-2, lambda: 1e-4, validation: val, progress: false };
    const model = psilonResNet({ inDim: 4, hidden: 16, outDim: 3, nHidden: 3, seed: 2 });
    const res = await train(model, data, opts);
    expect(res.history.at(-1)!.objective).toBeLessThan(res.history[0]!.objective);
    expect(res.valMetric!).toBeGreaterThan(0.85);
    const pruned = psilonResNet({ inDim: 4, hidden: 16, outDim: 3, nHidden: 3, seed: 2 });
    const resP = await train(pruned, data, { ...opts, pruneSteps: 40 });
    expect(resP.exactSparsity).toBeGreaterThan(0);
    expect(resP.valMetric!).toBeGreaterThan(0.8);
    expect(resP.history.at(-1)!.trainLoss).toBeLessThan(3 * res.history.at(-1)!.trainLoss + 0.05);
  });

  it('selects λ on the final-epoch validation loss and stops clearly on a non-finite loss', async () => {
    const data = regression(128, 5), val = regression(64, 6);
    const { best, runs } = await selectLambda(() => psilonNet({ inDim: 6, hidden: 8, outDim: 1, nHidden: 2, seed: 3 }), data, {
      grid: [1e-4, 1e-1, 10], epochs: 10, batchSize: 64, lr: 1e-2, validation: val, progress: false,
    });
    expect(runs.map((r) => r.lambda)).toEqual([1e-4, 1e-1, 10]);
    expect(best.result.valLoss).toBe(Math.min(...runs.map((r) => r.result.valLoss!)));
    // warm start (the reference code's behaviour): one model carried across the grid
    const warm = await selectLambda(() => psilonNet({ inDim: 6, hidden: 8, outDim: 1, nHidden: 2, seed: 3 }), data, {
      grid: [1e-4, 1e-1], epochs: 10, batchSize: 64, lr: 1e-2, validation: val, progress: false, warmStart: true,
    });
    expect(warm.runs[1]!.model).toBe(warm.runs[0]!.model);
    expect(warm.runs[1]!.result.history[0]!.trainLoss).toBeLessThan(runs[1]!.result.history[0]!.trainLoss);
    const bad = psilonNet({ inDim: 6, hidden: 8, outDim: 1, nHidden: 2, seed: 3 });
    const diverged = train(bad, data, { epochs: 10, batchSize: 64, lr: 1e30, lambda: 0, progress: false });
    await expect(diverged).rejects.toThrow(/^train: epoch \d+, step \d+: the loss is (NaN|-?Infinity) \(non-finite\); lower the learning rate or λ$/);
    await expect(diverged).rejects.toBeInstanceOf(NonFiniteLossError);
    await expect(train(bad, data, { epochs: 5, batchSize: 64, lr: 1e-2, lambda: 0 })).rejects.toThrow(/pctStart·epochs > 1 .* at least 6 epochs/);
    await expect(train(bad, { ...data, d: 5 }, { epochs: 10, batchSize: 64, lr: 1e-2, lambda: 0 })).rejects.toThrow(/data has 5 features, the model expects 6/);
    await expect(train(bad, data, { epochs: 10, batchSize: 64, lr: 1e-2, lambda: 0, lamda: 1 } as never)).rejects.toThrow(/unknown option 'lamda'/);
  });
});

describe('divergence', () => {
  it('is judged against the whole training set before the first step, not against the first batch', async () => {
    // the first batch holds only zero targets, where the fresh net's loss is tiny; the epoch's mean is not
    const n = 30, d = 3, x = new Float64Array(n * d), y = new Float64Array(n);
    const rng = new RNG(3);
    for (let i = 0; i < n * d; i++) x[i] = 0.01 * rng.normal();
    for (let i = 0; i < n; i++) y[i] = i >= 3 && i % 4 === 0 ? 8 : 0;
    const data: Dataset = { x, y, n, d, task: 'regression', outputs: 1 };
    const net = psilonNet({ inDim: d, hidden: 8, outDim: 1, nHidden: 2, seed: 0 });
    const r = await train(net, data, { epochs: 2, batchSize: 3, lr: 1e-3, lambda: 0, shuffle: false, schedule: { kind: 'constant' } });
    expect(r.history.length).toBe(2);
    net.dispose();
  });
});

describe('trainStep', () => {
  const data = regression(64, 7);
  const all = Array.from({ length: data.n }, (_, i) => i);

  it('is one Adam step on 0.5·L + 0.5·λ·R: it reads back L, the objective and R from before the update, and leaves the batch to the caller', async () => {
    const net = psilonNet({ inDim: 6, hidden: 8, outDim: 1, nHidden: 2, seed: 4, dtype: 'float64' });
    const batch = batchTensors(data, all, 'float64');
    const [L, R] = C.noGrad(() => [taskLoss('regression', net.forward(batch.x), batch.y).itemSync(), regularizer(net).itemSync()]);
    const before = net.parameters().map((p) => Float64Array.from(p.dataSync()));
    const opt = new Adam(net.parameters(), { lr: 1e-2 });
    const r = await trainStep(net, opt, batch, { task: 'regression', lambda: 0.1 });
    expect(r.loss).toBeCloseTo(L, 12);
    expect(r.regularizer).toBeCloseTo(R, 12);
    expect(r.objective).toBeCloseTo(0.5 * L + 0.5 * 0.1 * R, 12);
    const sum = await trainStep(net, opt, batch, { task: 'regression', lambda: 0.1, objective: 'sum' });
    expect(sum.objective).toBeCloseTo(sum.loss + 0.1 * sum.regularizer, 12);
    // every parameter moved (Adam's first step moves each by ≈ lr), the batch is still alive
    net.parameters().forEach((p, i) => expect(Array.from(p.dataSync())).not.toEqual(Array.from(before[i]!)));
    expect(batch.x.isDisposed || batch.y.isDisposed).toBe(false);
    // R is NaN when not computed, computed on request when λ = 0
    expect((await trainStep(net, opt, batch, { task: 'regression', lambda: 0 })).regularizer).toBeNaN();
    expect((await trainStep(net, opt, batch, { task: 'regression', lambda: 0, regularizer: true })).regularizer).toBeGreaterThan(0);
    await expect(trainStep(net, opt, batch, { task: 'regression', lambda: -1 })).rejects.toThrow(/trainStep: lambda must be ≥ 0, got -1/);
    await expect(trainStep(net, opt, batch, { task: 'regression', lambda: 0, objectve: 'sum' } as never)).rejects.toThrow(/trainStep: unknown option 'objectve'/);
    opt.dispose(); net.dispose(); batch.x.dispose(); batch.y.dispose();
  });

  it('records synchronously: two steps started together have both updated their models before either reads back', async () => {
    const nets = [1, 2].map((seed) => psilonNet({ inDim: 6, hidden: 8, outDim: 1, nHidden: 2, seed }));
    const opts = nets.map((n) => new Adam(n.parameters(), { lr: 1e-2 }));
    const batch = batchTensors(data, all, 'float32');
    const g0 = nets.map((n) => Array.from(n.embedder.v.dataSync()));
    const pending = nets.map((n, i) => trainStep(n, opts[i]!, batch, { task: 'regression', lambda: 1e-3 }));
    // no await yet: both steps are already recorded (and, on this synchronous backend, run)
    nets.forEach((n, i) => expect(Array.from(n.embedder.v.dataSync())).not.toEqual(g0[i]));
    const results = await Promise.all(pending);
    expect(results.every((r) => Number.isFinite(r.loss))).toBe(true);
    opts.forEach((o) => o.dispose()); nets.forEach((n) => n.dispose()); batch.x.dispose(); batch.y.dispose();
  });

  it('checks finiteness once, after its own read-back: no synchronous read-back in the losses or backward()', async () => {
    const sync = vi.spyOn(Tensor.prototype, 'dataSync');
    try {
      for (const [model, task, d] of [
        [psilonNet({ inDim: 6, hidden: 8, outDim: 1, nHidden: 2 }), 'regression', data],
        [psilonResNet({ inDim: 4, hidden: 8, outDim: 3, nHidden: 2 }), 'multiclass', blobs(30, 1)],
        [psilonNet({ inDim: 6, hidden: 8, outDim: 1, nHidden: 2 }), 'binary', { ...data, task: 'binary', y: data.y.map((v) => (v > 0 ? 1 : 0)) }],
      ] as const) {
        const opt = new Adam(model.parameters(), { lr: 1e-2 });
        const batch = batchTensors(d, Array.from({ length: d.n }, (_, i) => i), 'float32');
        await trainStep(model, opt, batch, { task, lambda: 1e-3 });
        opt.dispose(); model.dispose(); batch.x.dispose(); batch.y.dispose();
      }
      expect(sync).not.toHaveBeenCalled();
    } finally { sync.mockRestore(); }
    // a non-finite target: the losses return NaN (no throw inside core), trainStep names where it stopped
    const net = psilonNet({ inDim: 6, hidden: 8, outDim: 1, nHidden: 2 });
    const opt = new Adam(net.parameters(), { lr: 1e-2 });
    const x = C.tensor(data.x, [data.n, 6]), y = C.full([data.n, 1], Number.NaN);
    const loss = C.noGrad(() => objective(taskLoss('regression', net.forward(x), y), null, 0));
    expect(loss.itemSync()).toBeNaN();
    await expect(trainStep(net, opt, { x, y }, { task: 'regression', lambda: 0, where: 'epoch 2, step 9' })).rejects.toThrow(/^epoch 2, step 9: the loss is NaN \(non-finite\)/);
    // L finite, λ·R overflowing: the objective is named (on a fresh model: the NaN step above poisoned this one)
    const finiteY = C.tensor(data.y, [data.n, 1]), fresh = psilonNet({ inDim: 6, hidden: 8, outDim: 1, nHidden: 2 });
    const freshOpt = new Adam(fresh.parameters(), { lr: 1e-2 });
    await expect(trainStep(fresh, freshOpt, { x, y: finiteY }, { task: 'regression', lambda: 1e308, where: 'here' }))
      .rejects.toThrow(/^here: the loss is Infinity \(non-finite\); it is the objective: L = [\d.e+-]+ is finite, so λ·R overflowed; lower λ or the learning rate$/);
    finiteY.dispose(); x.dispose(); y.dispose(); fresh.dispose(); freshOpt.dispose();
    opt.dispose(); net.dispose();
  });
});

describeBackends('trainStep', (it) => {
  const data = regression(48, 8);
  const all = Array.from({ length: data.n }, (_, i) => i);
  /** Two models' steps started together, then one more step of the first; the read-back values and the backend's submissions. */
  async function steps(be: Backend) {
    const prev = C.setBackend(be);
    try {
      const nets = [psilonNet({ inDim: 6, hidden: 8, outDim: 1, nHidden: 2, seed: 1 }), psilonResNet({ inDim: 6, hidden: 8, outDim: 1, nHidden: 3, seed: 2 })];
      const opts = nets.map((n) => new Adam(n.parameters(), { lr: 1e-2 }));
      const batch = batchTensors(data, all, 'float32');
      const submissions = () => (be as { stats?: () => { submissions: number } }).stats?.().submissions;
      const s0 = submissions();
      const both = await Promise.all(nets.map((n, i) => trainStep(n, opts[i]!, batch, { task: 'regression', lambda: 1e-3 })));
      const s1 = submissions();
      const next = await trainStep(nets[0]!, opts[0]!, batch, { task: 'regression', lambda: 1e-3, objective: 'sum' });
      const s2 = submissions();
      opts.forEach((o) => o.dispose()); nets.forEach((n) => n.dispose()); batch.x.dispose(); batch.y.dispose();
      return { values: [...both, next], submitted: s0 === undefined ? undefined : [s1! - s0, s2! - s1!] };
    } finally { C.setBackend(prev); }
  }
  it('agrees with cpu float32; on webgpu one submission per read-back (both models\' steps go in the first)', async (be) => {
    const want = await steps(new CpuBackend());
    const got = await steps(be);
    got.values.forEach((r, i) => {
      for (const k of ['loss', 'objective', 'regularizer'] as const) expect(r[k], `${i} ${k}`).toBeCloseTo(want.values[i]![k], 4);
    });
    if (got.submitted) expect(got.submitted).toEqual([2, 1]);
  });
}, TRAINING_BACKENDS);

/** PSiLON Net and ResNet train on small synthetic tasks; pruning gives exact zeros at a bounded cost. */
import { describe, expect, it } from 'vitest';
import { RNG } from '@psilon/core';
import { evaluate, exactSparsity, prune, psilonNet, psilonResNet, train, selectLambda, type Dataset } from 'psilon';

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
    await expect(train(bad, data, { epochs: 10, batchSize: 64, lr: 1e30, lambda: 0, progress: false })).rejects.toThrow(/non-finite loss at epoch \d+, step \d+/);
    await expect(train(bad, data, { epochs: 5, batchSize: 64, lr: 1e-2, lambda: 0 })).rejects.toThrow(/pctStart·epochs > 1 .* at least 6 epochs/);
    await expect(train(bad, { ...data, d: 5 }, { epochs: 10, batchSize: 64, lr: 1e-2, lambda: 0 })).rejects.toThrow(/data has 5 features, the model expects 6/);
    await expect(train(bad, data, { epochs: 10, batchSize: 64, lr: 1e-2, lambda: 0, lamda: 1 } as never)).rejects.toThrow(/unknown option 'lamda'/);
  });
});

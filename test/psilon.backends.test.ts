/**
 * Training end to end on every backend (helpers/backends.ts; gpu.js webgpu over
 * lavapipe in CI exercises the asynchronous read-back path of `train`, `evaluate`
 * and the sparsity report) against the same run on the float32 cpu backend.
 */
import { expect } from 'vitest';
import * as C from '@psilon/core';
import { CpuBackend, type Backend } from '@psilon/core';
import { describeBackends, TRAINING_BACKENDS } from './helpers/backends.js';
import { evaluate, lipschitzBound, psilonNet, psilonResNet, train, type Dataset, type Model } from 'psilon';

function blobs(n: number, seed: number): Dataset {
  const rng = new C.RNG(seed), d = 4;
  const x = new Float64Array(n * d), y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 3;
    for (let j = 0; j < d; j++) x[i * d + j] = (j === y[i] ? 2 : 0) + 0.7 * rng.normal();
  }
  return { x, y, n, d, task: 'multiclass', outputs: 3 };
}

async function run(be: Backend, make: () => Model, pruneSteps?: number) {
  C.setBackend(be);
  const model = make();
  const res = await train(model, blobs(90, 1), { epochs: 6, batchSize: 30, lr: 1e-2, lambda: 1e-3, validation: blobs(30, 2), progress: false, ...(pruneSteps ? { pruneSteps } : {}) });
  const test = await evaluate(model, blobs(30, 3));
  const bound = (await lipschitzBound(model)).value;
  model.dispose();
  return { losses: res.history.map((h) => h.objective), test, near: res.nearSparsity, exact: res.exactSparsity, bound };
}

describeBackends('training matches cpu float32', (it) => {
  for (const [name, make, pruneSteps] of [
    ['PSiLON Net', () => psilonNet({ inDim: 4, hidden: 12, outDim: 3, nHidden: 3, seed: 5 }), undefined],
    ['PSiLON ResNet', () => psilonResNet({ inDim: 4, hidden: 12, outDim: 3, nHidden: 3, seed: 5 }), undefined],
    ['PSiLON ResNet, pruned over the last 6 steps', () => psilonResNet({ inDim: 4, hidden: 12, outDim: 3, nHidden: 3, seed: 5 }), 6],
  ] as const) {
    it(name, async (be) => {
      try {
        const got = await run(be, make, pruneSteps);
        const want = await run(new CpuBackend(), make, pruneSteps);
        if (pruneSteps) expect(want.exact).toBeGreaterThan(0.1); // the projection really zeroed weights
        expect(Math.abs(got.exact - want.exact)).toBeLessThan(0.01);
        got.losses.forEach((l, i) => expect(Math.abs(l - want.losses[i]!) / want.losses[i]!).toBeLessThan(1e-4));
        expect(got.test.metric).toBe(want.test.metric);
        expect(Math.abs(got.near - want.near)).toBeLessThan(1e-4);
        expect(Math.abs(got.bound - want.bound) / want.bound).toBeLessThan(1e-5);
      } finally {
        C.setBackend(new CpuBackend());
      }
    });
  }
}, TRAINING_BACKENDS.filter((c) => c.label !== 'cpu float32'));

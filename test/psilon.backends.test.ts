/**
 * Training end to end on every backend (helpers/backends.ts; gpu.js webgpu over
 * lavapipe in CI exercises the asynchronous read-back path of `train`, `evaluate`
 * and the sparsity report) against the same run on the float32 cpu backend.
 */
import { expect } from 'vitest';
import * as C from '@psilon/core';
import { CpuBackend } from '@psilon/core';
import { describeBackends, TRAINING_BACKENDS } from './helpers/backends.js';
import { psilonNet, psilonResNet } from 'psilon';
import { trainOnBlobs } from './helpers/training.js';

describeBackends('training matches cpu float32', (it) => {
  for (const [name, make, pruneSteps] of [
    ['PSiLON Net', () => psilonNet({ inDim: 4, hidden: 12, outDim: 3, nHidden: 3, seed: 5 }), undefined],
    ['PSiLON ResNet', () => psilonResNet({ inDim: 4, hidden: 12, outDim: 3, nHidden: 3, seed: 5 }), undefined],
    ['PSiLON ResNet, pruned over the last 6 steps', () => psilonResNet({ inDim: 4, hidden: 12, outDim: 3, nHidden: 3, seed: 5 }), 6],
  ] as const) {
    it(name, async (be) => {
      try {
        const got = await trainOnBlobs(be, make, pruneSteps);
        const want = await trainOnBlobs(new CpuBackend(), make, pruneSteps);
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

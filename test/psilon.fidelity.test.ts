/**
 * The reference protocols replayed through the public `train()` API: from the
 * author's initial parameters, every step's loss, R, lr and β₁ and the final
 * parameters must match the author's PyTorch run (float64) to 1e-10 relative.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import * as C from '@psilon/core';
import { NormNet, NormResNet, train, type Dataset, type Model, type TrainOptions } from 'psilon';

const load = <T>(name: string): T => JSON.parse(gunzipSync(readFileSync(new URL(`./fixtures/fidelity/${name}.json.gz`, import.meta.url))).toString()) as T;

interface Golden {
  lambda: number; steps: number; lr: number; schedule: 'const' | 'onecycle';
  init: Record<string, unknown[]>; final: Record<string, unknown[]>;
  trajectory: { step: number; loss: number; reg: number; obj: number; lr: number; beta1: number }[];
}

const data = load<{ X: number[][]; y: number[] }>('data');
const boston: Dataset = { x: Float64Array.from(data.X.flat()), y: Float64Array.from(data.y), n: data.y.length, d: 13, task: 'regression', outputs: 1 };

const MODELS: Record<string, () => Model> = {
  'net-const': () => new NormNet({ inDim: 13, hidden: 64, outDim: 1, nHidden: 3, share: true, norm: 'l1', regularizer: 'pathnorm', dtype: 'float64' }),
  'net-onecycle': () => new NormNet({ inDim: 13, hidden: 64, outDim: 1, nHidden: 3, share: true, norm: 'l1', regularizer: 'pathnorm', dtype: 'float64' }),
  'standard-const': () => new NormNet({ inDim: 13, hidden: 64, outDim: 1, nHidden: 3, share: false, norm: 'l2', regularizer: 'l2', dtype: 'float64' }),
  'resnet-ib-const': () => new NormResNet({ inDim: 13, hidden: 32, outDim: 1, nHidden: 4, share: true, norm: 'l1', regularizer: 'ib', dtype: 'float64' }),
  'resnet-ob-l1-const': () => new NormResNet({ inDim: 13, hidden: 32, outDim: 1, nHidden: 4, share: false, norm: 'l1', regularizer: 'ob', dtype: 'float64' }),
};

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('reference protocols through train() (float64, cpu)', () => {
  for (const [name, make] of Object.entries(MODELS)) {
    it(`${name}: every step and the final parameters within 1e-10`, async () => {
      const g = load<Golden>(name);
      const prev = C.setBackend(new C.CpuBackend());
      const model = make();
      try {
        const options: TrainOptions = {
          epochs: g.steps, batchSize: boston.n, lr: g.lr, lambda: g.lambda, shuffle: false, init: g.init, recordSteps: true, progress: false,
          schedule: g.schedule === 'const' ? { kind: 'constant' } : { kind: 'onecycle', pctStart: 0.2 },
        };
        const res = await train(model, boston, options);
        expect(res.steps!.length).toBe(g.trajectory.length);
        let worst = 0;
        res.steps!.forEach((s, i) => {
          const want = g.trajectory[i]!;
          for (const [got, exp] of [[s.loss, want.loss], [s.regularizer, want.reg], [s.objective, want.obj], [s.lr, want.lr], [s.beta1, want.beta1]] as const) {
            worst = Math.max(worst, rel(got, exp));
          }
        });
        expect(worst, 'worst relative error over the trajectory').toBeLessThan(1e-10);
        let worstParam = 0;
        for (const [pname, p] of model.namedParameters()) {
          const want = (g.final[pname]! as unknown[]).flat(Infinity) as number[];
          const got = p.dataSync();
          const scale = Math.max(...want.map(Math.abs));
          want.forEach((w, k) => { worstParam = Math.max(worstParam, Math.abs(got[k]! - w) / scale); });
        }
        expect(worstParam, 'worst relative error of the final parameters').toBeLessThan(1e-10);
      } finally {
        model.dispose();
        C.setBackend(prev);
      }
    });
  }

  it('init refuses unknown names and wrong sizes', async () => {
    const model = MODELS['net-const']!();
    const base: TrainOptions = { epochs: 2, batchSize: 400, lr: 1e-3, lambda: 0, progress: false, pctStart: 0.6 };
    await expect(train(model, boston, { ...base, init: { 'embedder.wieght': [1] } })).rejects.toThrow(/'embedder.wieght', which is not a parameter/);
    await expect(train(model, boston, { ...base, init: { 'embedder.g': [1, 2] } })).rejects.toThrow(/'embedder.g' has 2 values .* shape \[1\]/);
    model.dispose();
  });
});

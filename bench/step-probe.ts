import * as C from '@psilon/core';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
const session = new Session(); session.connect();
await session.post('Profiler.enable');
import { CpuBackend, WasmBackend } from '@psilon/kernels';
import { psilonNet, psilonResNet, taskLoss } from 'psilon';
import { regularizer } from '../packages/psilon/src/pathnorm.js';

const configs = [
  { name: 'tabular 13→500×3→1 b400', make: () => psilonNet({ inDim: 13, hidden: 500, outDim: 1, nHidden: 3, seed: 1 }), batch: 400, task: 'regression' as const, d: 13, out: 1 },
  { name: 'deep 784→500 9 blocks b200', make: () => psilonResNet({ inDim: 784, hidden: 500, outDim: 10, nHidden: 10, seed: 1 }), batch: 200, task: 'multiclass' as const, d: 784, out: 10 },
  { name: 'small 784→64 3 blocks b200', make: () => psilonResNet({ inDim: 784, hidden: 64, outDim: 10, nHidden: 4, seed: 1 }), batch: 200, task: 'multiclass' as const, d: 784, out: 10 },
];
const which = process.argv[2] ?? 'wasm';
const be = which === 'cpu' ? new CpuBackend() : await WasmBackend.create({ threads: Number(process.argv[3] ?? 2) });
C.setBackend(be);
for (const cfg of configs) {
  const model = cfg.make();
  const rng = new C.RNG(3);
  const x = C.randn([cfg.batch, cfg.d], { rng });
  const y = cfg.task === 'regression' ? C.randn([cfg.batch, 1], { rng }) : C.tensor(Array.from({ length: cfg.batch }, (_, i) => i % 10), [cfg.batch]);
  const opt = new C.Adam(model.parameters(), { lr: 1e-3 });
  const step = () => {
    const l = C.tidy(() => {
      opt.zeroGrad();
      const loss = C.add(taskLoss(cfg.task, model.forward(x), y), C.mul(regularizer(model), 1e-3));
      loss.backward();
      opt.step();
      return loss.detach();
    });
    const v = l.itemSync(); l.dispose(); return v;
  };
  for (let i = 0; i < 5; i++) step();
  const ts: number[] = [];
  if (process.env.PROF === cfg.name.split(' ')[0]) await session.post('Profiler.start');
  for (let i = 0; i < 9; i++) { const t = performance.now(); step(); ts.push(performance.now() - t); }
  if (process.env.PROF === cfg.name.split(' ')[0]) { const { profile } = await session.post('Profiler.stop'); writeFileSync('/tmp/prof/step.cpuprofile', JSON.stringify(profile)); }
  ts.sort((a, b) => a - b);
  console.log(`${be.description.slice(0, 40)} ${cfg.name}: ${ts[4]!.toFixed(1)} ms`);
  model.dispose();
}
await be.dispose();

/**
 * The device check for a machine with a real GPU (run through the `device` tool; see
 * gpu-bundle.mjs and RESULTS.md). One script, three parts:
 *  1. correctness: every kernel family on gpujs[webgpu] against the float64 cpu backend;
 *  2. a PSiLON ResNet trained for a few steps on gpujs[webgpu] and on cpu: same losses;
 *  3. timings: matmul (one call incl. read-back, and device-resident chains), fused
 *     weight norm, and a training step, beside the cpu backend on the same host.
 * `GPU_CHECK_SMALL=1` shrinks the sizes for a rehearsal on lavapipe.
 */
import { writeFileSync } from 'node:fs';
import { CpuBackend, GpuJsBackend, type Backend, type BackendBuffer } from '@psilon/kernels';
import * as C from '@psilon/core';
import { psilonResNet, taskLoss, regularizer } from 'psilon';
import { median, relErr, seeded } from './harness.js';

const small = process.env.GPU_CHECK_SMALL === '1';
const lines: string[] = [];
const say = (s: string) => { console.log(s); lines.push(s); };


async function correctness(gpu: Backend, ref: Backend): Promise<void> {
  say('\n## 1. Correctness: gpujs[webgpu] vs float64 cpu (max|out − ref| / max|ref|)\n');
  say('| kernel | shape | error |');
  say('| --- | --- | --- |');
  let worst = 0;
  const both = (x: Float64Array) => [gpu.upload(x, 'float32'), ref.upload(Float32Array.from(x), 'float64')] as const;
  const cmp = async (name: string, shape: string, g: BackendBuffer, r: BackendBuffer) => {
    const e = relErr(await gpu.read(g), ref.readSync(r));
    worst = Math.max(worst, e);
    say(`| ${name} | ${shape} | ${e.toExponential(2)} |`);
  };
  for (const [m, k, n] of [[7, 33, 5], [257, 129, 65], [200, 784, 500], [1, 1000, 3]] as const) {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const A = both(seeded(m * k, m + k)), B = both(seeded(k * n, k + n));
      await cmp(`matmul${ta ? ' Aᵀ' : ''}${tb ? ' Bᵀ' : ''}`, `${m}×${k}×${n}`, gpu.matmul(A[0], B[0], m, k, n, ta, tb), ref.matmul(A[1], B[1], m, k, n, ta, tb));
    }
  }
  for (const [i, o] of [[13, 7], [500, 500], [784, 33]] as const) for (const kind of ['l1', 'l2'] as const) for (const pair of [false, true]) {
    const spec = { inDim: i, outDim: o, kind, shared: true };
    const vs = (pair ? [1, 2] : [1]).map((s) => both(seeded(i * o, s * 7)));
    const G = (pair ? [3, 4] : [3]).map((s) => both(seeded(i * o, s * 7)));
    const g = both(Float64Array.of(1.5));
    const fg = gpu.weightNorm(vs.map((v) => v[0]), g[0], spec), fr = ref.weightNorm(vs.map((v) => v[1]), g[1], spec);
    await cmp(`weightNorm ${kind}${pair ? ' pair' : ''}`, `${i}×${o}`, fg.w[0]!, fr.w[0]!);
    const bg = gpu.weightNormBackward(G.map((x) => x[0]), vs.map((v) => v[0]), g[0], fg.norms, spec);
    const br = ref.weightNormBackward(G.map((x) => x[1]), vs.map((v) => v[1]), g[1], fr.norms, spec);
    await cmp(`weightNorm ${kind}${pair ? ' pair' : ''} ∂V`, `${i}×${o}`, bg.dv[0]!, br.dv[0]!);
    await cmp(`weightNorm ${kind}${pair ? ' pair' : ''} ∂g`, `${i}×${o}`, bg.dg, br.dg);
  }
  const L = both(seeded(33 * 10, 5).map((v) => v * 20));
  await cmp('logSoftmax', '33×10', gpu.softmax(L[0], 33, 10, true), ref.softmax(L[1], 33, 10, true));
  const X = both(seeded(3 * 7 * 5, 6));
  await cmp('reduce sum axes [0,2]', '3×7×5', gpu.reduce('sum', X[0], [3, 7, 5], [0, 2]), ref.reduce('sum', X[1], [3, 7, 5], [0, 2]));
  const Y = both(seeded(7, 8));
  await cmp('binary mul broadcast', '3×7×5 · 7×1', gpu.binary('mul', X[0], [3, 7, 5], Y[0], [7, 1], [3, 7, 5]), ref.binary('mul', X[1], [3, 7, 5], Y[1], [7, 1], [3, 7, 5]));
  say(`\nworst error: ${worst.toExponential(2)} (${worst < 1e-4 ? 'PASS' : 'FAIL'} at tolerance 1e-4)`);
}

/** One Adam step on softmax cross-entropy + λ·R; resolves with the objective's value (read back, as training does). */
async function step(model: ReturnType<typeof psilonResNet>, opt: C.Adam, X: C.Tensor, y: C.Tensor, lambda: number): Promise<number> {
  const l = C.tidy(() => {
    opt.zeroGrad();
    const loss = C.add(taskLoss('multiclass', model.forward(X), y), C.mul(regularizer(model), lambda));
    loss.backward();
    opt.step();
    return loss.detach();
  });
  const v = await l.item();
  l.dispose();
  return v;
}

async function trainingAgreement(gpu: Backend): Promise<void> {
  say('\n## 2. PSiLON ResNet, 5 Adam steps on the same data: gpujs[webgpu] vs cpu float32\n');
  const losses = async (be: Backend) => {
    C.setBackend(be);
    const model = psilonResNet({ inDim: 20, hidden: 64, outDim: 3, nHidden: 4, seed: 1 });
    const rng = new C.RNG(2);
    const X = C.randn([128, 20], { rng });
    const y = C.tensor(Float64Array.from({ length: 128 }, (_, i) => i % 3), [128]);
    const opt = new C.Adam(model.parameters(), { lr: 1e-2 });
    const out: number[] = [];
    for (let s = 0; s < 5; s++) out.push(await step(model, opt, X, y, 1e-3));
    model.dispose(); opt.dispose(); X.dispose(); y.dispose();
    return out;
  };
  const g = await losses(gpu);
  const c = await losses(new CpuBackend());
  say(`gpu losses: ${g.map((v) => v.toFixed(6)).join(', ')}`);
  say(`cpu losses: ${c.map((v) => v.toFixed(6)).join(', ')}`);
  say(`max relative difference: ${Math.max(...g.map((v, i) => Math.abs(v - c[i]!) / Math.abs(c[i]!))).toExponential(2)}`);
}

async function timings(gpu: Backend, cpu: Backend): Promise<void> {
  say('\n## 3. Timings (median of 7 after 2 warm-ups)\n');
  say('| backend | kernel | shape | median ms | GFLOP/s |');
  say('| --- | --- | --- | --- | --- |');
  const sizes = small ? [128, 256] : [512, 1024, 2048];
  for (const be of [gpu, cpu]) {
    for (const n of sizes) {
      if (be === cpu && n > 1024) continue;
      const A = be.upload(seeded(n * n, 1), 'float32'), B = be.upload(seeded(n * n, 2), 'float32');
      const once = async () => { const c = be.matmul(A, B, n, n, n, false, false); await be.read(c); be.free(c); };
      const ts: number[] = [];
      for (let r = 0; r < 9; r++) { const t0 = performance.now(); await once(); ts.push(performance.now() - t0); }
      const ms = median(ts.slice(2));
      say(`| ${be.name === 'cpu' ? 'cpu' : be.description.split(';')[0]} | matmul, one call incl. read-back | ${n}³ | ${ms.toFixed(2)} | ${(2 * n ** 3 / ms / 1e6).toFixed(1)} |`);
      if (be === gpu) {
        // device-resident: a chain of 10 products, read back once
        const chain = async () => {
          let c = be.matmul(A, B, n, n, n, false, false);
          for (let i = 0; i < 9; i++) { const d = be.matmul(A, c, n, n, n, false, false); be.free(c); c = d; }
          await be.read(c); be.free(c);
        };
        const tc: number[] = [];
        for (let r = 0; r < 5; r++) { const t0 = performance.now(); await chain(); tc.push(performance.now() - t0); }
        const per = median(tc.slice(1)) / 10;
        say(`| ${be.description.split(';')[0]} | matmul, 10 chained on device, 1 read | ${n}³ | ${per.toFixed(2)} per product | ${(2 * n ** 3 / per / 1e6).toFixed(1)} |`);
      }
      be.free(A); be.free(B);
    }
  }
  say('\n| backend | training step (PSiLON ResNet, batch 256, width 256, 4 blocks, loss read each step) | median ms |');
  say('| --- | --- | --- |');
  for (const be of [gpu, cpu]) {
    C.setBackend(be);
    const model = psilonResNet({ inDim: 784, hidden: small ? 64 : 256, outDim: 10, nHidden: 5, seed: 1 });
    const rng = new C.RNG(3);
    const X = C.randn([256, 784], { rng });
    const y = C.tensor(Float64Array.from({ length: 256 }, (_, i) => i % 10), [256]);
    const opt = new C.Adam(model.parameters(), { lr: 1e-3 });
    const ts: number[] = [];
    for (let s = 0; s < 9; s++) {
      const t0 = performance.now();
      await step(model, opt, X, y, 1e-4);
      ts.push(performance.now() - t0);
    }
    say(`| ${be.name === 'cpu' ? 'cpu' : 'gpujs[webgpu]'} | step | ${median(ts.slice(2)).toFixed(1)} |`);
    model.dispose(); opt.dispose(); X.dispose(); y.dispose();
  }
}

const cpu = new CpuBackend();
const gpu = await GpuJsBackend.create({ mode: 'webgpu' });
say(`# gpu-check on ${gpu.description}`);
say(`node ${process.version}, ${new Date().toISOString()}`);
try {
  await correctness(gpu, cpu);
  await trainingAgreement(gpu);
  await timings(gpu, cpu);
} finally {
  await gpu.dispose();
  if (process.env.OUT) writeFileSync(`${process.env.OUT}/gpu-check.md`, lines.join('\n') + '\n');
}

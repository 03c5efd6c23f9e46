/**
 * The device check for a machine with a real GPU (run through the `device` tool; see
 * gpu-bundle.mjs and README "On a GPU host"). One script, four parts, each printed as
 * Markdown and written to $OUT/gpu-check.md:
 *  1. correctness: every kernel family of the `webgpu` backend (both matmul tiles) against
 *     the float64 cpu backend on odd shapes;
 *  2. agreement: a PSiLON ResNet trained with train(), pruning included, on webgpu and on
 *     cpu float32: losses and exact sparsity;
 *  3. kernels: matmul TFLOP/s at 1024–8192 (device-resident chains and one call with
 *     transfers) and the fused weight norm in GB/s, for webgpu (each tile), gpujs[webgpu]
 *     and PyTorch eager fp32 on CUDA with TF32 off (peers/torch_gpu.py), each result gated;
 *  4. training steps of the paper's deep and tabular configurations (steps.ts) on webgpu,
 *     gpujs[webgpu] and PyTorch on CUDA, every runner gated on its objectives.
 * `GPU_CHECK_SMALL=1` shrinks every size for a rehearsal on the software driver (lavapipe):
 * its numbers check the script, they are not speeds.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { CpuBackend, GpuJsBackend, GPUJS_MAX_ELEMENTS, MATMUL_TILES, WebGpuBackend, type Backend, type BackendBuffer, type MatmulTileName } from '@psilon/kernels';
import * as C from '@psilon/core';
import { psilonResNet, train, type Dataset } from 'psilon';
import { median, relErr, seeded } from './harness.js';
import { benchSteps, python, STEP_CONFIGS } from './steps.js';

const small = process.env.GPU_CHECK_SMALL === '1';
const lines: string[] = [];
const say = (s: string) => { console.log(s); lines.push(s); };
const TOL = 1e-4;

async function correctness(gpu: Backend, ref: Backend, tiles: Record<string, Backend>): Promise<void> {
  say(`\n## 1. Correctness: ${gpu.name} vs float64 cpu (max|out − ref| / max|ref|)\n`);
  say('| kernel | shape | error |');
  say('| --- | --- | --- |');
  let worst = 0;
  const both = (be: Backend, x: Float64Array) => [be.upload(x, 'float32'), ref.upload(Float32Array.from(x), 'float64')] as const;
  const cmp = async (be: Backend, name: string, shape: string, g: BackendBuffer, r: BackendBuffer) => {
    const e = relErr(await be.read(g), ref.readSync(r));
    worst = Math.max(worst, e);
    be.free(g);
    say(`| ${name} | ${shape} | ${e.toExponential(2)} |`);
  };
  for (const [tile, be] of Object.entries(tiles)) {
    for (const [m, k, n] of [[7, 33, 5], [257, 129, 65], [200, 784, 500], [1, 1000, 3]] as const) {
      for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
        const A = both(be, seeded(m * k, m + k)), B = both(be, seeded(k * n, k + n));
        await cmp(be, `matmul (${tile} tile)${ta ? ' Aᵀ' : ''}${tb ? ' Bᵀ' : ''}`, `${m}×${k}×${n}`, be.matmul(A[0], B[0], m, k, n, ta, tb), ref.matmul(A[1], B[1], m, k, n, ta, tb));
        be.free(A[0]); be.free(B[0]);
      }
    }
  }
  for (const [i, o] of [[13, 7], [500, 500], [784, 33]] as const) for (const kind of ['l1', 'l2'] as const) for (const pair of [false, true]) {
    const spec = { inDim: i, outDim: o, kind, shared: true };
    const vs = (pair ? [1, 2] : [1]).map((s) => both(gpu, seeded(i * o, s * 7)));
    const G = (pair ? [3, 4] : [3]).map((s) => both(gpu, seeded(i * o, s * 7)));
    const g = both(gpu, Float64Array.of(1.5));
    const fg = gpu.weightNorm!(vs.map((v) => v[0]), g[0], spec), fr = ref.weightNorm!(vs.map((v) => v[1]), g[1], spec);
    const label = `weightNorm ${kind}${pair ? ' pair' : ''}`;
    const bg = gpu.weightNormBackward!(G.map((x) => x[0]), vs.map((v) => v[0]), g[0], fg.norms, spec);
    const br = ref.weightNormBackward!(G.map((x) => x[1]), vs.map((v) => v[1]), g[1], fr.norms, spec);
    await cmp(gpu, label, `${i}×${o}`, fg.w[0]!, fr.w[0]!);
    await cmp(gpu, `${label} ∂V`, `${i}×${o}`, bg.dv[0]!, br.dv[0]!);
    await cmp(gpu, `${label} ∂g`, `${i}×${o}`, bg.dg, br.dg);
  }
  const Yp = both(gpu, seeded(500 * 500, 9).map(Math.abs).map((v) => v / 200));
  const tg = gpu.sphereTau!(Yp[0], 500, 500), tr = ref.sphereTau!(Yp[1], 500, 500);
  await cmp(gpu, 'sphereTau τ (pruning)', '500×500', tg.tau, tr.tau);
  await cmp(gpu, 'sphereTau support/ρ', '500×500', tg.weight, tr.weight);
  const L = both(gpu, seeded(33 * 10, 5).map((v) => v * 20));
  await cmp(gpu, 'logSoftmax', '33×10', gpu.softmax!(L[0], 33, 10, true), ref.softmax!(L[1], 33, 10, true));
  const X = both(gpu, seeded(3 * 700 * 5, 6));
  await cmp(gpu, 'reduce sum axes [0,2]', '3×700×5', gpu.reduce('sum', X[0], [3, 700, 5], [0, 2]), ref.reduce('sum', X[1], [3, 700, 5], [0, 2]));
  await cmp(gpu, 'reduce max axis 1', '3×700×5', gpu.reduce('max', X[0], [3, 700, 5], [1]), ref.reduce('max', X[1], [3, 700, 5], [1]));
  const Y = both(gpu, seeded(700, 8));
  await cmp(gpu, 'binary mul broadcast', '3×700×5 · 700×1', gpu.binary('mul', X[0], [3, 700, 5], Y[0], [700, 1], [3, 700, 5]), ref.binary('mul', X[1], [3, 700, 5], Y[1], [700, 1], [3, 700, 5]));
  say(`\nworst error: ${worst.toExponential(2)} (${worst < TOL ? 'PASS' : 'FAIL'} at tolerance ${TOL})`);
}

function blobs(n: number, seed: number): Dataset {
  const rng = new C.RNG(seed), d = 20;
  const x = new Float64Array(n * d), y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 3;
    for (let j = 0; j < d; j++) x[i * d + j] = (j === y[i] ? 2 : 0) + 0.7 * rng.normal();
  }
  return { x, y, n, d, task: 'multiclass', outputs: 3 };
}

async function agreement(gpu: Backend): Promise<void> {
  say(`\n## 2. PSiLON ResNet trained with train() (8 epochs, pruned over the last 8 steps): ${gpu.name} vs cpu float32\n`);
  const run = async (be: Backend) => {
    const prev = C.setBackend(be);
    try {
      const model = psilonResNet({ inDim: 20, hidden: 64, outDim: 3, nHidden: 4, seed: 1 });
      const res = await train(model, blobs(256, 1), { epochs: 8, batchSize: 64, lr: 1e-2, lambda: 1e-3, pruneSteps: 8, progress: false });
      model.dispose();
      return { losses: res.history.map((h) => h.objective), exact: res.exactSparsity };
    } finally { C.setBackend(prev); }
  };
  const g = await run(gpu), c = await run(new CpuBackend());
  say(`${gpu.name} objectives: ${g.losses.map((v) => v.toFixed(6)).join(', ')}; exact sparsity ${g.exact.toFixed(4)}`);
  say(`cpu objectives:    ${c.losses.map((v) => v.toFixed(6)).join(', ')}; exact sparsity ${c.exact.toFixed(4)}`);
  const d = Math.max(...g.losses.map((v, i) => Math.abs(v - c.losses[i]!) / Math.abs(c.losses[i]!)));
  say(`max relative difference of the objectives: ${d.toExponential(2)}; of exact sparsity: ${Math.abs(g.exact - c.exact).toExponential(2)}`);
}

/** 64 entries of C = A·B checked against float64 dot products on the host: the gate before a matmul is timed. */
function sampledError(a: Float32Array, b: Float32Array, c: ArrayLike<number>, n: number): number {
  let num = 0, den = 0;
  for (let s = 0; s < 64; s++) {
    const i = (s * 7919) % n, j = (s * 104729) % n;
    let want = 0;
    for (let k = 0; k < n; k++) want += a[i * n + k]! * b[k * n + j]!;
    num = Math.max(num, Math.abs(c[i * n + j]! - want));
    den = Math.max(den, Math.abs(want));
  }
  return num / den;
}

interface Rate { runner: string; what: string; shape: string; ms: number; rate: string }

async function matmulRates(be: Backend, label: string, sizes: number[], rates: Rate[]): Promise<void> {
  for (const n of sizes) {
    const a = Float32Array.from(seeded(n * n, 1)), b = Float32Array.from(seeded(n * n, 2));
    const A = be.upload(a, 'float32'), B = be.upload(b, 'float32');
    const first = be.matmul(A, B, n, n, n, false, false);
    const err = sampledError(a, b, await be.read(first), n);
    be.free(first);
    if (!(err <= TOL)) { say(`- ${label} matmul ${n}³: refused, sampled error ${err.toExponential(2)}`); be.free(A); be.free(B); continue; }
    const chain = async () => { // 10 products on the device, one read
      let c = be.matmul(A, B, n, n, n, false, false);
      for (let i = 0; i < 9; i++) { const d = be.matmul(A, c, n, n, n, false, false); be.free(c); c = d; }
      await be.read(c); be.free(c);
    };
    const once = async () => { // upload both operands, multiply, read back
      const [A2, B2] = [be.upload(a, 'float32'), be.upload(b, 'float32')];
      const c = be.matmul(A2, B2, n, n, n, false, false);
      await be.read(c);
      for (const x of [A2, B2, c]) be.free(x);
    };
    const time = async (f: () => Promise<void>) => { const ts: number[] = []; for (let r = 0; r < 9; r++) { const t0 = performance.now(); await f(); ts.push(performance.now() - t0); } return median(ts.slice(2)); };
    const per = (await time(chain)) / 10, withTransfers = await time(once);
    rates.push({ runner: label, what: 'matmul, device-resident (10 chained, 1 read)', shape: `${n}³`, ms: per, rate: `${(2 * n ** 3 / per / 1e9).toFixed(2)} TFLOP/s` });
    rates.push({ runner: label, what: 'matmul with transfers (upload A, B; read C)', shape: `${n}³`, ms: withTransfers, rate: `${(2 * n ** 3 / withTransfers / 1e9).toFixed(2)} TFLOP/s` });
    be.free(A); be.free(B);
  }
}

/** Weight norm forward W = g·V/n: bytes counted as V read once and W written once (8 bytes per entry), per call in a chain of 10. */
async function weightNormRates(be: Backend, label: string, shapes: [number, number][], rates: Rate[]): Promise<void> {
  const ref = new CpuBackend();
  for (const [i, o] of shapes) {
    const v = seeded(i * o, 3);
    const V = be.upload(v, 'float32'), g = be.upload([1.5], 'float32');
    const spec = { inDim: i, outDim: o, kind: 'l1' as const, shared: true };
    const first = be.weightNorm!([V], g, spec);
    const want = ref.weightNorm([ref.upload(v, 'float64')], ref.upload([1.5], 'float64'), spec);
    const err = relErr(await be.read(first.w[0]!), ref.readSync(want.w[0]!));
    be.free(first.w[0]!); be.free(first.norms);
    if (!(err <= TOL)) { say(`- ${label} weight norm ${i}×${o}: refused, error ${err.toExponential(2)}`); continue; }
    const ts: number[] = [];
    for (let r = 0; r < 9; r++) {
      const t0 = performance.now();
      let last: BackendBuffer | undefined;
      for (let k = 0; k < 10; k++) { const f = be.weightNorm!([V], g, spec); be.free(f.norms); if (last) be.free(last); last = f.w[0]!; }
      await be.read(last!); be.free(last!);
      ts.push((performance.now() - t0) / 10);
    }
    const ms = median(ts.slice(2));
    rates.push({ runner: label, what: 'fused weight norm forward (L1)', shape: `${i}×${o}`, ms, rate: `${(8 * i * o / ms / 1e6).toFixed(1)} GB/s` });
    be.free(V); be.free(g);
  }
}

function torchRates(sizes: number[], shapes: [number, number][], rates: Rate[]): void {
  const script = new URL('./peers/torch_gpu.py', import.meta.url).pathname;
  const r = spawnSync(python(), [script, sizes.join(','), shapes.map(([i, o]) => `${i}x${o}`).join(',')], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) { say(`- PyTorch on CUDA: not run — ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`); return; }
  let label = 'PyTorch';
  for (const line of r.stdout.trim().split('\n')) {
    const j = JSON.parse(line) as { kind: string; name?: string; torch?: string; n?: number; resident_ms?: number; transfer_ms?: number; shape?: [number, number]; ms?: number };
    if (j.kind === 'device') label = `PyTorch ${j.torch} eager fp32 on ${j.name} (TF32 off)`;
    if (j.kind === 'matmul') {
      const n = j.n!;
      rates.push({ runner: label, what: 'matmul, device-resident (10 chained)', shape: `${n}³`, ms: j.resident_ms!, rate: `${(2 * n ** 3 / j.resident_ms! / 1e9).toFixed(2)} TFLOP/s` });
      rates.push({ runner: label, what: 'matmul with transfers (A, B to the card; C back)', shape: `${n}³`, ms: j.transfer_ms!, rate: `${(2 * n ** 3 / j.transfer_ms! / 1e9).toFixed(2)} TFLOP/s` });
    }
    if (j.kind === 'weightnorm') {
      const [i, o] = j.shape!;
      rates.push({ runner: label, what: 'weight norm forward (L1), eager', shape: `${i}×${o}`, ms: j.ms!, rate: `${(8 * i * o / j.ms! / 1e6).toFixed(1)} GB/s` });
    }
  }
}

async function kernels(webgpu: Record<string, WebGpuBackend>, gpujs: Backend | undefined, torch: boolean): Promise<void> {
  say('\n## 3. Kernels (median of 7 after 2 warm-ups; every result gated against float64 first)\n');
  const sizes = small ? [128, 256] : [1024, 2048, 4096, 8192];
  const shapes: [number, number][] = small ? [[784, 64]] : [[784, 500], [4096, 4096], [8192, 8192]];
  const rates: Rate[] = [];
  for (const [tile, be] of Object.entries(webgpu)) await matmulRates(be, `webgpu, ${tile} tile`, sizes, rates);
  await weightNormRates(webgpu.auto!, 'webgpu', shapes, rates);
  if (gpujs) {
    await matmulRates(gpujs, 'gpujs[webgpu]', sizes.filter((n) => n * n <= GPUJS_MAX_ELEMENTS), rates);
    await weightNormRates(gpujs, 'gpujs[webgpu]', shapes.filter(([i, o]) => i * o <= GPUJS_MAX_ELEMENTS), rates);
  }
  if (torch) torchRates(sizes, shapes, rates);
  say('| runner | kernel | shape | median ms | rate |');
  say('| --- | --- | --- | --- | --- |');
  for (const r of rates) say(`| ${r.runner} | ${r.what} | ${r.shape} | ${r.ms.toFixed(3)} | ${r.rate} |`);
}

async function steps(torch: boolean): Promise<void> {
  say('\n## 4. Training steps (forward, closed-form regularizer, backward, Adam; loss read back every step)\n');
  const configs = small ? STEP_CONFIGS.filter((c) => c.hidden < 500) : STEP_CONFIGS;
  const { rows, notes } = await benchSteps([
    ['webgpu', () => WebGpuBackend.create()],
    ['gpujs:webgpu', () => GpuJsBackend.create({ mode: 'webgpu' })],
  ], { steps: small ? 3 : 11, tfjs: false, torch: torch ? 'cuda' : false, configs });
  say('| configuration | runner | median ms per step | objectives rel. error |');
  say('| --- | --- | --- | --- |');
  for (const r of rows) say(`| ${r.config} | ${r.result.runner} | ${r.result.medianMs.toFixed(2)} | ${r.err.toExponential(1)} |`);
  for (const n of notes) say(`- ${n}`);
}

const torch = process.env.GPU_CHECK_TORCH !== '0';
const cpu = new CpuBackend();
const tiles: Record<string, WebGpuBackend> = {};
for (const t of ['auto', ...Object.keys(MATMUL_TILES)] as MatmulTileName[]) tiles[t] = await WebGpuBackend.create({ matmulTile: t });
const gpu = tiles.auto!;
let gpujs: Backend | undefined;
try { gpujs = await GpuJsBackend.create({ mode: 'webgpu' }); } catch (e) { say(`gpujs[webgpu] did not start: ${(e as Error).message}`); }
say(`# gpu-check on ${gpu.description}`);
const smi = spawnSync('nvidia-smi', ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader'], { encoding: 'utf8' });
say(`card (nvidia-smi): ${smi.status === 0 ? smi.stdout.trim() : 'nvidia-smi not available'}`);
say(`node ${process.version}, ${new Date().toISOString()}${small ? ' — GPU_CHECK_SMALL rehearsal: sizes shrunk, timings not meaningful' : ''}`);
try {
  await correctness(gpu, cpu, Object.fromEntries(Object.keys(MATMUL_TILES).map((t) => [t, tiles[t]!])));
  await agreement(gpu);
  await kernels(tiles, gpujs, torch);
  for (const be of Object.values(tiles)) await be.dispose();
  await gpujs?.dispose();
  gpujs = undefined;
  await steps(torch);
} finally {
  for (const be of Object.values(tiles)) await be.dispose();
  await gpujs?.dispose();
  if (process.env.OUT) writeFileSync(`${process.env.OUT}/gpu-check.md`, lines.join('\n') + '\n');
}

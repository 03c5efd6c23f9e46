/**
 * `pnpm bench`: matmul (square 64…1024, the MLP shapes and their gradient
 * products), the fused L1 weight normalization, the elementwise micro-ops of a
 * training step, on every backend of @psilon/kernels that starts here beside
 * tfjs-backend-cpu and -wasm; then full training steps of the paper's
 * configurations beside tfjs-backend-wasm and PyTorch (bench/steps.ts).
 * Prints a table and writes bench/RESULTS.local.md (untracked); `--out=RESULTS.md`
 * rewrites the committed results.
 *
 *   pnpm bench [--quick] [--runners=cpu,wasm,gpujs:webasm,...] [--no-steps] [--out=RESULTS.md]
 */
import { cpus, totalmem } from 'node:os';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { CpuBackend, GpuJsBackend, WasmBackend, type Backend, type BinaryOp, type ReduceOp, type Shape, type UnaryOp } from '@psilon/kernels';
import { measure, seeded, type Case, type Row } from './harness.js';
import { tfjsRunner, type MatmulRunner } from './tfjs.js';
import { benchSteps } from './steps.js';

/** What RESULTS.md says about the GPU rows (kept with the GPU-CHECK-*.md files, which are pasted below it). */
const GPU_NOTE = `The GPU rows come from \`bench/gpu-check.ts\`, run once on a lent machine through the device tool
(bundled by \`bench/gpu-bundle.mjs\` with a Node binary and the Dawn addon, Vulkan loader from Debian, the
NVIDIA Vulkan driver; \`sh bench/gpu-run.sh\` on the device). Its output is kept verbatim, card named, in the files below.

**The \`webgpu\` (WGSL) backend has not run on a GPU yet**: no device machine was lent to the change that built
it, so its GPU table is pending: matmul TFLOP/s at 1024–8192 (device-resident and with transfers, each tile),
the fused weight norm in GB/s, and the deep (PSiLON ResNet 784→500, 9 CReLU blocks, batch 200) and tabular
(13→500×3→1, batch 400) training steps, beside PyTorch eager fp32 on CUDA with TF32 off and the \`gpujs\`
backend. The script is ready and rehearsed on lavapipe (\`GPU_CHECK_SMALL=1\`: correct, times meaningless).
The file below is round 1's check of the \`gpujs\` backend, from the script as it was then.`;

interface Product { name: string; m: number; k: number; n: number; ta: boolean; tb: boolean }

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.find((a) => a.startsWith('--runners='))?.slice(10).split(',');
const outFile = args.find((a) => a.startsWith('--out='))?.slice(6) ?? 'RESULTS.local.md';
const withSteps = !args.includes('--no-steps');

const square = (quick ? [64, 128, 256] : [64, 128, 256, 512, 1024]).map((s): Product => ({ name: `${s}³`, m: s, k: s, n: s, ta: false, tb: false }));
/** The MLP shapes of the issue and the three products of a linear layer's forward and backward. */
const mlp: Product[] = [
  { name: 'X·W 400×500·500×500', m: 400, k: 500, n: 500, ta: false, tb: false },
  { name: 'X·W 200×784·784×500', m: 200, k: 784, n: 500, ta: false, tb: false },
  { name: 'Xᵀ·δ (∂W) 784×200·200×500', m: 784, k: 200, n: 500, ta: true, tb: false },
  { name: 'δ·Wᵀ (∂X) 200×500·500×784', m: 200, k: 500, n: 784, ta: false, tb: true },
  { name: 'Aᵀ·Bᵀ 200×784·784×500 (4th case)', m: 200, k: 784, n: 500, ta: true, tb: true },
];
const products = quick ? [...square, mlp[1]!] : [...square, ...mlp];


const ref = new CpuBackend();
function refMatmul(a: Float64Array, b: Float64Array, p: Product): Float64Array {
  return ref.readSync(ref.matmul(ref.upload(a, 'float64'), ref.upload(b, 'float64'), p.m, p.k, p.n, p.ta, p.tb)) as Float64Array;
}

/** Inputs (two sets) of a product, as float64. */
function inputs(p: Product): [Float64Array, Float64Array][] {
  return [0, 1].map((i) => [seeded(p.m * p.k, 1 + i), seeded(p.k * p.n, 11 + i)] as [Float64Array, Float64Array]);
}

function backendMatmul(be: Backend, p: Product): Case {
  const sets = inputs(p);
  const bufs = sets.map(([a, b]) => [be.upload(a, 'float32'), be.upload(b, 'float32')] as const);
  const refs = sets.map(([a, b]) => refMatmul(a, b, p));
  return {
    async run(i) {
      const out = be.matmul(bufs[i]![0], bufs[i]![1], p.m, p.k, p.n, p.ta, p.tb);
      const host = await be.read(out);
      be.free(out);
      return host;
    },
    reference: (i) => refs[i]!,
    dispose() { for (const [a, b] of bufs) { be.free(a); be.free(b); } },
  };
}

/** Fused L1 weight normalization forward + backward of V [in, out] (shared g): bytes moved ≈ 5 passes over V. */
function backendWeightNorm(be: Backend, inDim: number, outDim: number): Case {
  const spec = { inDim, outDim, kind: 'l1' as const, shared: true };
  const sets = [0, 1].map((i) => ({ v: seeded(inDim * outDim, 21 + i), G: seeded(inDim * outDim, 31 + i) }));
  const refOut = sets.map(({ v, G }) => {
    const V = ref.upload(v, 'float64'), g = ref.upload([1.5], 'float64');
    const { norms } = ref.weightNorm([V], g, spec);
    return ref.readSync(ref.weightNormBackward([ref.upload(G, 'float64')], [V], g, norms, spec).dv[0]!);
  });
  const bufs = sets.map(({ v, G }) => ({ V: be.upload(v, 'float32'), G: be.upload(G, 'float32'), g: be.upload([1.5], 'float32') }));
  return {
    async run(i) {
      const { V, G, g } = bufs[i]!;
      const f = be.weightNorm!([V], g, spec);
      const b = be.weightNormBackward!([G], [V], g, f.norms, spec);
      const host = await be.read(b.dv[0]!);
      for (const x of [...f.w, f.norms, ...b.dv, b.dg]) be.free(x);
      return host;
    },
    reference: (i) => refOut[i]!,
    dispose() { for (const b of bufs) { be.free(b.V); be.free(b.G); be.free(b.g); } },
  };
}

/** One elementwise micro-op of a training step: the op, its shapes, bytes moved. */
interface MicroOp { name: string; shape: string; bytes: number; run(be: Backend, x: BackendBufs): BackendBuffer[] }
type BackendBufs = { x: BackendBuffer; g: BackendBuffer; row: BackendBuffer; zero: BackendBuffer };
type BackendBuffer = ReturnType<Backend['upload']>;
const EW: [number, number] = [200, 500];
const ewSize = EW[0] * EW[1];
const microOps: MicroOp[] = [
  { name: 'relu', shape: '200×500', bytes: 8 * ewSize, run: (be, b) => [be.unary('relu' as UnaryOp, b.x)] },
  { name: 'bias add', shape: '200×500 + 500', bytes: 8 * ewSize, run: (be, b) => [be.binary('add' as BinaryOp, b.x, EW, b.row, [EW[1]], EW)] },
  { name: 'axis-0 sum', shape: '200×500 → 500', bytes: 4 * ewSize, run: (be, b) => [be.reduce('sum' as ReduceOp, b.x, EW, [0])] },
  {
    name: "minimum's backward", shape: 'g·share(0 ≥ x), 200×500', bytes: 20 * ewSize,
    run: (be, b) => { const s = be.binary('winShare', b.zero, [] as Shape, b.x, EW, EW); const o = be.binary('mul', b.g, EW, s, EW, EW); be.free(s); return [o]; },
  },
];

function backendMicro(be: Backend, op: MicroOp): Case {
  const sets = [0, 1].map((i) => ({ x: seeded(ewSize, 41 + i), g: seeded(ewSize, 51 + i), row: seeded(EW[1], 61 + i) }));
  const bufsOf = (b: Backend, dtype: 'float32' | 'float64') => sets.map((s) => ({ x: b.upload(s.x, dtype), g: b.upload(s.g, dtype), row: b.upload(s.row, dtype), zero: b.upload([0], dtype) }));
  const refs = bufsOf(ref, 'float64').map((b) => ref.readSync(op.run(ref, b)[0]!));
  const bufs = bufsOf(be, 'float32');
  return {
    async run(i) {
      const outs = op.run(be, bufs[i]!);
      const host = await be.read(outs[0]!);
      for (const o of outs) be.free(o);
      return host;
    },
    reference: (i) => refs[i]!,
    dispose() { for (const b of bufs) for (const x of Object.values(b)) be.free(x); },
  };
}

function runnerMatmul(r: MatmulRunner, p: Product): Case {
  const sets = inputs(p);
  const refs = sets.map(([a, b]) => refMatmul(a, b, p));
  const prepared = sets.map(([a, b]) => r.prepare(a, b, p));
  return {
    run: (i) => r.run(prepared[i]!),
    reference: (i) => refs[i]!,
    dispose() { for (const x of prepared) r.release(x); },
  };
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const notes: string[] = [];
  const backends: [string, () => Promise<Backend>][] = [
    ['cpu', async () => new CpuBackend()],
    ['wasm:1', () => WasmBackend.create({ threads: 1 })],
    ['wasm', () => WasmBackend.create()],
    ['gpujs:cpu', () => GpuJsBackend.create({ mode: 'cpu' })],
    ['gpujs:webasm', () => GpuJsBackend.create({ mode: 'webasm' })],
    ['gpujs:webgpu', () => GpuJsBackend.create({ mode: 'webgpu' })],
    ['gpujs:headlessgl', () => GpuJsBackend.create({ mode: 'headlessgl' })],
  ];
  const record = (kernel: string, shape: string, runner: string, ms: number, work: number, unit: Row['unit'], err: number) => {
    const row: Row = { kernel, shape, runner, medianMs: ms, rate: work / ms / 1e6, unit, maxRelError: err };
    rows.push(row);
    console.log(`${runner.padEnd(44)} ${kernel.padEnd(12)} ${shape.padEnd(28)} ${ms.toFixed(2).padStart(10)} ms ${row.rate.toFixed(2).padStart(9)} ${unit}`);
  };
  for (const [name, make] of backends) {
    if (only && !only.includes(name)) continue;
    let be: Backend;
    try { be = await make(); } catch (e) { notes.push(`${name}: not run — ${(e as Error).message}`); console.log(`${name}: not run (${(e as Error).message})`); continue; }
    const label = be.description.replace(/; fell back.*/, '');
    const budgetMs = be.name === 'cpu' || be.name === 'wasm' ? undefined : 20_000;
    for (const p of products) {
      const c = backendMatmul(be, p);
      try {
        const { medianMs, err } = await measure(c, { tol: 1e-4, budgetMs });
        record('matmul', p.name, label, medianMs, 2 * p.m * p.k * p.n, 'GFLOP/s', err);
      } catch (e) { notes.push(`${label} matmul ${p.name}: ${(e as Error).message}`); } finally { c.dispose?.(); }
    }
    for (const [i, o] of [[500, 500], [784, 500]] as const) {
      const c = backendWeightNorm(be, i, o);
      try {
        const { medianMs, err } = await measure(c, { tol: 1e-4, budgetMs });
        record('L1 WN fwd+bwd', `${i}×${o}`, label, medianMs, 4 * 7 * i * o, 'GB/s', err);
      } catch (e) { notes.push(`${label} weight norm: ${(e as Error).message}`); } finally { c.dispose?.(); }
    }
    for (const op of microOps) {
      const c = backendMicro(be, op);
      try {
        const { medianMs, err } = await measure(c, { tol: 1e-5, budgetMs, runs: 21 });
        record(op.name, op.shape, label, medianMs, op.bytes, 'GB/s', err);
      } catch (e) { notes.push(`${label} ${op.name}: ${(e as Error).message}`); } finally { c.dispose?.(); }
    }
    await be.dispose();
  }
  for (const peer of ['tfjs-backend-cpu', 'tfjs-backend-wasm'] as const) {
    if (only && !only.includes(peer)) continue;
    let r: MatmulRunner;
    try { r = await tfjsRunner(peer); } catch (e) { notes.push(`${peer}: not run — ${(e as Error).message}`); continue; }
    for (const p of products) {
      const c = runnerMatmul(r, p);
      try {
        const { medianMs, err } = await measure(c, { tol: 1e-4, budgetMs: 20_000 });
        record('matmul', p.name, r.label, medianMs, 2 * p.m * p.k * p.n, 'GFLOP/s', err);
      } catch (e) { notes.push(`${r.label} matmul ${p.name}: ${(e as Error).message}`); } finally { c.dispose?.(); }
    }
  }
  const steps = withSteps
    ? await benchSteps(
      ([['cpu', async () => new CpuBackend()], ['wasm:1', () => WasmBackend.create({ threads: 1 })], ['wasm', () => WasmBackend.create()]] as [string, () => Promise<Backend>][])
        .filter(([n]) => !only || only.includes(n)),
      { steps: quick ? 5 : 11, tfjs: !only || only.includes('tfjs-backend-wasm'), torch: !only || only.includes('torch') })
    : { rows: [], notes: [] };
  notes.push(...steps.notes);
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  console.log(`\nmachine: ${machine}`); // the Node version matters: on Node 24 the wasm backend runs its relaxed-SIMD (FMA) build
  const md = [
    '# Kernel benchmark results',
    '',
    `Machine: ${machine}. Date: ${new Date().toISOString().slice(0, 10)}. Command: \`pnpm bench${quick ? ' --quick' : ''}\`.`,
    '',
    'Method: correctness gate against the float64 CPU kernel (max|out − ref|/max|ref| ≤ 1e-4) before timing,',
    'inputs alternated between two sets, warm-up (≥ 2 runs and ≥ 200 ms), median of 7 timed runs (at least 3 where one runner',
    'exceeds a 20 s budget), read-back of the result included. Rows name the backend and mode that actually ran.',
    'Weight-norm GB/s counts 7 passes over a float32 V (forward and backward reads and writes).',
    '',
    '| runner | kernel | shape | median ms | rate | max rel. error |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.runner} | ${r.kernel} | ${r.shape} | ${r.medianMs.toFixed(2)} | ${r.rate.toFixed(2)} ${r.unit} | ${r.maxRelError.toExponential(1)} |`),
    '',
    '## Training steps',
    '',
    'One step = forward, closed-form regularizer (λ = 1e-3), backward, Adam (lr 1e-3); float32; median of the',
    'timed steps after 2 warm-up steps. Every runner starts from the same parameters and batch; its objective',
    'before and after the first step must match the float64 cpu run to 1e-3 relative before its time is shown.',
    '',
    '| configuration | runner | median ms per step | objectives' + ' rel. error |',
    '| --- | --- | --- | --- |',
    ...steps.rows.map((r) => `| ${r.config} | ${r.result.runner} | ${r.result.medianMs.toFixed(1)} | ${r.err.toExponential(1)} |`),
    '',
    ...(notes.length ? ['Not run or failed:', '', ...notes.map((n) => `- ${n}`), ''] : []),
    '## On a GPU host',
    '',
    ...GPU_NOTE.split('\n'),
    '',
    ...readdirSync(new URL('.', import.meta.url)).filter((f) => /^GPU-CHECK-.*\.md$/.test(f))
      .flatMap((f) => [`### ${f}`, '', ...readFileSync(new URL(f, import.meta.url), 'utf8').split('\n').map((l) => l.replace(/^#+ /, '**') + (l.startsWith('#') ? '**' : ''))]),
  ].join('\n');
  // keep the random-forest section that forest.bench.ts writes into the same file
  const kept = /<!-- forest:begin -->[\s\S]*<!-- forest:end -->/.exec(existsSync(new URL(outFile, import.meta.url)) ? readFileSync(new URL(outFile, import.meta.url), 'utf8') : '')?.[0];
  writeFileSync(new URL(outFile, import.meta.url), kept ? `${md}\n\n${kept}\n` : md);
  console.log(`\nwrote bench/${outFile}`);
}

await main();

/**
 * Full training steps (forward, closed-form regularizer, backward, Adam) of the
 * paper's configurations, on this project's backends and on peers running the
 * same model from the same initial parameters and batch:
 * tfjs-backend-wasm (peers/tfjs-steps.ts) and PyTorch (peers/torch_steps.py,
 * when /usr/bin/python3 has torch; once per BLAS it finds, threads 1 and all).
 *
 * Correctness before timing: every runner reports the objective before and after
 * its first step from the shared start; both must match the float64 `cpu` run
 * to 1e-3 relative (float32 round-off over a deep net), else its row is refused.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as C from '@psilon/core';
import type { Backend } from '@psilon/kernels';
import { objective, psilonNet, psilonResNet, regularizer, taskLoss, trainStep, type Model } from 'psilon';
import { median } from './harness.js';
import { tfjsSteps } from './peers/tfjs-steps.js';

/** One benchmarked configuration. */
export interface StepConfig {
  name: string;
  arch: 'net' | 'resnet';
  inDim: number;
  hidden: number;
  outDim: number;
  nHidden: number;
  batch: number;
  task: 'regression' | 'multiclass';
}

export const STEP_CONFIGS: StepConfig[] = [
  { name: 'tabular: PSiLON Net 13→500×3→1, batch 400', arch: 'net', inDim: 13, hidden: 500, outDim: 1, nHidden: 3, batch: 400, task: 'regression' },
  { name: 'deep: PSiLON ResNet 784→500, 9 CReLU blocks →10, batch 200', arch: 'resnet', inDim: 784, hidden: 500, outDim: 10, nHidden: 10, batch: 200, task: 'multiclass' },
  { name: 'small: PSiLON ResNet 784→64, 3 blocks →10, batch 200', arch: 'resnet', inDim: 784, hidden: 64, outDim: 10, nHidden: 4, batch: 200, task: 'multiclass' },
];
const LAMBDA = 1e-3;
const LR = 1e-3;

/** What a step runner measured. */
export interface StepResult { runner: string; medianMs: number; objectives: [number, number] }

function build(cfg: StepConfig, dtype: C.DType): Model {
  const o = { inDim: cfg.inDim, hidden: cfg.hidden, outDim: cfg.outDim, nHidden: cfg.nHidden, seed: 7, dtype };
  return cfg.arch === 'net' ? psilonNet(o) : psilonResNet(o);
}

function batch(cfg: StepConfig): { x: Float64Array; y: Float64Array } {
  const rng = new C.RNG(11);
  const x = Float64Array.from({ length: cfg.batch * cfg.inDim }, () => rng.normal());
  const y = Float64Array.from({ length: cfg.batch }, (_, i) => (cfg.task === 'multiclass' ? i % cfg.outDim : rng.normal()));
  return { x, y };
}

/** One model, batch and optimizer of `cfg` on `be`, stepped on demand (threads.ts alternates two of them). */
export interface StepRunner {
  /** One training step (the backend set around it); its milliseconds and the objective before it. */
  step(): Promise<{ ms: number; objective: number }>;
  /** The objective after the steps so far. */
  objective(): Promise<number>;
  dispose(): void;
}

/** Builds the model of `cfg` on `be` from the shared seed, with its batch and Adam. */
export function stepRunner(be: Backend, cfg: StepConfig, dtype: C.DType = 'float32'): StepRunner {
  const prev = C.setBackend(be);
  try {
    const model = build(cfg, dtype);
    const { x, y } = batch(cfg);
    const X = C.tensor(x, [cfg.batch, cfg.inDim], { dtype });
    const Y = C.tensor(y, cfg.task === 'multiclass' ? [cfg.batch] : [cfg.batch, 1], { dtype });
    const opt = new C.Adam(model.parameters(), { lr: LR });
    // L + λR: the form the peers (peers/*) compute; the step is the library's own (trainStep)
    const step = { task: cfg.task, lambda: LAMBDA, objective: 'sum' } as const;
    const on = async <T>(f: () => Promise<T>): Promise<T> => {
      const before = C.setBackend(be);
      try { return await f(); } finally { C.setBackend(before); }
    };
    return {
      step: () => on(async () => {
        const t0 = performance.now();
        const objective = (await trainStep(model, opt, { x: X, y: Y }, step)).objective;
        return { ms: performance.now() - t0, objective };
      }),
      objective: () => on(async () => {
        const after = C.tidy(() => C.noGrad(() => objective(taskLoss(cfg.task, model.forward(X), Y), regularizer(model), LAMBDA, 'sum')));
        try { return await after.item(); } finally { after.dispose(); }
      }),
      dispose() { opt.dispose(); model.dispose(); X.dispose(); Y.dispose(); },
    };
  } finally { C.setBackend(prev); }
}

/** Runs `steps` training steps on `be`; returns per-step milliseconds and the first two objectives. */
async function psilonSteps(be: Backend, cfg: StepConfig, steps: number, dtype: C.DType = 'float32'): Promise<{ ms: number[]; objectives: [number, number] }> {
  const run = stepRunner(be, cfg, dtype);
  const ms: number[] = [];
  const objs: number[] = [];
  try {
    for (let s = 0; s < steps; s++) {
      const r = await run.step();
      objs.push(r.objective);
      ms.push(r.ms);
    }
    objs.push(await run.objective());
  } finally { run.dispose(); }
  return { ms, objectives: [objs[0]!, objs[1]!] };
}

/**
 * The shared start for peers: every parameter (in model order) and the batch, as
 * one float32 file plus a JSON header saying what each range holds.
 */
function exportStart(cfg: StepConfig, dir: string): string {
  const model = build(cfg, 'float64');
  const { x, y } = batch(cfg);
  const arrays: { name: string; shape: number[]; data: ArrayLike<number> }[] = [];
  model.layers().forEach((l, i) => {
    const kind = l.rawWeights.length === 2 ? 'crelu' : 'linear';
    l.rawWeights.forEach((v, t) => arrays.push({ name: `${i}.${kind}.${t === 0 ? 'v' : 'vneg'}`, shape: [...v.shape], data: v.dataSync() }));
    arrays.push({ name: `${i}.${kind}.g`, shape: [...l.g.shape], data: l.g.dataSync() });
    if (l.b) arrays.push({ name: `${i}.${kind}.b`, shape: [...l.b.shape], data: l.b.dataSync() });
  });
  model.dispose();
  arrays.push({ name: 'x', shape: [cfg.batch, cfg.inDim], data: x }, { name: 'y', shape: [cfg.batch], data: y });
  let offset = 0;
  const header = arrays.map((a) => { const h = { name: a.name, shape: a.shape, offset }; offset += a.data.length; return h; });
  const flat = new Float32Array(offset);
  arrays.forEach((a, i) => flat.set(a.data, header[i]!.offset));
  const base = join(dir, cfg.arch + cfg.hidden);
  writeFileSync(`${base}.bin`, flat);
  writeFileSync(`${base}.json`, JSON.stringify({ ...cfg, lambda: LAMBDA, lr: LR, arrays: header }));
  return base;
}

const agree = (a: [number, number], b: [number, number]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!) / Math.abs(b[i]!)));

/**
 * Measures every configuration on the given backends and peers. Returns rows and
 * notes (runners that did not run or failed the gate).
 */
export async function benchSteps(backends: [string, () => Promise<Backend>][], opts: { steps: number; torch: boolean | 'cuda'; tfjs: boolean; configs?: StepConfig[] }): Promise<{ rows: { config: string; result: StepResult; err: number }[]; notes: string[] }> {
  const rows: { config: string; result: StepResult; err: number }[] = [];
  const notes: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'psilon-steps-'));
  for (const cfg of opts.configs ?? STEP_CONFIGS) {
    const cpu = new C.CpuBackend();
    const want = (await psilonSteps(cpu, cfg, 1, 'float64')).objectives;
    const accept = (result: StepResult) => {
      const err = agree(result.objectives, want);
      if (!(err <= 1e-3)) { notes.push(`${result.runner} on ${cfg.name}: refused, objectives ${result.objectives.join(', ')} vs float64 ${want.join(', ')}`); return; }
      rows.push({ config: cfg.name, result, err });
      console.log(`${result.runner.padEnd(60)} ${cfg.name.padEnd(58)} ${result.medianMs.toFixed(1).padStart(9)} ms`);
    };
    for (const [name, make] of backends) {
      let be: Backend;
      try { be = await make(); } catch (e) { notes.push(`${name}: not run (${(e as Error).message})`); continue; }
      try {
        // 2 warm-up steps; the slow cpu backend gets fewer timed steps on the big model
        const n = be.name === 'cpu' && cfg.hidden >= 500 ? 5 : opts.steps;
        const { ms, objectives } = await psilonSteps(be, cfg, n + 2);
        accept({ runner: be.description.replace(/; auto chose.*/, ''), medianMs: median(ms.slice(2)), objectives });
      } finally { await be.dispose(); }
    }
    if (!opts.tfjs && !opts.torch) continue;
    const start = exportStart(cfg, dir);
    if (opts.tfjs) {
      try { accept(await tfjsSteps(start, opts.steps)); } catch (e) { notes.push(`tfjs-backend-wasm on ${cfg.name}: ${(e as Error).message}`); }
    }
    if (opts.torch) for (const r of torchSteps(start, opts.steps, notes, opts.torch === 'cuda')) accept(r);
  }
  return { rows, notes };
}

/** Library folders of the BLAS builds Debian's torch can load through libblas.so.3. */
const BLAS_DIRS = { 'reference BLAS': '/usr/lib/x86_64-linux-gnu/blas', OpenBLAS: '/usr/lib/x86_64-linux-gnu/openblas-pthread' };

/** The Python that has torch: PSILON_PYTHON, else Debian's /usr/bin/python3, else `python3` on the PATH. */
export function python(): string {
  return process.env.PSILON_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
}

function torchSteps(start: string, steps: number, notes: string[], cuda = false): StepResult[] {
  const py = python();
  const script = new URL('./peers/torch_steps.py', import.meta.url).pathname;
  const out: StepResult[] = [];
  if (cuda) {
    const r = spawnSync(py, [script, start, String(steps), 'cuda'], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) notes.push(`PyTorch on CUDA: not run — ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`);
    else for (const line of r.stdout.trim().split('\n')) out.push(JSON.parse(line) as StepResult);
    return out;
  }
  for (const [blas, dir] of Object.entries(BLAS_DIRS)) {
    if (!existsSync(dir)) { notes.push(`PyTorch with ${blas}: not installed (${dir} missing)`); continue; }
    const env: NodeJS.ProcessEnv = { ...process.env, LD_LIBRARY_PATH: dir };
    delete env.OPENBLAS_CORETYPE; delete env.OPENBLAS_L2_SIZE; // see DEVELOPERS.md: they slow a current OpenBLAS
    const r = spawnSync(py, [script, start, String(steps)], { env, encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) { notes.push(`PyTorch (${blas}): not run — ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`); continue; }
    for (const line of r.stdout.trim().split('\n')) out.push(JSON.parse(line) as StepResult);
  }
  return out;
}

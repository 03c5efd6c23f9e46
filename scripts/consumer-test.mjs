#!/usr/bin/env node
/**
 * The consumer test: packs @psilon/kernels, @psilon/core and psilon as they would be
 * published, installs the tarballs with npm into an empty project outside the
 * workspace, then
 *  (a) runs an ESM script that imports every public runtime export by name (the list is
 *      scripts/public-api.json, the reviewed public API) and trains a tiny model, and
 *  (b) type-checks a TypeScript consumer against the shipped .d.ts files with `strict`,
 *      under moduleResolution `nodenext` and `bundler`.
 * A removed export, a broken type or a file left out of `files` fails it; so does an
 * export missing from public-api.json (update the list when the API changes on purpose).
 *
 *   node scripts/consumer-test.mjs        (after `pnpm build`; npm reaches the registry for third-party dependencies)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const api = JSON.parse(readFileSync(join(root, 'scripts/public-api.json'), 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'psilon-consumer-'));
const sh = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
const step = (s) => console.log(`consumer test: ${s}`);

try {
  step(`packing into ${dir}`);
  for (const p of ['kernels', 'core', 'psilon']) sh('pnpm', ['pack', '--pack-destination', dir], join(root, 'packages', p));
  const tarballs = readdirSync(dir).filter((f) => f.endsWith('.tgz'));
  const app = join(dir, 'app');
  sh('mkdir', ['-p', app]);
  const byName = { '@psilon/kernels': /^psilon-kernels-/, '@psilon/core': /^psilon-core-/, psilon: /^psilon-\d/ };
  const deps = Object.fromEntries(Object.entries(byName).map(([n, re]) => [n, `file:../${tarballs.find((t) => re.test(t))}`]));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: deps }, null, 2));
  step('npm install (install scripts off: none is needed, see the README)');
  sh('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], app);

  // (a) every runtime export by name, then a tiny training run
  // each name imported by name (a missing one is a link error), aliased per package since core re-exports kernels' backends
  const imports = Object.entries(api).map(([pkg, names], i) =>
    `import { ${names.map((n) => `${n} as p${i}_${n}`).join(', ')} } from '${pkg}';\nconst api${i} = { ${names.map((n) => `${n}: p${i}_${n}`).join(', ')} };`).join('\n');
  writeFileSync(join(app, 'use.mjs'), `${imports}
import * as all0 from '@psilon/kernels'; import * as all1 from '@psilon/core'; import * as all2 from 'psilon';
import * as browser from 'psilon/browser';
for (const n of ['psilonNet', 'train', 'lipschitzBound', 'prune', 'parseCSV']) if (typeof browser[n] !== 'function') throw new Error('psilon/browser lacks ' + n);
const listed = [api0, api1, api2], shipped = [all0, all1, all2], names = ${JSON.stringify(Object.keys(api))};
shipped.forEach((m, i) => {
  const extra = Object.keys(m).filter((k) => !(k in listed[i]));
  if (extra.length) throw new Error(names[i] + ' exports ' + extra.join(', ') + ', which scripts/public-api.json does not list');
});
const { initBackend, RNG } = api1, { psilonNet, train, lipschitzBound } = api2;
const be = await initBackend('auto');
const net = psilonNet({ inDim: 3, hidden: 8, outDim: 1, nHidden: 2, seed: 1 });
const rng = new RNG(2);
const x = Float64Array.from({ length: 60 }, () => rng.normal()), y = Float64Array.from({ length: 20 }, (_, i) => x[3 * i]);
const res = await train(net, { x, y, n: 20, d: 3, task: 'regression', outputs: 1 }, { epochs: 6, batchSize: 10, lr: 1e-2, lambda: 1e-3, progress: false });
const bound = await lipschitzBound(net);
if (!(res.history.length === 6 && bound.value > 0)) throw new Error('training did not run');
console.log('ok: ' + be.name + ', ' + Object.values(listed).reduce((s, o) => s + Object.keys(o).length, 0) + ' exports, bound ' + bound.value.toFixed(3));
await be.dispose();
`);
  step(`runtime: ${sh('node', ['use.mjs'], app).trim()}`);

  // (b) the shipped types, strict, under both module resolutions
  writeFileSync(join(app, 'use.ts'), `import { CpuBackend, WasmBackend, type Backend, type BackendBuffer, type WeightNormSpec } from '@psilon/kernels';
import { tensor, matmul, Adam, OneCycle, tidy, type Tensor, type NonFiniteLossError } from '@psilon/core';
import {
  psilonNet, psilonResNet, train, lipschitzBound, runExperiment, MODELS,
  type Model, type Dataset, type TrainOptions, type TrainResult, type StepRecord, type LipschitzBound, type ExperimentResult,
} from 'psilon';
import { psilonNet as browserNet, type Model as BrowserModel } from 'psilon/browser';

export async function consume(): Promise<number> {
  const bm: BrowserModel = browserNet({ inDim: 2, hidden: 4, outDim: 1 });
  void bm;
  const be: Backend = new CpuBackend();
  const buf: BackendBuffer = be.upload([1, 2], 'float32');
  be.free(buf);
  const spec: WeightNormSpec = { inDim: 2, outDim: 2, kind: 'l1', shared: true };
  const w: Promise<WasmBackend> = WasmBackend.create({ threads: 1 });
  const t: Tensor = tidy(() => matmul(tensor([[1, 2]]), tensor([[3], [4]])));
  const m: Model = psilonNet({ inDim: 2, hidden: 4, outDim: 1 });
  const r: Model = psilonResNet({ inDim: 2, hidden: 4, outDim: 1 });
  const make = MODELS.get('psilon-net');
  const data: Dataset = { x: new Float64Array(4), y: new Float64Array(2), n: 2, d: 2, task: 'regression', outputs: 1 };
  const opts: TrainOptions = { epochs: 5, batchSize: 2, lr: 1e-3, lambda: 0, schedule: { kind: 'constant' }, recordSteps: true };
  const res: TrainResult = await train(m, data, opts);
  const steps: StepRecord[] | undefined = res.steps;
  const b: LipschitzBound = await lipschitzBound(r);
  const e: Promise<unknown> | undefined = undefined as unknown as ReturnType<typeof runExperiment> | undefined;
  const err: NonFiniteLossError | undefined = undefined;
  const report: ExperimentResult | undefined = undefined;
  void [spec, w, make, steps, e, err, report, Adam, OneCycle];
  return t.size + b.value;
}
`);
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  for (const [module, resolution] of [['nodenext', 'nodenext'], ['esnext', 'bundler']]) {
    sh('node', [tsc, '--noEmit', '--strict', '--skipLibCheck', 'false', '--target', 'es2022', '--module', module, '--moduleResolution', resolution, '--types', 'node', '--typeRoots', join(root, 'node_modules', '@types'), 'use.ts'], app);
    step(`types: strict, moduleResolution ${resolution}: ok`);
  }
  step('passed');
} finally {
  if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
}

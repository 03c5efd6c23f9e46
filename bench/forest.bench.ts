/**
 * psilon's random forest beside scikit-learn's (peers/sklearn_forest.py, Debian's
 * python3-sklearn under /usr/bin/python3) on the same data and split, in one run:
 *
 * 1. fit time of 100 and 1,000 trees on 2,000 rows × 20 and × 100 features (synthetic,
 *    regression and binary classification; min_samples_leaf 1), one thread each, and the
 *    test RMSE / log-loss of both on 2,000 test rows;
 * 2. the test metric of both at the same min_samples_leaf on every bundled dataset, on
 *    Table 1's splits (docs/math.md §9).
 *
 * Fit times are CPU seconds of the fitting process (user + system), which a shared
 * machine disturbs far less than wall time; wall seconds are printed beside them. The
 * runs alternate (ours, then the peer's, per row).
 *
 *   cd bench && npx tsx forest.bench.ts [--quick] [--out=RESULTS.md]
 *
 * `--out` replaces the "Random forest" section of that file (between its markers) or appends it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RNG } from '@psilon/core';
import {
  fitForest, forestScore, loadBoston, loadBreastCancer, loadDiabetes, loadIris, loadWine, prepareTabular, type Dataset,
} from 'psilon';

const PY = '/usr/bin/python3';
const PEER = new URL('./peers/sklearn_forest.py', import.meta.url).pathname;
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const out = args.find((a) => a.startsWith('--out='))?.slice(6);

/** y = Σ_{j<5} sin((j+1)·x_j) + 0.3·ε (regression) or its sign (classification), x ~ N(0, I). */
function synthetic(n: number, d: number, task: 'regression' | 'binary', rng: RNG): Dataset {
  const x = new Float64Array(n * d), y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) { const v = rng.normal(); x[i * d + j] = v; if (j < 5) s += Math.sin((j + 1) * v); }
    s += 0.3 * rng.normal();
    y[i] = task === 'regression' ? s : Number(s > 0);
  }
  return { x, y, n, d, task, outputs: 1 };
}

interface Measured { cpu: number; wall: number; metric: number }

/** Fits ours, CPU and wall seconds, and its test RMSE / log-loss. */
function ours(train: Dataset, test: Dataset, trees: number, leaf: number): Measured {
  const c0 = process.cpuUsage(), t0 = performance.now();
  const f = fitForest(train, { nEstimators: trees, minSamplesLeaf: leaf, seed: 0 });
  const wall = (performance.now() - t0) / 1000, c = process.cpuUsage(c0);
  const s = forestScore(f, test);
  return { cpu: (c.user + c.system) / 1e6, wall, metric: train.task === 'regression' ? s.metric : s.loss };
}

let sklearnVersion = '?';
/** Writes the split as float64 files and runs the peer on it. */
function peer(train: Dataset, test: Dataset, trees: number, leaf: number): Measured {
  const dir = mkdtempSync(join(tmpdir(), 'forest-bench-'));
  const put = (name: string, a: Float64Array) => writeFileSync(join(dir, `${name}.f64`), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  put('x_train', train.x); put('y_train', train.y); put('x_test', test.x); put('y_test', test.y);
  const job = { dir, n: train.n, nTest: test.n, d: train.d, task: train.task, k: train.task === 'binary' ? 2 : train.outputs, trees, leaf };
  const r = spawnSync(PY, [PEER, JSON.stringify(job)], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' } });
  if (r.status !== 0) throw new Error(`scikit-learn peer failed: ${r.stderr}`);
  const m = JSON.parse(r.stdout) as Measured & { version: string };
  sklearnVersion = m.version;
  return m;
}

const f2 = (v: number) => v.toFixed(2), f4 = (v: number) => v.toPrecision(4);
const pct = (a: number, b: number) => `${a >= b ? '+' : ''}${(((a - b) / b) * 100).toFixed(1)}%`;

if (!existsSync(PY)) throw new Error(`${PY} not found: the peer needs Debian's python3-sklearn`);
const lines: string[] = [];
const log = (l: string) => { console.log(l); lines.push(l); };

log('### Fit time: 2,000 training rows, min_samples_leaf 1, one thread');
log('');
log('| task | features | trees | psilon CPU s | sklearn CPU s | psilon / sklearn | psilon wall s | sklearn wall s | test metric | psilon | sklearn | difference |');
log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
const treeCounts = quick ? [20] : [100, 1000];
for (const task of ['regression', 'binary'] as const) {
  for (const d of [20, 100]) {
    const rng = new RNG(d + (task === 'binary' ? 1 : 0));
    const train = synthetic(2000, d, task, rng), test = synthetic(2000, d, task, rng);
    fitForest(train, { nEstimators: 5, seed: 1 }); // warm-up: the JIT compiles the grower before timing
    for (const trees of treeCounts) {
      const a = ours(train, test, trees, 1), b = peer(train, test, trees, 1);
      log(`| ${task} | ${d} | ${trees} | ${f2(a.cpu)} | ${f2(b.cpu)} | ${(a.cpu / b.cpu).toFixed(2)} | ${f2(a.wall)} | ${f2(b.wall)} | ${task === 'regression' ? 'RMSE' : 'log-loss'} | ${f4(a.metric)} | ${f4(b.metric)} | ${pct(a.metric, b.metric)} |`);
    }
  }
}

const SETS: [string, () => Dataset][] = [['Boston housing', loadBoston], ['Diabetes', loadDiabetes], ['Breast cancer', loadBreastCancer], ['Iris', loadIris], ['Wine', loadWine]];
const leaves = quick ? [4] : [4, 20];
const trees = quick ? 50 : 1000;
log('');
log(`### Test metric on the bundled datasets: Table 1's splits (seed 0), ${trees} trees, the same min_samples_leaf`);
log('');
log('| dataset | train / test rows | min_samples_leaf | test metric | psilon | sklearn | difference |');
log('| --- | --- | --- | --- | --- | --- | --- |');
for (const [name, load] of SETS) {
  const d = prepareTabular(load(), 0);
  for (const leaf of leaves) {
    const a = ours(d.train, d.test, trees, leaf), b = peer(d.train, d.test, trees, leaf);
    log(`| ${name} | ${d.train.n} / ${d.test.n} | ${leaf} | ${d.train.task === 'regression' ? 'RMSE (scaled target)' : 'log-loss'} | ${f4(a.metric)} | ${f4(b.metric)} | ${pct(a.metric, b.metric)} |`);
  }
}

const lscpu = spawnSync('lscpu', [], { encoding: 'utf8' }).stdout.split('\n').find((l) => l.startsWith('Model name'))?.replace(/^Model name:\s*/, '') ?? cpus()[0]?.model ?? '?';
const header = [
  '## Random forest',
  '',
  `Machine: ${lscpu}, ${cpus().length} cores, shared with other work during the run (compare the CPU-second columns, and`,
  `only as ratios inside this run). Node ${process.version}, scikit-learn ${sklearnVersion} (Debian python3-sklearn, \`${PY}\`,`,
  `\`n_jobs=1\`). Date: ${new Date().toISOString().slice(0, 10)}. Command: \`cd bench && npx tsx forest.bench.ts${quick ? ' --quick' : ''} --out=RESULTS.md\`.`,
  '',
  'Both fit the same rows and are scored on the same test rows; psilon\'s forest bins each feature into ≤ 256 quantile',
  'bins, scikit-learn\'s searches exact thresholds. Fit time = CPU seconds of the fit (user + system); wall seconds beside.',
  'Test metric: RMSE (regression) or log-loss with probabilities clipped at 1e-15 (classification); difference = psilon vs sklearn.',
  '',
];
const section = ['<!-- forest:begin -->', ...header, ...lines, '<!-- forest:end -->'].join('\n');
if (out) {
  const old = existsSync(out) ? readFileSync(out, 'utf8') : '';
  const re = /<!-- forest:begin -->[\s\S]*<!-- forest:end -->/;
  writeFileSync(out, re.test(old) ? old.replace(re, section) : `${old.trimEnd()}\n\n${section}\n`);
  console.log(`\nwrote the "Random forest" section of ${out}`);
}

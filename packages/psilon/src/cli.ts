#!/usr/bin/env node
/**
 * The `psilon` command: train a model, run an experiment, or benchmark the kernels.
 * `psilon <command> --help` describes each command's options.
 */
import { existsSync, mkdirSync, writeFileSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import * as C from '@psilon/core';
import {
  applyPreprocessing, fractionSplits, idxToDataset, loadBoston, loadIris, loadMnist, parseARFF, parseCSV, parseIDX, prepareTabular,
  preprocessingOf, tableToDataset, type Dataset, type Preprocessing,
} from './data/index.js';
import { lipschitzBound, loadModel, MODELS, saveModel, type Model, type ModelDims, type SavedModel } from './nn/index.js';
import { evaluate, formatSeconds, train } from './train/index.js';
import {
  EXPERIMENTS, gridOf, isExperimentName, loadTableFile, mergeRunFolders, parseShard, runBench, runExperiment, runFolder, textTable, writeFileAtomic, writeJsonAtomic,
  writeReport, type ExperimentResult, type MergedRuns, type ReportMeta, type Size, type TableFileOptions,
} from './experiments/index.js';

const USAGE = `psilon — PSiLON Net / PSiLON ResNet (arXiv 2404.19112)

Usage:
  psilon train [options]              train one model on a dataset
  psilon experiment <name> [options]  run an experiment: ${Object.keys(EXPERIMENTS).join(', ')}
  psilon report <run-folder>...       merge the grid points of run folders (shards) into one report
  psilon predict | evaluate [options] score a saved model on a CSV/ARFF file
  psilon bench [options]              benchmark matmul and weight normalization per backend

Run 'psilon <command> --help' for the options of a command.`;

const COMMON = {
  backend: { type: 'string', default: process.env.PSILON_BACKEND ?? 'auto' },
  seed: { type: 'string', default: '0' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Spec = NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>['options']>;
type Values = Record<string, string | boolean | undefined>;

/** Strict option parsing: an unknown option or a missing value is a usage error that shows the help. */
function parse(argv: string[], options: Spec, help: string): { values: Values; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${help}`);
  }
  const values = parsed.values as Values;
  if (values.help) throw new HelpRequested(help);
  return { values, positionals: parsed.positionals };
}

class UsageError extends Error {}
/** `--help` on a command: print its help and exit 0 (thrown so that `main` alone decides the exit code). */
class HelpRequested extends Error {}

function num(name: string, v: unknown, { int = false, min = -Infinity } = {}): number {
  const x = Number(v);
  if (v === undefined || String(v).trim() === '' || !Number.isFinite(x) || (int && !Number.isInteger(x)) || x < min) {
    throw new UsageError(`--${name} must be ${int ? 'an integer' : 'a number'}${min > -Infinity ? ` ≥ ${min}` : ''}, got '${String(v)}'`);
  }
  return x;
}

const TRAIN_HELP = `psilon train: train one model and print its test metrics

Options:
  --data <name|file>     boston (default), iris, mnist, a .csv or .arff file, or 'idx' with --images/--labels
  --target <column>      target column of a CSV/ARFF file
  --task <t>             regression, binary or multiclass (default: inferred from the target; see the README's data rules)
  --categorical <a,b>    CSV columns to one-hot encode even when numeric
  --na <tokens>          comma-separated tokens meaning "missing" (e.g. NA,?); rows holding one are dropped
  --images <file>        IDX images (e.g. Fashion-MNIST train-images-idx3-ubyte), with --data idx
  --labels <file>        IDX labels, with --data idx
  --model <name>         psilon-net (default), standard-net, psilon-resnet, or a ResNet variant: ${[...MODELS.keys()].slice(3).join(', ')}
  --hidden <n>           hidden width (default 128)
  --n-hidden <n>         K − 1 = embedder + hidden blocks (default 3)
  --epochs <n>           epochs (default 100)
  --batch-size <n>       mini-batch size (default: a fifth of the training rows)
  --lr <x>               peak learning rate of OneCycle (default 2e-3)
  --lambda <x>           regularization strength λ (default 1e-3)
  --prune-steps <n>      blend in the L1-sphere projection over the last n steps, then prune
  --save <file>          save the trained model as JSON (written atomically; checked writable before training)
  --force                save even a run that diverged (see --divergence)
  --backend <name>       auto (default: webgpu on a hardware GPU if WebGPU finds one, else wasm), cpu, wasm, webgpu, gpujs, gpujs:<webgpu|headlessgl|webasm|cpu>
                         (env PSILON_BACKEND; PSILON_THREADS sets wasm's threads, default every core)
                         (or the PSILON_BACKEND environment variable)
  --seed <n>             seed of initialisation, splits and shuffles (default 0)`;

type Loaded = { train: Dataset; validation: Dataset; test: Dataset; name: string; preprocessing?: Preprocessing };

/** Splits and prepares a table, keeping its preprocessing for saving. */
function tabular(raw: Dataset & { classes?: string[] }, seed: number, name: string, target: string): Loaded {
  const p = prepareTabular(raw, seed);
  return { ...p, name, preprocessing: raw.features ? preprocessingOf(raw, target, p.standardizer, p.target) : undefined };
}

async function loadData(o: Values, seed: number): Promise<Loaded> {
  const data = String(o.data ?? 'boston');
  if (data === 'boston') return tabular(loadBoston(), seed, 'Boston housing', 'medv');
  if (data === 'iris') return tabular(loadIris(), seed, 'iris', 'species');
  if (data === 'mnist') return { ...fractionSplits(loadMnist(), [0.5, 0.25, 0.25], seed), name: 'MNIST digits (bundled 10k)' };
  if (data === 'idx') {
    if (!o.images || !o.labels) throw new UsageError('--data idx needs --images <file> and --labels <file>');
    const ds = idxToDataset(parseIDX(readFileSync(String(o.images))), parseIDX(readFileSync(String(o.labels))));
    return { ...fractionSplits(ds, [0.5, 0.25, 0.25], seed), name: String(o.images) };
  }
  if (/\.(csv|arff)$/i.test(data)) {
    const raw = loadTableFile(data, tableOptions(o));
    for (const n of raw.notes) console.log(`data: ${n}`);
    return tabular(raw, seed, data, String(o.target));
  }
  throw new UsageError(`--data: unknown dataset '${data}' (boston, iris, mnist, idx, or a .csv/.arff file)`);
}

function makeModel(name: string, dims: ModelDims): Model {
  const make = MODELS.get(name);
  if (!make) throw new UsageError(`--model: unknown model '${name}' (${[...MODELS.keys()].join(', ')})`);
  return make(dims);
}

/** The data-typing flags shared by `train` and `experiment` (README "Data rules"). */
const DATA_FLAGS = { task: { type: 'string' }, categorical: { type: 'string' }, na: { type: 'string' } } as const;

function tableOptions(o: Values): TableFileOptions {
  const task = o.task as string | undefined;
  if (task !== undefined && !['regression', 'binary', 'multiclass'].includes(task)) throw new UsageError(`--task must be regression, binary or multiclass, got '${task}'`);
  return {
    target: o.target as string | undefined, task: task as TableFileOptions['task'],
    categorical: o.categorical ? String(o.categorical).split(',').map((s) => s.trim()).filter(Boolean) : undefined,
    na: o.na !== undefined ? String(o.na).split(',').map((s) => s.trim()) : undefined,
  };
}

/**
 * Fails now, before any training, when `path` cannot be written: creates its folder
 * and writes and removes a probe file there.
 */
function checkWritable(path: string, flag: string, isDir = false): void {
  const dir = isDir ? path : dirname(path);
  try {
    mkdirSync(dir, { recursive: true });
    const probe = join(dir, `.psilon-probe-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (e) {
    throw new UsageError(`${flag}: cannot write to ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

async function cmdTrain(argv: string[]): Promise<void> {
  const { values: o } = parse(argv, {
    ...COMMON, ...DATA_FLAGS, data: { type: 'string' }, target: { type: 'string' }, images: { type: 'string' }, labels: { type: 'string' }, force: { type: 'boolean' },
    model: { type: 'string', default: 'psilon-net' }, hidden: { type: 'string', default: '128' }, 'n-hidden': { type: 'string', default: '3' },
    epochs: { type: 'string', default: '100' }, 'batch-size': { type: 'string' }, lr: { type: 'string', default: '2e-3' },
    lambda: { type: 'string', default: '1e-3' }, 'prune-steps': { type: 'string' }, save: { type: 'string' },
  }, TRAIN_HELP);
  const seed = num('seed', o.seed, { int: true, min: 0 });
  if (o.save) checkWritable(String(o.save), '--save');
  const prevBackend = C.getBackend();
  const backend = await C.initBackend(String(o.backend));
  try {
    const d = await loadData(o, seed);
    const outDim = d.train.task === 'binary' ? 1 : d.train.outputs;
    const model = makeModel(String(o.model), {
      inDim: d.train.d, hidden: num('hidden', o.hidden, { int: true, min: 1 }), outDim, nHidden: num('n-hidden', o['n-hidden'], { int: true, min: 1 }), seed,
    });
    console.log(`training ${o.model} on ${d.name} (${d.train.n} train / ${d.validation.n} validation / ${d.test.n} test) with ${backend.description}`);
    const res = await train(model, d.train, {
      epochs: num('epochs', o.epochs, { int: true, min: 1 }),
      batchSize: o['batch-size'] ? num('batch-size', o['batch-size'], { int: true, min: 1 }) : Math.ceil(d.train.n / 5),
      lr: num('lr', o.lr, { min: 0 }), lambda: num('lambda', o.lambda, { min: 0 }), seed, validation: d.validation,
      pruneSteps: o['prune-steps'] ? num('prune-steps', o['prune-steps'], { int: true, min: 1 }) : undefined,
      divergenceFactor: o.force ? Infinity : undefined,
    });
    const test = await evaluate(model, d.test);
    const bound = await lipschitzBound(model);
    console.log(textTable({
      headers: ['metric', 'value'],
      rows: [
        ['test loss', test.loss], [d.test.task === 'regression' ? 'test RMSE' : 'test accuracy', test.metric],
        ['near-sparsity', res.nearSparsity], ['exact sparsity', res.exactSparsity], ['Lipschitz bound', bound.value], ['bound formula', bound.formula],
        ['wall time', formatSeconds(res.seconds)],
      ],
    }));
    if (o.save) {
      writeJsonAtomic(String(o.save), await saveModel(model, d.preprocessing));
      console.log(`saved to ${o.save}`);
    }
    model.dispose();
  } finally {
    await backend.dispose();
    C.setBackend(prevBackend); // a disposed backend must not stay active
  }
}

const EXPERIMENT_HELP = `psilon experiment <name>: run an experiment and write <out>/<run>/report.md

An experiment is a grid of independent points (one model and λ each). Each finished point is written to
<run>/points/ at once, so re-running the same command resumes where it stopped; --workers runs points in
parallel, --shard i/n runs a deterministic slice (merge the slices with 'psilon report'). Results are the same
bits as a serial run.

Experiments:
  tabular   PSiLON Net vs Standard Net vs ridge on Boston housing (or --file), λ chosen on validation
  mnist     deep ablation of the PSiLON ResNet variants on the bundled MNIST digits
  pruning   a PSiLON Net with and without the pruning phase: exact sparsity and RMSE
  figure1   validation loss against step for several λ (the paper's Figure 1)

Options:
  --quick                the small size (seconds; what the tests run)
  --size <s>             quick, default or full (the paper's sizes; hours on a CPU)
  --file <f> --target <c>  tabular only: a CSV or ARFF file of yours instead of Boston housing
  --out <dir>            where run folders go (default results); the folder is <name>-<size>-<hash of the options>
  --run-dir <dir>        use this run folder instead
  --workers <n>          grid points in parallel, one worker thread each (default 1; 'auto': every core)
  --shard <i/n>          run only shard i of n (1-based), e.g. a Slurm array task's $SLURM_ARRAY_TASK_ID/n
  --backend <name>       auto (default), cpu, wasm, webgpu, gpujs, gpujs:<mode> (or env PSILON_BACKEND; PSILON_THREADS for wasm)
  --seed <n>             seed (default 0)`;

async function cmdExperiment(argv: string[]): Promise<void> {
  const { values: o, positionals } = parse(argv, {
    ...COMMON, ...DATA_FLAGS, quick: { type: 'boolean' }, size: { type: 'string' }, file: { type: 'string' }, target: { type: 'string' },
    out: { type: 'string', default: 'results' }, 'run-dir': { type: 'string' }, workers: { type: 'string', default: '1' }, shard: { type: 'string' },
  }, EXPERIMENT_HELP);
  const name = positionals[0];
  if (!name || !isExperimentName(name)) throw new UsageError(`experiment: name one of ${Object.keys(EXPERIMENTS).join(', ')}${name ? ` (got '${name}')` : ''}\n\n${EXPERIMENT_HELP}`);
  if (positionals.length > 1) throw new UsageError(`experiment: unexpected argument '${positionals[1]}'`);
  if (o.quick && o.size && o.size !== 'quick') throw new UsageError('--quick and --size disagree');
  const size = (o.quick ? 'quick' : o.size ?? 'default') as Size;
  if (!['quick', 'default', 'full'].includes(size)) throw new UsageError(`--size must be quick, default or full, got '${size}'`);
  if ((o.file || o.target || o.task || o.categorical || o.na !== undefined) && name !== 'tabular') {
    throw new UsageError('--file, --target, --task, --categorical and --na apply to the tabular experiment only');
  }
  const seed = num('seed', o.seed, { int: true, min: 0 });
  const workers = o.workers === 'auto' ? availableParallelism() : num('workers', o.workers, { int: true, min: 1 });
  let shard: { index: number; count: number } | undefined;
  try { shard = o.shard === undefined ? undefined : parseShard(String(o.shard)); } catch (e) { throw new UsageError((e as Error).message); }
  const t = tableOptions(o);
  const options = {
    size, seed, ...(o.file ? { file: String(o.file) } : {}), ...(o.target ? { target: String(o.target) } : {}),
    ...(t.task ? { task: t.task } : {}), ...(t.categorical ? { categorical: t.categorical } : {}), ...(t.na ? { na: t.na } : {}),
  };
  if (o.file) {
    // read the file now: a bad cell is reported before any work starts
    const raw = loadTableFile(String(o.file), { ...t, target: o.target as string | undefined });
    for (const n of raw.notes) console.log(`data: ${n}`);
  }
  const dir = o['run-dir'] ? String(o['run-dir']) : runFolder(String(o.out), name, options);
  checkWritable(dir, o['run-dir'] ? '--run-dir' : '--out', true);
  const prevBackend = C.getBackend();
  const backend = await C.initBackend(String(o.backend));
  if (workers > 1 && (backend.name === 'gpujs' || backend.name === 'webgpu')) throw new UsageError('--workers > 1 needs a CPU backend (the workers would share one GPU); use --workers 1');
  const t0 = performance.now();
  try {
    console.log(`experiment ${name} (${size}) on ${backend.description}${workers > 1 ? `; up to ${workers} workers, each on the ${backend.name === 'cpu' ? 'cpu' : 'wasm'} backend with 1 thread` : ''}`);
    const run = await runExperiment(name, { ...options, progress: Boolean(process.stderr.isTTY) && workers === 1 }, {
      workers, shard, runDir: dir, workerBackend: backend.name === 'cpu' ? 'cpu' : 'wasm', log: (s: string) => console.log(`  ${s}`),
    });
    const seconds = (performance.now() - t0) / 1000;
    const reused = run.reused.points ? `; reused ${run.reused.points} finished point(s), which took ${formatSeconds(run.reused.seconds)} when they ran` : '';
    console.log(`  ${run.ran} point(s) run, ${run.skipped} already done in ${dir}${reused}`);
    if (!run.result) {
      console.log(`\nshard ${shard!.index + 1}/${shard!.count} done in ${formatSeconds(seconds)}: ${run.results.size} of ${run.total} points present; merge the shards with 'psilon report <run-folder>...'`);
      return;
    }
    printAndWrite(run.result, dir, {
      backend: backend.description + (run.workers > 1 ? ` (${run.workers} workers)` : ''), seconds, command: `psilon experiment ${argv.join(' ')}`, ran: run.ran, reused: run.reused,
    });
  } finally {
    await backend.dispose();
    C.setBackend(prevBackend); // a disposed backend must not stay active
  }
}

/** Prints the table (first, so nothing is lost if writing fails), then writes the report. */
function printAndWrite(result: ExperimentResult, dir: string, meta: ReportMeta, name?: string): void {
  console.log(`\n${result.title}\n\n${textTable(result.table)}\n`);
  for (const n of result.notes) console.log(`- ${n}`);
  const report = writeReport(result, dir, meta, { name });
  console.log(`\n${meta.mergedFrom ? `merged ${meta.reused?.points ?? 0} points` : `wall time ${formatSeconds(meta.seconds)}`}; report: ${report}`);
}

const PREDICT_HELP = `psilon predict | evaluate: score a saved model on a table file

  psilon predict  --model-file <m.json> --data <file.csv|.arff> [--out <predictions.csv>]
  psilon evaluate --model-file <m.json> --data <file.csv|.arff>

The file needs the feature columns the model was trained on (matched by name), prepared as in training
(the model file keeps the standardization and target scaling). predict writes one row per input row: the
prediction in the target's units (regression) or the class and its probability; evaluate also needs the
target column and prints the loss and RMSE (in the target's units) or accuracy.

Options:
  --na <tokens>, --categorical <a,b>   as for train (README "Data rules")
  --backend <name>                      as for train`;

async function cmdScore(argv: string[], mode: 'predict' | 'evaluate'): Promise<void> {
  const { values: o } = parse(argv, {
    ...COMMON, ...DATA_FLAGS, 'model-file': { type: 'string' }, data: { type: 'string' }, out: { type: 'string' },
  }, PREDICT_HELP);
  if (!o['model-file'] || !o.data) throw new UsageError(`${mode}: --model-file and --data are required\n\n${PREDICT_HELP}`);
  if (o.out) checkWritable(String(o.out), '--out');
  let saved: SavedModel;
  try { saved = JSON.parse(readFileSync(String(o['model-file']), 'utf8')) as SavedModel; } catch (e) {
    throw new Error(`${String(o['model-file'])}: cannot read a saved model (${(e as Error).message.split('\n')[0]})`);
  }
  const prep = saved.preprocessing;
  if (!prep) throw new Error(`${String(o['model-file'])}: the model was saved without its preprocessing (train it on a table with 'psilon train --save')`);
  const t = tableOptions(o);
  const file = String(o.data);
  const hasTarget = mode === 'evaluate';
  const text = readFileSync(file, 'utf8');
  const table = /\.arff$/i.test(file) ? parseARFF(text) : parseCSV(text, { file, categorical: t.categorical, na: t.na });
  if (hasTarget && !table.columns.includes(prep.target)) throw new UsageError(`evaluate: ${file} has no target column '${prep.target}'`);
  const raw = table.columns.includes(prep.target)
    ? tableToDataset(table, { target: prep.target, task: prep.task })
    : tableToDataset({ ...table, columns: [...table.columns, '__none__'], rows: table.rows.map((r) => [...r, 0]) }, { target: '__none__', task: 'regression' });
  const { x, notes } = applyPreprocessing(prep, raw);
  for (const n of notes) console.log(`data: ${n}`);
  const prevBackend = C.getBackend();
  const backend = await C.initBackend(String(o.backend));
  try {
    const model = loadModel(saved);
    const out = C.tidy(() => C.noGrad(() => model.forward(C.tensor(x, [raw.n, prep.features.length], { dtype: model.config.dtype }))));
    const z = await out.data();
    out.dispose();
    const k = model.config.outDim;
    const rows: string[] = [];
    let se = 0, correct = 0;
    for (let i = 0; i < raw.n; i++) {
      if (prep.task === 'regression') {
        const y = prep.scale!.median + prep.scale!.halfIqr * z[i * k]!;
        rows.push(String(y));
        if (hasTarget) se += (y - raw.y[i]!) ** 2;
      } else {
        const logits = Array.from(z.subarray(i * k, i * k + k));
        const probs = k === 1 ? [1 - 1 / (1 + Math.exp(-logits[0]!)), 1 / (1 + Math.exp(-logits[0]!))] : softmax(logits);
        const c = probs.indexOf(Math.max(...probs));
        rows.push(`${prep.classes?.[c] ?? c},${probs[c]!.toPrecision(6)}`);
        if (hasTarget && c === raw.y[i]) correct++;
      }
    }
    if (mode === 'predict') {
      const csv = [prep.task === 'regression' ? `${prep.target}_predicted` : `${prep.target}_predicted,probability`, ...rows].join('\n') + '\n';
      if (o.out) { writeFileAtomic(String(o.out), csv); console.log(`wrote ${raw.n} predictions to ${o.out}`); } else process.stdout.write(csv);
    } else {
      const metric = prep.task === 'regression' ? ['RMSE (target units)', Math.sqrt(se / raw.n)] : ['accuracy', correct / raw.n];
      console.log(textTable({ headers: ['metric', 'value'], rows: [['rows', raw.n], metric as [string, number]] }));
    }
    model.dispose();
  } finally {
    await backend.dispose();
    C.setBackend(prevBackend);
  }
}

function softmax(z: number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

const REPORT_HELP = `psilon report <run-folder>...: merge the grid points of one experiment's run folders
(the shards of a cluster run, or one folder) into its report

Options:
  --out <dir>   where report-merged.md and its plots go (default: the first run folder; a run's own
                report.md is never overwritten)`;

async function cmdReport(argv: string[]): Promise<void> {
  const { values: o, positionals: dirs } = parse(argv, { help: { type: 'boolean', short: 'h' }, out: { type: 'string' } }, REPORT_HELP);
  if (!dirs.length) throw new UsageError(`report: name at least one run folder\n\n${REPORT_HELP}`);
  const t0 = performance.now();
  for (const d of dirs) if (!existsSync(join(d, 'run.json'))) throw new UsageError(`report: ${d} is not a run folder (no run.json)`);
  let m: MergedRuns;
  try { m = mergeRunFolders(dirs, (s) => console.log(`  ${s}`)); } catch (e) { throw new Error(`report: ${(e as Error).message}`); }
  if (m.missing.length) throw new Error(`report: ${m.missing.length} point(s) missing: ${m.missing.join(', ')} (run their shards, or re-run the experiment to finish them)`);
  const out = o.out ? String(o.out) : dirs[0]!;
  checkWritable(out, '--out', true);
  printAndWrite(gridOf(m.experiment).reduce(m.options, m.results), out, {
    backend: `merged from ${dirs.length} run folder(s)`, seconds: (performance.now() - t0) / 1000, command: `psilon report ${argv.join(' ')}`,
    mergedFrom: dirs, reused: { points: m.results.size, seconds: m.seconds },
  }, 'report-merged');
}

const BENCH_HELP = `psilon bench: time matmul and fused L1 weight normalization on one backend

Options:
  --backend <name>   auto (default), cpu, wasm, webgpu, gpujs, gpujs:<mode>
  --sizes <list>     square matmul sizes, comma-separated (default 64,128,256,512)
  --seed <n>         seed of the random inputs (default 0)

The full comparison with tfjs peers is 'pnpm bench' (the bench/ package).`;

async function cmdBench(argv: string[]): Promise<void> {
  const { values: o } = parse(argv, { ...COMMON, sizes: { type: 'string', default: '64,128,256,512' } }, BENCH_HELP);
  const sizes = String(o.sizes).split(',').map((s) => num('sizes', s, { int: true, min: 1 }));
  const prevBackend = C.getBackend();
  const backend = await C.initBackend(String(o.backend));
  try {
    console.log(`backend: ${backend.description}`);
    console.log(textTable(await runBench(sizes, num('seed', o.seed, { int: true }))));
  } finally {
    await backend.dispose();
    C.setBackend(prevBackend); // a disposed backend must not stay active
  }
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') { console.log(USAGE); return cmd ? 0 : 1; }
    if (cmd === 'train') await cmdTrain(rest);
    else if (cmd === 'experiment') await cmdExperiment(rest);
    else if (cmd === 'report') await cmdReport(rest);
    else if (cmd === 'predict' || cmd === 'evaluate') await cmdScore(rest, cmd);
    else if (cmd === 'bench') await cmdBench(rest);
    else throw new UsageError(`unknown command '${cmd}'\n\n${USAGE}`);
    return 0;
  } catch (e) {
    if (e instanceof HelpRequested) { console.log(e.message); return 0; }
    console.error(`psilon: ${(e as Error).message}`);
    return e instanceof UsageError ? 2 : 1;
  }
}

/** True when this file is the program (run directly or through the `psilon` bin link), not imported. */
function isMain(): boolean {
  try {
    return Boolean(process.argv[1]) && realpathSync(process.argv[1]!) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}
if (isMain()) main(process.argv.slice(2)).then((code) => { process.exitCode = code; });

/**
 * `psilon experiment` and `psilon report`: run an experiment's grid into a run folder, and merge
 * run folders (shards) into one report. cmdExperiment, cmdReport and printAndWrite are the
 * commands' bodies (moved whole from cli.ts).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { formatSeconds } from '../train/index.js';
import {
  EXPERIMENTS, gridOf, isExperimentName, loadTableFile, mergeRunFolders, parseShard, readRunRecord, runExperiment, runFolder, textTable,
  writeReport, type ExperimentResult, type MergedRuns, type ReportMeta, type Size,
} from '../experiments/index.js';
import { HELP, num, SEED, UsageError, type CommandDecl, type Values } from './args.js';
import { BACKEND_OPTIONS, threadsOf, withBackend } from './backend.js';
import { DATA_FLAGS, tableOptions } from './data.js';
import { say, type Io } from './io.js';
import { checkDirOutput } from './paths.js';

/** The files a run folder holds (relative; 'points/' the whole folder, '*.svg' the plots). */
const RUN_FOLDER_FILES = ['run.json', 'report.md', 'report-merged.md', 'points/', '*.svg', '*.csv'];

/**
 * The most worker threads: one per core (each runs one single-threaded backend), but never
 * fewer than 4, so a small parallel run behaves the same on any machine.
 */
export const MAX_WORKERS = Math.max(4, availableParallelism());

/**
 * The workers to start: `--workers` ('auto': every core), capped at the points this run has
 * and at {@link MAX_WORKERS}; `why` says what capped it.
 */
export function workersFor(flag: unknown, points: number): { workers: number; why?: string } {
  const asked = flag === 'auto' ? availableParallelism() : num('workers', flag, { int: true, min: 1 });
  const byPoints = Math.max(1, points);
  if (asked > byPoints && byPoints <= MAX_WORKERS) return { workers: byPoints, why: `the ${points} grid point(s) of this run` };
  if (asked > MAX_WORKERS) return { workers: MAX_WORKERS, why: `at most ${MAX_WORKERS} workers (one per core, at least 4)` };
  return { workers: asked };
}

export const experimentCommand: CommandDecl = {
  name: 'experiment',
  synopsis: '<name> [options]',
  summary: 'run an experiment and write <out>/<run>/report.md',
  description: `An experiment is a grid of independent points (one model and λ each). Each finished point is written to
<run>/points/ at once, so re-running the same command resumes where it stopped; --workers runs points in
parallel, --shard i/n runs a deterministic slice (merge the slices with 'psilon report'). Results are the same
bits as a serial run.

Experiments:
  tabular   PSiLON Net vs Standard Net vs ridge on Boston housing (or --file), λ chosen on validation
  mnist     deep ablation of the PSiLON ResNet variants on the bundled MNIST digits
  pruning   a PSiLON Net with and without the pruning phase: exact sparsity and RMSE
  figure1   validation loss against step for several λ (the paper's Figure 1)
  table1    the paper's Table 1: linear, random forest, Standard Net, PSiLON Net on the bundled datasets`,
  positionals: { min: 0, max: 1 },
  options: {
    quick: { type: 'boolean', help: 'the small size (seconds; what the tests run)' },
    size: { arg: '<s>', help: "quick, default or full (the paper's sizes; hours on a CPU)", helpDefault: 'default' },
    file: { arg: '<f>', help: 'tabular only: a CSV or ARFF file of yours instead of Boston housing (with --target)' },
    target: { arg: '<column>', help: 'tabular only: the target column of --file' },
    manifest: { arg: '<suite.json>', help: 'table1 only: a suite of your files instead of the bundled datasets: {"datasets": [{"file": "a.csv", "target": "y"}, …]} (paths relative to the manifest; optional name, task, categorical, na)' },
    ...DATA_FLAGS,
    out: { arg: '<dir>', default: 'results', help: "where run folders go; the folder is <name>-<size>-<hash of the run key: the options and the data files' content>" },
    'run-dir': { arg: '<dir>', help: 'use this run folder instead' },
    workers: { arg: '<n>', default: '1', help: "grid points in parallel, one worker thread each ('auto': every core; capped at the run's points and at one per core, at least 4)" },
    shard: { arg: '<i/n>', help: "run only shard i of n (1-based), e.g. a Slurm array task's $SLURM_ARRAY_TASK_ID/n" },
    ...BACKEND_OPTIONS,
    ...SEED,
    ...HELP,
  },
  run: (o, positionals, io, argv) => cmdExperiment(o, positionals, io, argv),
};

async function cmdExperiment(o: Values, positionals: string[], io: Io, argv: string[]): Promise<void> {
  const log = (s: string) => say(io, s);
  const name = positionals[0];
  if (!name || !isExperimentName(name)) throw new UsageError(`experiment: name one of ${Object.keys(EXPERIMENTS).join(', ')}${name ? ` (got '${name}')` : ''}`);
  if (o.quick && o.size && o.size !== 'quick') throw new UsageError('--quick and --size disagree');
  const size = (o.quick ? 'quick' : o.size ?? 'default') as Size;
  if (!['quick', 'default', 'full'].includes(size)) throw new UsageError(`--size must be quick, default or full, got '${size}'`);
  if ((o.file || o.target || o.task || o.categorical || o.na !== undefined || o.delimiter !== undefined) && name !== 'tabular') {
    throw new UsageError('--file, --target, --task, --categorical, --na and --delimiter apply to the tabular experiment only');
  }
  if (o.manifest !== undefined && name !== 'table1') throw new UsageError('--manifest applies to the table1 experiment only');
  const seed = num('seed', o.seed, { int: true, min: 0 });
  threadsOf(o);
  let shard: { index: number; count: number } | undefined;
  try { shard = o.shard === undefined ? undefined : parseShard(String(o.shard)); } catch (e) { throw new UsageError((e as Error).message); }
  const t = tableOptions(o);
  const options = {
    size, seed, ...(o.file ? { file: String(o.file) } : {}), ...(o.target ? { target: String(o.target) } : {}),
    ...(t.task ? { task: t.task } : {}), ...(t.categorical ? { categorical: t.categorical } : {}), ...(t.na ? { na: t.na } : {}),
    ...(t.delimiter !== undefined ? { delimiter: t.delimiter } : {}), ...(o.manifest !== undefined ? { manifest: String(o.manifest) } : {}),
  };
  const all = gridOf(name).points(options); // a damaged manifest is named here, before any work
  const mine = shard ? all.filter((_, k) => k % shard!.count === shard!.index).length : all.length;
  const { workers, why } = workersFor(o.workers, mine);
  if (why) log(`--workers ${String(o.workers)} capped at ${workers}: ${why}`);
  const dir = o['run-dir'] ? String(o['run-dir']) : runFolder(String(o.out), name, options);
  const inputs = [...(o.file ? [{ flag: '--file', path: String(o.file) }] : []), ...(gridOf(name).inputs?.(options) ?? []).map((path) => ({ flag: '--manifest', path }))];
  checkDirOutput({ flag: o['run-dir'] ? '--run-dir' : '--out', path: dir }, inputs, RUN_FOLDER_FILES);
  if (o.file) {
    // read the file now: a bad cell is reported before any work starts
    const raw = loadTableFile(String(o.file), { ...t, target: o.target as string | undefined });
    for (const n of raw.notes) log(`data: ${n}`);
  }
  await withBackend(o, async (backend, kind) => {
    if (workers > 1 && kind === 'gpu') throw new UsageError('--workers > 1 needs a CPU backend (the workers would share one GPU); use --workers 1');
    const workerBackend = kind === 'cpu' ? 'cpu' : 'wasm';
    const t0 = performance.now();
    log(`experiment ${name} (${size}) on ${backend.description}${workers > 1 ? `; ${workers} workers, each on the ${workerBackend} backend with 1 thread` : ''}`);
    const run = await runExperiment(name, { ...options, progress: Boolean(process.stderr.isTTY) && workers === 1 }, {
      workers, shard, runDir: dir, workerBackend, log: (s: string) => log(`  ${s}`),
    });
    const seconds = (performance.now() - t0) / 1000;
    const reused = run.reused.points ? `; reused ${run.reused.points} finished point(s), which took ${formatSeconds(run.reused.seconds)} when they ran` : '';
    log(`  ${run.ran} point(s) run, ${run.skipped} already done in ${dir}${reused}`);
    if (!run.result) {
      log(`\nshard ${shard!.index + 1}/${shard!.count} done in ${formatSeconds(seconds)}: ${run.results.size} of ${run.total} points present; merge the shards with 'psilon report <run-folder>...'`);
      return;
    }
    printAndWrite(run.result, dir, {
      backend: backend.description + (run.workers > 1 ? ` (${run.workers} workers)` : ''), seconds, command: `psilon experiment ${argv.join(' ')}`, ran: run.ran, reused: run.reused,
    }, io);
  });
}

/** Prints the table (first, so nothing is lost if writing fails), then writes the report. */
function printAndWrite(result: ExperimentResult, dir: string, meta: ReportMeta, io: Io, name?: string): void {
  const log = (s: string) => say(io, s);
  log(`\n${result.title}\n\n${textTable(result.table)}\n`);
  for (const n of result.notes) log(`- ${n}`);
  const report = writeReport(result, dir, meta, { name });
  log(`\n${meta.mergedFrom ? `merged ${meta.reused?.points ?? 0} points` : `wall time ${formatSeconds(meta.seconds)}`}; report: ${report}`);
}

export const reportCommand: CommandDecl = {
  name: 'report',
  synopsis: '<run-folder>... [--out <dir>]',
  summary: "merge the points of an experiment's run folders (its shards, or one folder) into its report",
  positionals: { min: 0, max: Infinity },
  options: { out: { arg: '<dir>', help: "where report-merged.md and its plots go (a run's own report.md is never overwritten)", helpDefault: 'the first run folder' }, ...HELP },
  run: (o, dirs, io, argv) => cmdReport(o, dirs, io, argv),
};

/** The data files (`--file`) the runs in `dirs` read, which a report must not write over; a damaged run.json is left to the merge to name. */
function runDataFiles(dirs: readonly string[]): { flag: string; path: string }[] {
  return dirs.flatMap((d) => {
    let rec;
    try { rec = readRunRecord(d); } catch { return []; }
    const file = rec.options.file;
    let suite: string[] = [];
    try { suite = isExperimentName(rec.experiment) ? gridOf(rec.experiment).inputs?.(rec.options) ?? [] : []; } catch { /* mergeRunFolders names it */ }
    return [...(typeof file === 'string' ? [{ flag: '--file', path: file }] : []), ...suite.map((path) => ({ flag: '--manifest', path }))];
  });
}

async function cmdReport(o: Values, dirs: string[], io: Io, argv: string[]): Promise<void> {
  if (!dirs.length) throw new UsageError("report: name at least one run folder ('psilon report --help')");
  const log = (s: string) => say(io, s);
  const out = o.out ? String(o.out) : dirs[0]!;
  for (const d of dirs) if (!existsSync(join(d, 'run.json'))) throw new UsageError(`report: ${d} is not a run folder (no run.json)`);
  checkDirOutput({ flag: o.out ? '--out' : 'report', path: out }, runDataFiles(dirs), ['report-merged.md', '*.svg', '*.csv']);
  const t0 = performance.now();
  let m: MergedRuns;
  try { m = mergeRunFolders(dirs, (s) => log(`  ${s}`)); } catch (e) { throw new Error(`report: ${(e as Error).message}`); }
  if (m.missing.length) throw new Error(`report: ${m.missing.length} point(s) missing: ${m.missing.join(', ')} (run their shards, or re-run the experiment to finish them)`);
  printAndWrite(gridOf(m.experiment).reduce(m.options, m.results), out, {
    backend: `merged from ${dirs.length} run folder(s)`, seconds: (performance.now() - t0) / 1000, command: `psilon report ${argv.join(' ')}`,
    mergedFrom: dirs, reused: { points: m.results.size, seconds: m.seconds },
  }, io, 'report-merged');
}

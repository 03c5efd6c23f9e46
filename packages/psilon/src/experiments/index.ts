/** The experiments: grids of independent points (grid.ts), run serially, in parallel, resumed or sharded. */
import { join } from 'node:path';
import type { ExperimentOptions, TabularOptions } from './common.js';
import { readPointRecords, runGrid, type GridRun, type GridRunOptions } from './grid.js';
import type { MnistOptions } from './mnist.js';
import { WorkerPool } from './parallel.js';
import type { PruningOptions } from './pruning.js';
import type { Table1Options } from './table1.js';
import { gridOf, GRIDS, isExperimentName, type ExperimentName } from './registry.js';
import type { ExperimentResult } from './report.js';
import { dataOptions, keyDifferences, keyHash, openRunFolder, readRunRecord, runKey } from './runfolder.js';

/** Options of {@link runExperiment}: the grid's, plus which backend parallel workers start. */
export interface RunExperimentOptions extends Omit<GridRunOptions, 'startWorkers' | 'key'> {
  /** Backend name for worker threads (default `wasm`, single-threaded in each worker). */
  workerBackend?: string;
}

/**
 * Runs an experiment's grid (this shard's points, in parallel when `workers` > 1,
 * skipping points already in `runDir`); returns the report when the grid is complete.
 * With `runDir`, the folder's `run.json` is created or checked (a folder of another
 * run is refused, runfolder.ts) and only point files of this run are reused.
 * @param name the experiment: a key of {@link GRIDS}
 * @param o its options: size and seed (defaults `default`, 0) and the experiment's own (see {@link ExperimentOptions})
 * @param run how to run the grid: run folder, shard, workers, progress (see {@link RunExperimentOptions})
 */
export async function runExperiment(name: ExperimentName, o: ExperimentOptions & Record<string, unknown>, run: RunExperimentOptions = {}): Promise<GridRun<unknown> & {
  /** The combined result, when every point of the grid is present (`complete`). */
  result?: ExperimentResult;
}> {
  const grid = gridOf(name);
  const opened = run.runDir ? openRunFolder(run.runDir, name, o) : undefined;
  const done = await runGrid(grid, o, {
    ...run, key: opened?.hash, startWorkers: (n) => WorkerPool.start(n, name, dataOptions(o), run.workerBackend ?? 'wasm'),
  });
  if ((opened?.key.data || opened?.key.inputs) && keyHash(runKey(name, o)) !== opened.hash) {
    throw new Error(`${String(o.file ?? o.manifest)}: the data changed while the experiment ran, so its points may mix two versions; run it again into a new folder`);
  }
  return done.complete ? { ...done, result: grid.reduce(o, done.results) } : done;
}

/** What {@link mergeRunFolders} found. */
export interface MergedRuns {
  experiment: ExperimentName;
  /** The options of the first folder's run (what `reduce` needs). */
  options: Record<string, unknown>;
  /** Every point's result, when none is missing. */
  results: Map<string, unknown>;
  /** Ids of the grid's points that no folder holds (usable). */
  missing: string[];
  /** The points' total compute time (seconds), as recorded when they ran. */
  seconds: number;
}

/**
 * Collects the points of run folders of one run (the shards of a cluster run, or
 * one folder): every folder must hold the same run key, the data file (if any)
 * must still have the content the points were computed on, and only point files
 * that pass the grid's checks are used (the others are named through `log`).
 */
export function mergeRunFolders(dirs: readonly string[], log?: (line: string) => void): MergedRuns {
  const recs = dirs.map(readRunRecord);
  const first = recs[0]!, hash = keyHash(first.key);
  recs.forEach((r, i) => {
    if (keyHash(r.key) !== hash) throw new Error(`${dirs[i]} holds another run than ${dirs[0]} (${keyDifferences(r.key, first.key, [`in ${dirs[i]}`, `in ${dirs[0]}`]).join('; ')})`);
  });
  if (!isExperimentName(first.experiment)) throw new Error(`${join(dirs[0]!, 'run.json')}: unknown experiment '${first.experiment}'`);
  const now = runKey(first.experiment, first.options);
  for (const f of [now.data, ...(now.inputs ?? [])]) {
    if (f && 'unreadable' in f) throw new Error(`${dirs[0]}: the run's data file ${f.unreadable} cannot be read now (moved or removed?); the report needs it`);
  }
  if (keyHash(now) !== hash) {
    throw new Error(`${dirs[0]}: the run's data changed since it ran (${keyDifferences(now, first.key, ['now', 'when it ran']).join('; ')})`);
  }
  const grid = gridOf(first.experiment);
  const points = grid.points(first.options);
  const results = new Map<string, unknown>();
  let seconds = 0;
  for (const d of dirs) {
    for (const [id, r] of readPointRecords(d, { key: hash, points, validate: grid.validate?.bind(grid), log })) {
      if (results.has(id)) continue;
      results.set(id, r.result);
      seconds += r.seconds;
    }
  }
  return { experiment: first.experiment, options: first.options, results, missing: points.filter((p) => !results.has(p.id)).map((p) => p.id), seconds };
}

async function serially(name: ExperimentName, o: ExperimentOptions & Record<string, unknown>): Promise<ExperimentResult> {
  return (await runExperiment(name, o)).result!;
}

/** Experiment 1 (docs/math.md §9.1), serially on the active backend. */
export const tabularExperiment = (o: TabularOptions = {}): Promise<ExperimentResult> => serially('tabular', o as TabularOptions & Record<string, unknown>);
/** Experiment 2 (docs/math.md §9.2), serially on the active backend. */
export const mnistExperiment = (o: MnistOptions = {}): Promise<ExperimentResult> => serially('mnist', o as MnistOptions & Record<string, unknown>);
/** Experiment 3 (docs/math.md §7), serially on the active backend. */
export const pruningExperiment = (o: PruningOptions = {}): Promise<ExperimentResult> => serially('pruning', o as PruningOptions & Record<string, unknown>);
/** Experiment 4 (the paper's Figure 1), serially on the active backend. */
export const figure1Experiment = (o: ExperimentOptions = {}): Promise<ExperimentResult> => serially('figure1', o as ExperimentOptions & Record<string, unknown>);
/** The paper's Table 1 (docs/math.md §9): four models on every dataset of a suite, serially on the active backend. */
export const table1Experiment = (o: Table1Options = {}): Promise<ExperimentResult> => serially('table1', o as Table1Options & Record<string, unknown>);

/** The experiments by CLI name. */
export const EXPERIMENTS: {
  /** {@link tabularExperiment} */
  readonly tabular: typeof tabularExperiment;
  /** {@link mnistExperiment} */
  readonly mnist: typeof mnistExperiment;
  /** {@link pruningExperiment} */
  readonly pruning: typeof pruningExperiment;
  /** {@link figure1Experiment} */
  readonly figure1: typeof figure1Experiment;
  /** {@link table1Experiment} */
  readonly table1: typeof table1Experiment;
} = { tabular: tabularExperiment, mnist: mnistExperiment, pruning: pruningExperiment, figure1: figure1Experiment, table1: table1Experiment };

export { GRIDS, gridOf, isExperimentName, type ExperimentName };
export { writeFileAtomic, writeJsonAtomic } from './files.js';
export {
  runGrid, readPoints, readPointRecords, writePoint, parseShard, type GridExperiment, type GridRun, type GridRunOptions, type PointSpec, type PointRunner,
  type PointRecord, type ReadPointsOptions,
} from './grid.js';
export { dataOptions, keyHash, keyDifferences, openRunFolder, readRunRecord, runFolder, runKey, type RunKey, type RunRecord } from './runfolder.js';
export { type WriteFileOptions } from './files.js';
export { PAPER_TABULAR_GRID, MIN_ROWS, loadTableFile, type TableFileOptions, type Size, type ExperimentOptions, type TabularOptions, type NetPoint, type NetPointResult } from './common.js';
export { MNIST_LAMBDAS, type MnistOptions, type VariantResult } from './mnist.js';
export type { PruningOptions } from './pruning.js';
export { linePlot, type Series, type PlotOptions } from './plot.js';
export { markdownTable, textTable, writeReport, fmtNum, csvFileOf, type ExperimentResult, type ReportMeta, type Table } from './report.js';
export { runBench } from './bench.js';

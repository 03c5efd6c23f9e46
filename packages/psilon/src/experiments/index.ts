/** The experiments: grids of independent points (grid.ts), run serially, in parallel, resumed or sharded. */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { ExperimentOptions, TabularOptions } from './common.js';
import { runGrid, type GridRun, type GridRunOptions } from './grid.js';
import type { MnistOptions } from './mnist.js';
import { WorkerPool } from './parallel.js';
import type { PruningOptions } from './pruning.js';
import { gridOf, GRIDS, isExperimentName, type ExperimentName } from './registry.js';
import type { ExperimentResult } from './report.js';

/** An experiment's options as plain data (what travels to workers and identifies a run). */
export function dataOptions(o: ExperimentOptions & Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k, v]) => k !== 'log' && k !== 'progress' && v !== undefined && typeof v !== 'function'));
}

/**
 * The run folder of an experiment under `base`: `<name>-<size>-<hash of the options>`, the same for the
 * same command, so re-running it resumes (finished points are skipped) and different commands never share one.
 */
export function runFolder(base: string, name: ExperimentName, o: ExperimentOptions & Record<string, unknown>): string {
  const data = dataOptions(o);
  const hash = createHash('sha256').update(JSON.stringify([name, Object.entries(data).sort()])).digest('hex').slice(0, 10);
  return join(base, `${name}-${String(o.size ?? 'default')}-${hash}`);
}

/** Options of {@link runExperiment}: the grid's, plus which backend parallel workers start. */
export interface RunExperimentOptions extends Omit<GridRunOptions, 'spawn'> {
  /** Backend name for worker threads (default `wasm`, single-threaded in each worker). */
  workerBackend?: string;
}

/**
 * Runs an experiment's grid (this shard's points, in parallel when `workers` > 1,
 * skipping points already in `runDir`); returns the report when the grid is complete.
 */
export async function runExperiment(name: ExperimentName, o: ExperimentOptions & Record<string, unknown>, run: RunExperimentOptions = {}): Promise<GridRun<unknown> & { result?: ExperimentResult }> {
  const grid = gridOf(name);
  const workers = run.workers ?? 1;
  const pool = workers > 1 ? await WorkerPool.start(workers, name, dataOptions(o), run.workerBackend ?? 'wasm') : undefined;
  try {
    const done = await runGrid(grid, o, { ...run, spawn: pool ? (p) => pool.run(p) : undefined });
    return done.complete ? { ...done, result: grid.reduce(o, done.results) } : done;
  } finally {
    await pool?.close();
  }
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
} = { tabular: tabularExperiment, mnist: mnistExperiment, pruning: pruningExperiment, figure1: figure1Experiment };

export { GRIDS, gridOf, isExperimentName, type ExperimentName };
export { writeFileAtomic, writeJsonAtomic } from './files.js';
export { runGrid, readPoints, parseShard, type GridExperiment, type GridRun, type GridRunOptions, type PointSpec } from './grid.js';
export { PAPER_TABULAR_GRID, MIN_ROWS, loadTableFile, type TableFileOptions, type Size, type ExperimentOptions, type TabularOptions, type NetPoint, type NetPointResult } from './common.js';
export { MNIST_LAMBDAS, type MnistOptions, type VariantResult } from './mnist.js';
export type { PruningOptions } from './pruning.js';
export { linePlot, type Series, type PlotOptions } from './plot.js';
export { markdownTable, textTable, writeReport, fmtNum, type ExperimentResult, type Table } from './report.js';
export { runBench } from './bench.js';

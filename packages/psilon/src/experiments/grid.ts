/**
 * Experiments as grids of independent points (one model and λ each), so a run can
 * go in parallel over worker threads, resume after a crash, and be split into
 * shards for a cluster scheduler, always giving the result a serial run gives.
 *
 * A point's result is plain JSON, written atomically to `<runDir>/points/<id>.json`
 * (temporary file + rename) as soon as it is done; a later run of the same
 * command finds it and skips the point. `reduce` turns the complete set of point
 * results into the experiment's table and plots; it runs wherever all points are
 * present (a single run, or `psilon report` over the shards' folders).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from './files.js';
import type { ExperimentResult } from './report.js';

/** One unit of work: an id unique within the experiment, plus whatever the point needs (JSON). */
export interface PointSpec { id: string }

/** An experiment as a grid: its points, how to run one, how to combine all results. */
export interface GridExperiment<O, P extends PointSpec, R> {
  /** The points of a run with options `o`, in a fixed order. */
  points(o: O): P[];
  /** Runs one point on the active backend; the result must survive JSON. */
  runPoint(o: O, p: P): Promise<R>;
  /** The report from every point's result. */
  reduce(o: O, results: ReadonlyMap<string, R>): ExperimentResult;
}

/** How to run a grid. */
export interface GridRunOptions {
  /** Worker threads, one point each (default 1: in this thread, on the active backend). */
  workers?: number;
  /** Where finished points are kept (default: nowhere, no resuming). */
  runDir?: string;
  /** Run only points i, i + n, i + 2n, … of the grid (0-based shard i of n). */
  shard?: { index: number; count: number };
  /** Runs one point in a worker thread (set by the caller that owns the worker script). */
  spawn?: (p: PointSpec) => Promise<unknown>;
  /** Called with a line after each finished point. */
  log?: (line: string) => void;
}

/** What a grid run did. */
export interface GridRun<R> {
  /** Results of every point present (run now or found in the run folder). */
  results: Map<string, R>;
  /** True when every point of the grid is present. */
  complete: boolean;
  ran: number;
  skipped: number;
  total: number;
}

/** Parses `i/n` (1-based, as Slurm array indices are usually numbered from 1: `--shard 2/3` is the second of three). */
export function parseShard(s: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(s.trim());
  const i = m ? Number(m[1]) : NaN, n = m ? Number(m[2]) : NaN;
  if (!(n >= 1 && i >= 1 && i <= n)) throw new Error(`--shard must be i/n with 1 ≤ i ≤ n, got '${s}'`);
  return { index: i - 1, count: n };
}


const pointFile = (runDir: string, id: string) => join(runDir, 'points', `${id.replace(/[^A-Za-z0-9_.=+-]/g, '_')}.json`);

/** The point results kept in a run folder. */
export function readPoints<R>(runDir: string): Map<string, R> {
  const out = new Map<string, R>();
  const dir = join(runDir, 'points');
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const rec = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { id: string; result: R };
    out.set(rec.id, rec.result);
  }
  return out;
}

/**
 * Runs the grid's points (this shard's, skipping those already in `runDir`),
 * serially or over `workers` threads, keeping each result as it completes.
 */
export async function runGrid<O, P extends PointSpec, R>(exp: GridExperiment<O, P, R>, o: O, run: GridRunOptions = {}): Promise<GridRun<R>> {
  const all = exp.points(o);
  const mine = run.shard ? all.filter((_, k) => k % run.shard!.count === run.shard!.index) : all;
  const found = run.runDir ? readPoints<R>(run.runDir) : new Map<string, R>();
  const results = new Map<string, R>();
  for (const p of all) if (found.has(p.id)) results.set(p.id, found.get(p.id)!);
  const todo = mine.filter((p) => !results.has(p.id));
  if (run.runDir) mkdirSync(join(run.runDir, 'points'), { recursive: true });
  const keep = (p: P, r: R) => {
    results.set(p.id, r);
    if (run.runDir) writeJsonAtomic(pointFile(run.runDir, p.id), { id: p.id, result: r });
    run.log?.(`${p.id}: done (${results.size}/${all.length})`);
  };
  const workers = Math.max(1, Math.min(run.workers ?? 1, todo.length));
  if (workers === 1 || !run.spawn) {
    for (const p of todo) keep(p, await exp.runPoint(o, p));
  } else {
    let next = 0;
    const lane = async () => {
      while (next < todo.length) {
        const p = todo[next++]!;
        keep(p, (await run.spawn!(p)) as R);
      }
    };
    await Promise.all(Array.from({ length: workers }, lane));
  }
  return { results, complete: all.every((p) => results.has(p.id)), ran: todo.length, skipped: mine.length - todo.length, total: all.length };
}

/**
 * Experiments as grids of independent points (one model and λ each), so a run can
 * go in parallel over worker threads, resume after a crash, and be split into
 * shards for a cluster scheduler, always giving the result a serial run gives.
 *
 * A point's result is plain JSON, written atomically to `<runDir>/points/<id>.json`
 * as soon as it is done, with the run's key (runfolder.ts: a hash of every option
 * that changes a result and of the data file's content) and its compute time. A
 * later run with the same key finds it and skips the point; a point file that is
 * damaged, of another run or of the wrong shape is named in a log line and re-run,
 * never mixed in. `reduce` turns the complete set of point results into the
 * experiment's table and plots; it runs wherever all points are present (a single
 * run, or `psilon report` over the shards' folders).
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readInputText } from '../data/read.js';
import { signalsSettled, writeFileAtomic } from './files.js';
import type { ExperimentResult } from './report.js';

/** One unit of work: an id unique within the experiment, plus whatever the point needs (JSON). */
export interface PointSpec {
  /** The point's name, unique in its grid (also its point file's name in the run folder). */
  id: string;
}

/** An experiment as a grid: its points, how to run one, how to combine all results. */
export interface GridExperiment<O, P extends PointSpec, R> {
  /** The points of a run with options `o`, in a fixed order. */
  points(o: O): P[];
  /** Runs one point on the active backend; the result must survive JSON. */
  runPoint(o: O, p: P): Promise<R>;
  /** The report from every point's result. */
  reduce(o: O, results: ReadonlyMap<string, R>): ExperimentResult;
  /**
   * What is wrong with `result` read back from a point file as point `p`'s result
   * (`undefined` when it has the shape `reduce` expects). Without it only the file's
   * id and run key are checked.
   */
  validate?(p: P, result: unknown): string | undefined;
  /**
   * The files a run with options `o` reads besides a `file` option (a suite manifest and the files it
   * names): the run key fingerprints their content, and the CLI never writes over them.
   */
  inputs?(o: O): string[];
}

/** Runs points somewhere else (worker threads); see {@link GridRunOptions.startWorkers}. */
export interface PointRunner {
  /** Runs one point, resolving to its result. */
  run(p: PointSpec): Promise<unknown>;
  /** Stops the workers. */
  close(): Promise<void>;
}

/** How to run a grid. */
export interface GridRunOptions {
  /** Worker threads, one point each (default 1: in this thread, on the active backend); capped at the points left to run. */
  workers?: number;
  /** Where finished points are kept (default: nowhere, no resuming). */
  runDir?: string;
  /** The run's key (runfolder.ts `keyHash`): written into every point file, and a point file is reused only when it carries it. */
  key?: string;
  /** Run only points i, i + n, i + 2n, … of the grid (0-based shard i of n). */
  shard?: {
    /** 0-based index i of this shard, in [0, count). */
    index: number;
    /** Number n of shards the grid is split into (≥ 1). */
    count: number;
  };
  /** Starts `count` workers (set by the caller that owns the worker script); called only when more than one would run. */
  startWorkers?: (count: number) => Promise<PointRunner>;
  /** Called with a line after each finished point, and for each point file that cannot be reused. */
  log?: (line: string) => void;
}

/** What a grid run did. */
export interface GridRun<R> {
  /** Results of every point present (run now or found in the run folder). */
  results: Map<string, R>;
  /** True when every point of the grid is present. */
  complete: boolean;
  /** Points run now. */
  ran: number;
  /** Points of this shard found finished in the run folder. */
  skipped: number;
  /** Points of the grid. */
  total: number;
  /** Points reused from the run folder and the compute time they took when they ran (seconds). */
  reused: {
    /** Points reused from the run folder. */
    points: number;
    /** Compute time those points took when they ran, in seconds. */
    seconds: number;
  };
  /** Worker threads started (0: the points ran in this thread). */
  workers: number;
}

/** Parses `i/n` (1-based, as Slurm array indices are usually numbered from 1: `--shard 2/3` is the second of three). */
export function parseShard(s: string): {
  /** 0-based shard index (i − 1). */
  index: number;
  /** Number of shards n. */
  count: number;
} {
  const m = /^(\d+)\/(\d+)$/.exec(s.trim());
  const i = m ? Number(m[1]) : NaN, n = m ? Number(m[2]) : NaN;
  if (!(n >= 1 && i >= 1 && i <= n)) throw new Error(`--shard must be i/n with 1 ≤ i ≤ n, got '${s}'`);
  return { index: i - 1, count: n };
}

/** The version of the point-file layout (`{ format, id, key, seconds, result }`). */
const POINT_FORMAT = 2;

const fileName = (id: string) => `${id.replace(/[^A-Za-z0-9_.=+-]/g, '_')}.json`;
const pointFile = (runDir: string, id: string) => join(runDir, 'points', fileName(id));

// JSON has no NaN or ±Infinity: they are kept as { "$number": "NaN" } so that a reused point is the point that ran.
const NONFINITE = '$number';
const replacer = (_k: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? { [NONFINITE]: String(v) } : v);
const reviver = (_k: string, v: unknown) => {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const keys = Object.keys(v);
    const s = (v as Record<string, unknown>)[NONFINITE];
    if (keys.length === 1 && (s === 'NaN' || s === 'Infinity' || s === '-Infinity')) return Number(s);
  }
  return v;
};

/** A point file as written by a grid run. */
export interface PointRecord<R> { id: string; key?: string; seconds: number; result: R }

/** Writes point `id`'s result (and the seconds it took) into `runDir/points/`, atomically. */
export function writePoint(runDir: string, id: string, key: string | undefined, seconds: number, result: unknown): void {
  writeFileAtomic(pointFile(runDir, id), JSON.stringify({ format: POINT_FORMAT, id, key, seconds, result }, replacer));
}

/** How {@link readPoints} decides which point files to use. */
export interface ReadPointsOptions {
  /** Use only point files carrying this run key (runfolder.ts `keyHash`). */
  key?: string;
  /** The grid's points: a file for any other id is skipped. */
  points?: readonly PointSpec[];
  /** The grid's result check (GridExperiment.validate). */
  validate?: (p: PointSpec, result: unknown) => string | undefined;
  /** Told, in one line each, about every file that is not used and why. */
  log?: (line: string) => void;
  /** The points the caller runs again when their file is not used (the log line says so). */
  rerun?: readonly PointSpec[];
}

/**
 * The point records kept in a run folder that pass `options`' checks: each file must
 * parse, hold a point of the grid under its own file name, carry the run's key and
 * a result of the grid's shape. Any other file is named in a `log` line and left out.
 */
export function readPointRecords<R>(runDir: string, options: ReadPointsOptions = {}): Map<string, PointRecord<R>> {
  const out = new Map<string, PointRecord<R>>();
  const dir = join(runDir, 'points');
  if (!existsSync(dir)) return out;
  const byId = options.points ? new Map(options.points.map((p) => [p.id, p])) : undefined;
  const rerun = new Set(options.rerun?.map((p) => fileName(p.id)));
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const file = join(dir, f);
    const why = (() => {
      let rec: unknown;
      const text = (() => { try { return readInputText(file, { what: 'point file' }); } catch (e) { return e as Error; } })();
      if (text instanceof Error) return `unreadable (${text.message.split('\n')[0]})`;
      try { rec = JSON.parse(text, reviver); } catch { return 'damaged (not valid JSON: truncated or edited)'; }
      if (typeof rec !== 'object' || rec === null || typeof (rec as PointRecord<R>).id !== 'string') return 'not a point file (no id)';
      const r = rec as PointRecord<R>;
      if (fileName(r.id) !== f) return `holds point '${r.id}', whose file would be ${fileName(r.id)}`;
      const p = byId?.get(r.id);
      if (byId && !p) return `holds point '${r.id}', which is not in this run's grid`;
      if (options.key !== undefined && r.key !== options.key) return r.key === undefined ? 'has no run key (written by an older psilon)' : 'belongs to another run (its run key differs)';
      if (!Object.hasOwn(r, 'result')) return 'damaged (no result)';
      const bad = p && options.validate?.(p, r.result);
      if (bad) return `damaged (${bad})`;
      out.set(r.id, { id: r.id, key: r.key, seconds: typeof r.seconds === 'number' && r.seconds >= 0 ? r.seconds : 0, result: r.result });
      return undefined;
    })();
    if (why) options.log?.(`${file}: ${why}; not used${rerun.has(f) ? ', the point is re-run' : ''}`);
  }
  return out;
}

/** The point results kept in a run folder that pass `options`' checks (each file must parse, hold a point of the grid under its own file name, carry the run's key and a result of the grid's shape; any other is named in a `log` line and left out). */
export function readPoints<R>(runDir: string, options: ReadPointsOptions = {}): Map<string, R> {
  return new Map([...readPointRecords<R>(runDir, options)].map(([id, r]) => [id, r.result]));
}

/**
 * Runs the grid's points (this shard's, skipping those already in `runDir` with
 * this run's key), serially or over `workers` threads (never more than the points
 * left to run, none when all are done), keeping each result as it completes.
 */
export async function runGrid<O, P extends PointSpec, R>(exp: GridExperiment<O, P, R>, o: O, run: GridRunOptions = {}): Promise<GridRun<R>> {
  const all = exp.points(o);
  const mine = run.shard ? all.filter((_, k) => k % run.shard!.count === run.shard!.index) : all;
  const found = run.runDir
    ? readPointRecords<R>(run.runDir, { key: run.key, points: all, validate: exp.validate?.bind(exp) as ReadPointsOptions['validate'], log: run.log, rerun: mine })
    : new Map<string, PointRecord<R>>();
  const results = new Map<string, R>();
  const reused = { points: 0, seconds: 0 };
  for (const p of all) {
    const rec = found.get(p.id);
    if (!rec) continue;
    results.set(p.id, rec.result);
    reused.points++;
    reused.seconds += rec.seconds;
  }
  const todo = mine.filter((p) => !results.has(p.id));
  if (run.runDir) mkdirSync(join(run.runDir, 'points'), { recursive: true });
  const keep = (p: P, r: R, seconds: number) => {
    results.set(p.id, r);
    if (run.runDir) writePoint(run.runDir, p.id, run.key, seconds, r);
    run.log?.(`${p.id}: done in ${seconds.toFixed(1)} s (${results.size}/${all.length})`);
  };
  const asked = Math.max(1, Math.floor(run.workers ?? 1));
  const workers = run.startWorkers && asked > 1 ? Math.min(asked, todo.length) : 0;
  if (asked > 1 && run.startWorkers) {
    run.log?.(todo.length === 0 ? `all ${mine.length} point(s) already done: no workers started`
      : workers <= 1 ? `1 point left to run: it runs in this thread, no workers started (${asked} asked)`
        : workers < asked ? `${workers} workers started (${asked} asked; capped at the ${todo.length} points left to run)` : `${workers} workers started`);
  }
  const timed = async (p: P, go: () => Promise<unknown>) => {
    const t0 = performance.now();
    const r = (await go()) as R;
    keep(p, r, (performance.now() - t0) / 1000);
  };
  if (workers <= 1) {
    for (const p of todo) {
      await signalsSettled(); // so that Ctrl-C during the point ends the run, not after the grid
      await timed(p, () => exp.runPoint(o, p));
    }
  } else {
    const pool = await run.startWorkers!(workers);
    try {
      let next = 0;
      const lane = async () => {
        while (next < todo.length) {
          const p = todo[next++]!;
          await timed(p, () => pool.run(p));
        }
      };
      await Promise.all(Array.from({ length: workers }, lane));
    } finally {
      await pool.close();
    }
  }
  return {
    results, complete: all.every((p) => results.has(p.id)), ran: todo.length, skipped: mine.length - todo.length, total: all.length,
    reused, workers: workers > 1 ? workers : 0,
  };
}

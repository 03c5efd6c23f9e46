/**
 * Run folders know what they hold. A run's key is every option that changes its
 * result (the experiment, size, seed, λ grid, model and data options) plus a
 * SHA-256 fingerprint of the data file's content when the run reads one. The key
 * is written into `run.json` and (as its hash) into every point file, so a run
 * resumes only from points computed with the same key: a folder holding another
 * run is refused with the options that differ, and the default folder name
 * carries the key's hash, so two different runs never share one.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readInputBytes, readInputText } from '../data/read.js';
import { gridOf, isExperimentName } from './registry.js';
import { removeStaleTemporaries, writeJsonAtomic } from './files.js';

/** An experiment's options as plain data (what travels to workers and identifies a run). */
export function dataOptions(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k, v]) => k !== 'log' && k !== 'progress' && v !== undefined && typeof v !== 'function'));
}

/** What a run holds: everything that changes its result. */
export interface RunKey {
  experiment: string;
  /** The options that change a result, defaults filled in (`size` default, `seed` 0), keys sorted; the data file's path is not one. */
  options: Record<string, unknown>;
  /** The data file's content (`file` option): its SHA-256 and size, or the path when it cannot be read. */
  data?: { sha256: string; bytes: number } | { unreadable: string };
  /** The content of the other files the run reads (`GridExperiment.inputs`: a suite manifest and its files), in order. */
  inputs?: NonNullable<RunKey['data']>[];
}

/** JSON with object keys sorted, so equal keys have equal text. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object' && v !== null) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/** The SHA-256 of a data file's content (read as users' files are: regular files only, size-limited). */
function fingerprint(file: string): NonNullable<RunKey['data']> {
  let bytes: Uint8Array;
  try { bytes = readInputBytes(file, { what: 'data file' }); } catch { return { unreadable: file }; }
  return { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
}

/** The key of a run of experiment `name` with options `o` (reads the data file to fingerprint it). */
export function runKey(name: string, o: Record<string, unknown>): RunKey {
  // the data's paths are not part of the key (a moved file is the same data); their content is
  const { file, ...rest } = dataOptions(o);
  delete rest.manifest;
  const options = JSON.parse(canonical({ size: 'default', seed: 0, ...rest })) as Record<string, unknown>;
  const inputs = isExperimentName(name) ? gridOf(name).inputs?.(o) ?? [] : [];
  return {
    experiment: name, options, ...(typeof file === 'string' ? { data: fingerprint(file) } : {}),
    ...(inputs.length ? { inputs: inputs.map(fingerprint) } : {}),
  };
}

/** A short hash of a run key (16 hex digits of its canonical JSON's SHA-256). */
export function keyHash(key: RunKey): string {
  return createHash('sha256').update(canonical(key)).digest('hex').slice(0, 16);
}

const show = (v: unknown) => (v === undefined ? 'unset' : JSON.stringify(v));

/** What differs between two run keys, one phrase each ("seed: 1 here, 0 in the folder"). */
export function keyDifferences(here: RunKey, there: RunKey, [a, b] = ['here', 'in the folder']): string[] {
  const out: string[] = [];
  if (here.experiment !== there.experiment) out.push(`experiment: ${here.experiment} ${a}, ${there.experiment} ${b}`);
  for (const k of [...new Set([...Object.keys(here.options), ...Object.keys(there.options)])].sort()) {
    const x = here.options[k], y = there.options[k];
    if (canonical(x ?? null) !== canonical(y ?? null)) out.push(`${k}: ${show(x)} ${a}, ${show(y)} ${b}`);
  }
  if (canonical(here.data ?? null) !== canonical(there.data ?? null)) {
    const d = (x: RunKey['data']) => (!x ? 'no data file' : 'sha256' in x ? `sha256 ${x.sha256.slice(0, 12)}…, ${x.bytes} bytes` : `unreadable ${x.unreadable}`);
    out.push(`the data file's content: ${d(here.data)} ${a}, ${d(there.data)} ${b}`);
  }
  if (canonical(here.inputs ?? null) !== canonical(there.inputs ?? null)) out.push(`the content of the suite's files (manifest and datasets) differs ${a} and ${b}`);
  return out;
}

/** The record of a run folder (`run.json`). */
export interface RunRecord {
  format: number;
  experiment: string;
  /** The options the run was started with (plain data, the data file's absolute path included). */
  options: Record<string, unknown>;
  key: RunKey;
}

const RUN_FORMAT = 2;

/** Reads `<dir>/run.json`; a missing, damaged or keyless one is an error naming the file. */
export function readRunRecord(dir: string): RunRecord {
  const file = join(dir, 'run.json');
  if (!existsSync(file)) throw new Error(`${dir}: not a run folder (no run.json)`);
  let rec: Partial<RunRecord>;
  const text = readInputText(file, { what: 'run record' });
  try { rec = JSON.parse(text) as Partial<RunRecord>; } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    throw new Error(`${file}: not a run record: the JSON is damaged or truncated (${text.length} characters)`);
  }
  if (typeof rec !== 'object' || rec === null || typeof rec.experiment !== 'string' || typeof rec.options !== 'object' || rec.options === null) {
    throw new Error(`${file}: not a psilon run record (no experiment and options)`);
  }
  if (typeof rec.key !== 'object' || rec.key === null || typeof rec.key.options !== 'object') {
    throw new Error(`${file}: a run folder of an older psilon (no run key): its points cannot be checked; run into a new folder`);
  }
  return rec as RunRecord;
}

/**
 * Opens run folder `dir` for a run of `name` with options `o`: creates it and its
 * `run.json`, or checks that the `run.json` there has this run's key. A folder of
 * another run is an error naming the options that differ. Temporary files of killed runs
 * are removed. Returns the key and its hash.
 */
export function openRunFolder(dir: string, name: string, o: Record<string, unknown>): { key: RunKey; hash: string } {
  const key = runKey(name, o), hash = keyHash(key);
  for (const d of [dir, join(dir, 'points')]) removeStaleTemporaries(d); // debris of a killed run
  if (existsSync(join(dir, 'run.json'))) {
    const rec = readRunRecord(dir);
    if (keyHash(rec.key) !== hash) {
      throw new Error(`${dir}: holds another run (${keyDifferences(key, rec.key).join('; ')}); give another --run-dir, or remove the folder to start over`);
    }
  } else {
    mkdirSync(dir, { recursive: true });
    // the data file's absolute path, so that `psilon report` finds it from any folder
    const options = { ...dataOptions(o), ...(typeof o.file === 'string' ? { file: resolve(o.file) } : {}), ...(typeof o.manifest === 'string' ? { manifest: resolve(o.manifest) } : {}) };
    writeJsonAtomic(join(dir, 'run.json'), { format: RUN_FORMAT, experiment: name, options, key } satisfies RunRecord);
  }
  return { key, hash };
}

/**
 * The run folder of an experiment under `base`: `<name>-<size>-<hash of the run key>`, the same for the
 * same command on the same data, so re-running it resumes (finished points are skipped) and different
 * runs (another option, or a changed data file) never share one.
 */
export function runFolder(base: string, name: string, o: Record<string, unknown>): string {
  return join(base, `${name}-${String(o.size ?? 'default')}-${keyHash(runKey(name, o)).slice(0, 10)}`);
}

/** The data flags, and reading the user's data and model files (regular files only, bounded, named in every error). */
import {
  fractionSplits, loadBoston, loadIdxFiles, loadIris, loadMnist, prepareTabular, preprocessingOf, type Dataset, type Preprocessing,
} from '../data/index.js';
import type { SavedModel } from '../nn/index.js';
import { readSavedModel } from '../nn/model-file.js';
import { loadTableFile, type TableFileOptions } from '../experiments/index.js';
import { list, UsageError, type OptionDecls, type Values } from './args.js';
import { note, type Io } from './io.js';

/** The data-typing flags shared by `train`, `experiment`, `predict` and `evaluate` (README "Data rules"). */
export const DATA_FLAGS: OptionDecls = {
  task: { arg: '<t>', help: 'regression, binary or multiclass', helpDefault: "inferred from the target; see the README's data rules" },
  categorical: { arg: '<a,b>', help: 'CSV columns to one-hot encode even when numeric' },
  na: { arg: '<tokens>', help: 'comma-separated tokens meaning "missing" (e.g. NA,?); rows holding one are dropped' },
  delimiter: { arg: '<c>', help: 'the column separator of a CSV file', helpDefault: "','" },
};

/**
 * How to read a table file, from the data flags.
 */
export function tableOptions(o: Values): TableFileOptions {
  const task = o.task as string | undefined;
  if (task !== undefined && !['regression', 'binary', 'multiclass'].includes(task)) throw new UsageError(`--task must be regression, binary or multiclass, got '${task}'`);
  const delimiter = o.delimiter as string | undefined;
  if (delimiter !== undefined && ([...delimiter].length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r')) {
    throw new UsageError(`--delimiter must be one character other than a quote or a line break, got '${delimiter}'`);
  }
  return {
    target: o.target as string | undefined, task: task as TableFileOptions['task'],
    categorical: list(o.categorical), na: list(o.na, true), ...(delimiter !== undefined ? { delimiter } : {}),
  };
}

/** The bundled datasets `--data` names. */
const BUNDLED = ['boston', 'iris', 'mnist'];

/** The input files behind `--data` (and `--images`/`--labels`), with their flags, for the overwrite check. */
export function dataInputs(o: Values): { flag: string; path: string }[] {
  const data = String(o.data ?? 'boston');
  if (data === 'idx') return [['--images', o.images], ['--labels', o.labels]].filter(([, p]) => p).map(([flag, p]) => ({ flag: String(flag), path: String(p) }));
  return BUNDLED.includes(data) ? [] : [{ flag: '--data', path: data }];
}

/**
 * Train / validation / test splits, a name, and the preprocessing a saved model keeps.
 * `halfIqr`: a regression target was trained as (y − median)/halfIqr, so an RMSE on the
 * splits times `halfIqr` is in the target's units.
 */
export type Loaded = { train: Dataset; validation: Dataset; test: Dataset; name: string; preprocessing?: Preprocessing; halfIqr?: number };

/** Splits and prepares a table, keeping its preprocessing for saving. */
function tabular(raw: Dataset & { classes?: string[] }, seed: number, name: string, target: string): Loaded {
  const p = prepareTabular(raw, seed);
  return { ...p, name, preprocessing: raw.features ? preprocessingOf(raw, target, p.standardizer, p.target) : undefined, halfIqr: p.target?.halfIqr };
}

/** The dataset `--data` names, split with `seed`; notes about the file go to `io`'s stdout. */
export function loadData(o: Values, seed: number, io: Io): Loaded {
  const data = String(o.data ?? 'boston');
  if (data === 'boston') return tabular(loadBoston(), seed, 'Boston housing', 'medv');
  if (data === 'iris') return tabular(loadIris(), seed, 'iris', 'species');
  if (data === 'mnist') return { ...fractionSplits(loadMnist(), [0.5, 0.25, 0.25], seed), name: 'MNIST digits (bundled 10k)' };
  if (data === 'idx') return { ...fractionSplits(loadIdxFiles(String(o.images), String(o.labels)), [0.5, 0.25, 0.25], seed), name: String(o.images) };
  const raw = loadTableFile(data, tableOptions(o));
  for (const n of raw.notes) io.stdout(`data: ${n}\n`);
  return tabular(raw, seed, data, String(o.target));
}

/** Checks `--data` names something loadable before any work (the file itself is read later). */
export function checkDataFlag(o: Values): void {
  const data = String(o.data ?? 'boston');
  if (data === 'idx' && (!o.images || !o.labels)) throw new UsageError('--data idx needs --images <file> and --labels <file>');
  if (!BUNDLED.includes(data) && data !== 'idx' && !/\.(csv|arff)$/i.test(data)) throw new UsageError(`--data: unknown dataset '${data}' (boston, iris, mnist, idx, or a .csv/.arff file)`);
  if (/\.(csv|arff)$/i.test(data) && !o.target) throw new UsageError(`--data ${data} needs --target <column>`);
  tableOptions(o);
}

/**
 * A saved model file with its preprocessing: read as a regular file, parsed as JSON and checked
 * (format, dimensions, preprocessing) before anything is built. Errors name the file in one line.
 */
export function readModelFile(path: string): SavedModel & { preprocessing: Preprocessing } {
  const saved = readSavedModel(path);
  if (saved.preprocessing === undefined) throw new Error(`${path}: the model was saved without its preprocessing (train it on a table with 'psilon train --save')`);
  return saved as SavedModel & { preprocessing: Preprocessing };
}

/** Notes on stderr, one line each, prefixed `data: `. */
export function notes(io: Io, lines: readonly string[]): void {
  for (const n of lines) note(io, `data: ${n}`);
}

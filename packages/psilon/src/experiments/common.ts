/**
 * What the experiments of docs/math.md §9 share: sizes, options, the λ-grid
 * runner and the validation-curve plot. Each experiment is scaled to a 2-core
 * machine with the same protocol and has three sizes: `quick` (seconds; used by
 * the tests), `default` (minutes; the README's main job) and `full` (the paper's sizes).
 */
import { parseARFF, parseCSV, readInputText, tableToDataset, type Dataset, type prepareTabular, type Task } from '../data/index.js';
import { lipschitzBound, MODELS, type ModelDims } from '../nn/index.js';
import { evaluate, train } from '../train/index.js';
import type { PointSpec } from './grid.js';
import { arrayOf, is, num, obj, str, tuple } from './schema.js';
import { panelPlot } from './plot.js';
import type { ExperimentResult } from './report.js';

/** An experiment's size: seconds (`quick`), minutes (`default`), the paper's (`full`). */
export type Size = 'quick' | 'default' | 'full';

/** docs/math.md §9's tabular λ grid (both nets). */
export const PAPER_TABULAR_GRID = [5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5];

/** Common options of the experiments (all but `progress` and `log` are plain data: they travel to worker threads). */
export interface ExperimentOptions {
  /** How big a run: `quick` (seconds), `default` (minutes) or `full` (the paper's sizes); default `default`. */
  size?: Size;
  /** Seed of the data split and the model initialisations (default 0). */
  seed?: number;
  /** Progress bars on stderr. */
  progress?: boolean;
  /** Log lines (default: none). */
  log?: (line: string) => void;
}

/** Options of the tabular experiment. */
export interface TabularOptions extends ExperimentOptions {
  /** A CSV or ARFF file of the user's instead of Boston housing. */
  file?: string;
  /** Target column of `file`. */
  target?: string;
  /** Override the λ grid. */
  grid?: number[];
  /** Override the task inferred from the file's target. */
  task?: Task;
  /** Columns of `file` to one-hot encode even when numeric. */
  categorical?: string[];
  /** Tokens of `file` that mean "missing". */
  na?: string[];
  /** The column separator of `file`, a CSV file (default ','). */
  delimiter?: string;
}

export const TABULAR_SIZES = {
  quick: { hidden: 16, nHidden: 3, epochs: 12, grid: [1e-3, 1e-2] },
  default: { hidden: 128, nHidden: 3, epochs: 200, grid: [1e-4, 1e-3, 1e-2, 1e-1] },
  full: { hidden: 500, nHidden: 3, epochs: 1000, grid: PAPER_TABULAR_GRID },
} as const;

/** How to read a user's table file (README "Data rules"). */
export interface TableFileOptions {
  /** The target column. */
  target?: string;
  /** Override the task inferred from the target. */
  task?: Task;
  /** Columns to one-hot encode even when numeric. */
  categorical?: readonly string[];
  /** Tokens that mean "missing" (rows holding one are dropped). */
  na?: readonly string[];
  /** The CSV column separator (default ','; e.g. '\t' or ';'). ARFF files are always comma-separated. */
  delimiter?: string;
}

/** The fewest rows a table file may have (the splits need train, validation and test rows). */
export const MIN_ROWS = 20;

/**
 * Loads a user's CSV/ARFF file as a dataset (by extension), with the typing rules of
 * `parseCSV`/`tableToDataset`; `notes` say what was inferred or dropped. The file is read with
 * `readInputText` (a regular file, bounded size, strict UTF-8, gzip refused); every error names it.
 * @param path the CSV or ARFF file (by extension)
 * @param options the target column, task, categorical columns, missing-value tokens and delimiter (see {@link TableFileOptions}), or just the target column's name; the target is required
 */
export function loadTableFile(path: string, options: TableFileOptions | string | undefined): Dataset & {
  /** Classification: the class names, in output order (sorted; numbers as strings). */
  classes?: string[];
  /** What a user should hear about the conversion (rows dropped, columns encoded, …). */
  notes: string[];
} {
  const o = typeof options === 'string' || options === undefined ? { target: options } : options;
  if (!o.target) throw new Error(`a data file needs --target <column>`);
  const text = readInputText(path, { what: 'data file' });
  const arff = /\.arff$/i.test(path);
  if (arff && o.delimiter !== undefined && o.delimiter !== ',') throw new Error(`${path}: ARFF files are comma-separated; --delimiter applies to CSV files`);
  const table = arff ? parseARFF(text, { file: path }) : parseCSV(text, { file: path, categorical: o.categorical, na: o.na, delimiter: o.delimiter });
  let d: ReturnType<typeof tableToDataset>;
  try {
    d = tableToDataset(table, { target: o.target, task: o.task });
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  if (d.n < MIN_ROWS) throw new Error(`${path}: ${d.n} rows: at least ${MIN_ROWS} are needed for train/validation/test splits`);
  return d;
}

/** A point of a λ grid: which named model (`MODELS`), which λ. */
export interface NetPoint extends PointSpec {
  /** The model's name in {@link MODELS} (`psilon-net`, `standard-net`, …). */
  model: string;
  /** Regularization strength λ of this point. */
  lambda: number;
}

/** What one trained net reports (plain JSON, so it can be kept in a run folder). */
export interface NetPointResult {
  /** The model's name in {@link MODELS}. */
  model: string;
  /** Regularization strength λ it was trained with. */
  lambda: number;
  /** Final-epoch validation loss (λ is chosen on it, docs/math.md §8). */
  valLoss: number;
  /** [epoch, step, validation loss] at each validation. */
  curve: [number, number, number][];
  /** The trained model's scores on the test split. */
  test: {
    /** Mean test data loss (MSE for regression, cross-entropy for classification; see {@link evaluate}). */
    loss: number;
    /** Test RMSE for regression, accuracy for classification. */
    metric: number;
  };
  /** The certified Lipschitz bound of the trained model. */
  bound: number;
  /** Near-sparsity of the raw weights at the end (docs/math.md §7). */
  nearSparsity: number;
  /** Training time, in seconds. */
  seconds: number;
}

const netPointShape = obj({
  model: str, lambda: num, valLoss: num, curve: arrayOf(tuple(num, num, num)), test: obj({ loss: num, metric: num }), bound: num, nearSparsity: num, seconds: num,
});

/** What is wrong with `r` as point `p`'s {@link NetPointResult} (GridExperiment.validate), or `undefined`. */
export function validateNetPoint(p: NetPoint, r: unknown): string | undefined {
  return netPointShape(r, 'result') ?? is(p.model)((r as NetPointResult).model, 'result.model') ?? is(p.lambda)((r as NetPointResult).lambda, 'result.lambda');
}

/**
 * Trains one named model at one λ on tabular splits (docs/math.md §9: 5 batches per
 * epoch, Adam + OneCycle at lr 2e-3, fresh initialisation) and scores it.
 */
export async function runNetPoint(
  d: ReturnType<typeof prepareTabular>, p: NetPoint, dims: ModelDims, o: { epochs: number; progress?: boolean },
): Promise<NetPointResult> {
  const make = MODELS.get(p.model);
  if (!make) throw new Error(`unknown model '${p.model}'`);
  const model = make(dims);
  try {
    const r = await train(model, d.train, {
      epochs: o.epochs, batchSize: Math.ceil(d.train.n / 5), lr: 2e-3, lambda: p.lambda, validation: d.validation,
      validateEvery: Math.max(1, Math.floor(o.epochs / 25)), seed: dims.seed, progress: o.progress,
    });
    const curve = r.history.filter((h) => h.valLoss !== undefined).map((h): [number, number, number] => [h.epoch, h.step, h.valLoss!]);
    return {
      model: p.model, lambda: p.lambda, valLoss: r.valLoss!, curve, test: await evaluate(model, d.test),
      bound: (await lipschitzBound(model)).value, nearSparsity: r.nearSparsity, seconds: r.seconds,
    };
  } finally {
    model.dispose();
  }
}

/** The run with the lowest final-epoch validation loss (the first in grid order on a tie). */
export function bestByValidation(runs: readonly NetPointResult[]): NetPointResult {
  return runs.reduce((a, b) => (b.valLoss < a.valLoss ? b : a));
}

/**
 * Validation loss per λ against epoch or step: one panel per model (one line per λ),
 * all on one shared y range so the models compare at a glance; with the CSV of the plotted numbers.
 */
export function curvePlot(title: string, panels: readonly { label: string; runs: readonly NetPointResult[] }[], file: string, x: 'epoch' | 'step'): ExperimentResult['plots'][number] {
  const { svg, csv } = panelPlot({
    title: `${title}: validation loss per λ`, xLabel: x, yLabel: 'validation loss', logY: true,
    panels: panels.map((p) => ({
      title: p.label,
      series: p.runs.map((r) => ({ name: `λ = ${r.lambda}`, points: r.curve.map(([e, s, v]) => [x === 'epoch' ? e : s, v] as [number, number]) })),
    })),
  });
  return { file, title: `${title}: validation loss per λ`, svg, csv };
}

/** The results of the points of one model, in grid order. */
export function resultsOf<R>(results: ReadonlyMap<string, R>, points: readonly PointSpec[], keep: (p: PointSpec) => boolean): R[] {
  return points.filter(keep).map((p) => results.get(p.id)!);
}

/** The size, its settings and the seed an experiment runs with (defaults: `default`, seed 0). */
export function settingsOf<T extends Record<Size, object>>(o: ExperimentOptions, sizes: T): { size: Size; s: T[Size]; seed: number } {
  const size = o.size ?? 'default';
  if (!Object.hasOwn(sizes, size)) throw new Error(`unknown size '${String(size)}' (quick, default or full)`);
  return { size, s: sizes[size], seed: o.seed ?? 0 };
}

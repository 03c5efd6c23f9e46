/**
 * What the experiments of docs/math.md §9 share: sizes, options, the λ-grid
 * runner and the validation-curve plot. Each experiment is scaled to a 2-core
 * machine with the same protocol and has three sizes: `quick` (seconds; used by
 * the tests), `default` (minutes; the README's main job) and `full` (the paper's sizes).
 */
import { readFileSync } from 'node:fs';
import { parseARFF, parseCSV, tableToDataset, type Dataset, type prepareTabular } from '../data/index.js';
import { lipschitzBound, type Model } from '../nn/index.js';
import { evaluate, selectLambda, type TrainResult } from '../train/index.js';
import { linePlot } from './plot.js';
import type { ExperimentResult } from './report.js';

export type Size = 'quick' | 'default' | 'full';

/** docs/math.md §9's tabular λ grid (both nets). */
export const PAPER_TABULAR_GRID = [5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5];

/** Common options of the experiments. */
export interface ExperimentOptions {
  size?: Size;
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
}

export const TABULAR_SIZES = {
  quick: { hidden: 16, nHidden: 3, epochs: 12, grid: [1e-3, 1e-2] },
  default: { hidden: 128, nHidden: 3, epochs: 200, grid: [1e-4, 1e-3, 1e-2, 1e-1] },
  full: { hidden: 500, nHidden: 3, epochs: 1000, grid: PAPER_TABULAR_GRID },
} as const;

/** Loads a user's CSV/ARFF file as a dataset (by extension). */
export function loadTableFile(path: string, target: string | undefined): Dataset {
  if (!target) throw new Error(`a data file needs --target <column>`);
  const text = readFileSync(path, 'utf8');
  const table = /\.arff$/i.test(path) ? parseARFF(text) : parseCSV(text);
  return tableToDataset(table, { target });
}

export interface NetRun { model: string; lambda: number; result: TrainResult; test: { loss: number; metric: number }; bound: number; curves: Map<number, TrainResult> }

export async function fitByGrid(name: string, make: () => Model, d: ReturnType<typeof prepareTabular>, o: { epochs: number; grid: readonly number[]; seed: number; progress?: boolean; log?: (s: string) => void }): Promise<NetRun> {
  const curves = new Map<number, TrainResult>();
  const { best } = await selectLambda(make, d.train, {
    grid: o.grid, epochs: o.epochs, batchSize: Math.ceil(d.train.n / 5), lr: 2e-3, validation: d.validation,
    validateEvery: Math.max(1, Math.floor(o.epochs / 25)), seed: o.seed, progress: o.progress,
    onLambda: (lambda, r) => { curves.set(lambda, r); o.log?.(`${name} λ=${lambda}: validation loss ${r.valLoss!.toPrecision(4)}`); },
  });
  const test = await evaluate(best.model, d.test);
  const bound = (await lipschitzBound(best.model)).value;
  best.model.dispose();
  return { model: name, lambda: best.lambda, result: best.result, test, bound, curves };
}

export function curvePlot(run: NetRun, file: string, xKey: 'epoch' | 'step'): ExperimentResult['plots'][number] {
  return {
    file,
    title: `${run.model}: validation loss per λ`,
    svg: linePlot({
      title: `${run.model}: validation loss`, xLabel: xKey, yLabel: 'validation loss', logY: true,
      series: [...run.curves].map(([lambda, r]) => ({
        name: `λ = ${lambda}`, points: r.history.filter((h) => h.valLoss !== undefined).map((h) => [h[xKey], h.valLoss!] as [number, number]),
      })),
    }),
  };
}

/** The size, its settings and the seed an experiment runs with (defaults: `default`, seed 0). */
export function settingsOf<T extends Record<Size, object>>(o: ExperimentOptions, sizes: T): { size: Size; s: T[Size]; seed: number } {
  const size = o.size ?? 'default';
  if (!Object.hasOwn(sizes, size)) throw new Error(`unknown size '${String(size)}' (quick, default or full)`);
  return { size, s: sizes[size], seed: o.seed ?? 0 };
}

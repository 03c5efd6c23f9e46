/**
 * The paper's Table 1 (docs/math.md §9 and "Random forest"): every dataset of a suite
 * through the four models, each tuned on validation: the linear reference (ridge or
 * L2 logistic regression, α), the random forest (leaf size), the Standard Net and the
 * PSiLON Net (λ). One grid point per (dataset, model, hyperparameter), so a suite
 * resumes, runs over workers and shards like every experiment.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { loadBoston, loadBreastCancer, loadDiabetes, loadIris, loadWine, prepareTabular, readInputText, type Dataset, type Task } from '../data/index.js';
import { fitForest, forestScore, leafGrid, PAPER_LEAF_GRID } from '../forest/index.js';
import { fitLogistic, fitRidge, LINEAR_ALPHAS, logisticScore, ridgeRMSE } from '../train/index.js';
import {
  curvePlot, loadTableFile, PAPER_TABULAR_GRID, runNetPoint, settingsOf, type ExperimentOptions, type NetPoint, type NetPointResult,
} from './common.js';
import type { GridExperiment, PointSpec } from './grid.js';

/** Datasets by name; `key` identifies the data (for the cache of prepared splits). */
type Suite = Record<string, { title: string; load: () => Dataset; key?: () => string; file?: string }>;

/** The default suite: the bundled real tabular datasets, by short name. */
const SUITE: Suite = {
  boston: { title: 'Boston housing', load: loadBoston },
  diabetes: { title: 'Diabetes', load: loadDiabetes },
  'breast-cancer': { title: 'Breast cancer', load: loadBreastCancer },
  iris: { title: 'Iris', load: loadIris },
  wine: { title: 'Wine', load: loadWine },
};

/** Options of the Table 1 experiment. */
export interface Table1Options extends ExperimentOptions {
  /** Run only these datasets of the suite (default all: boston, diabetes, breast-cancer, iris, wine). */
  datasets?: string[];
  /** A suite manifest (JSON, {@link Table1Manifest}) to run instead of the bundled datasets. */
  manifest?: string;
}

/**
 * A suite of the user's files: `{ "datasets": [{ "file": "a.csv", "target": "y" }, …] }`, each entry optionally with
 * `name` (default: the file name without its extension), `task`, `categorical` and `na` (README "Data rules");
 * file paths are relative to the manifest.
 */
export interface Table1Manifest {
  /** The suite's datasets, at least one. */
  datasets: {
    /** The CSV or ARFF file, relative to the manifest's folder. */
    file: string;
    /** The target column's name. */
    target: string;
    /** The dataset's name in the table (letters, digits, `-`, `_`; default: the file's base name). */
    name?: string;
    /** Override the task inferred from the target. */
    task?: Task;
    /** Columns to one-hot encode even when numeric. */
    categorical?: string[];
    /** Tokens that mean "missing". */
    na?: string[];
  }[];
}

/** The suite a run uses: the manifest's files, or the bundled datasets. Each entry is checked before anything runs. */
function suiteOf(o: Table1Options): Suite {
  if (o.manifest === undefined) return SUITE;
  const path = o.manifest;
  let m: Table1Manifest;
  try { m = JSON.parse(readInputText(path, { what: 'suite manifest' })) as Table1Manifest; } catch (e) {
    throw new Error(e instanceof SyntaxError ? `${path}: not valid JSON (${e.message})` : (e as Error).message);
  }
  if (!m || typeof m !== 'object' || !Array.isArray(m.datasets) || !m.datasets.length) throw new Error(`${path}: needs a non-empty "datasets" array`);
  const suite: Suite = {};
  m.datasets.forEach((e, i) => {
    if (!e || typeof e.file !== 'string' || typeof e.target !== 'string') throw new Error(`${path}: datasets[${i}] needs "file" and "target" strings`);
    const name = e.name ?? basename(e.file, extname(e.file));
    if (typeof name !== 'string' || !/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`${path}: datasets[${i}] has name '${String(name)}': use letters, digits, '-' and '_'`);
    if (Object.hasOwn(suite, name)) throw new Error(`${path}: two datasets are named '${name}' (give one a "name")`);
    const file = resolve(dirname(path), e.file);
    const how = { target: e.target, task: e.task, categorical: e.categorical, na: e.na };
    // the cache key names the file's state too, so an edited file is read again
    const key = () => { const st = existsSync(file) ? statSync(file) : undefined; return JSON.stringify([file, how, st?.size, st?.mtimeMs]); };
    suite[name] = { title: name, load: () => loadTableFile(file, how), key, file };
  });
  return suite;
}

/** Sizes: nets as the tabular experiment's, forests of 20 / 100 / 1,000 trees (the paper's at `full`). */
export const TABLE1_SIZES = {
  quick: { hidden: 16, nHidden: 3, epochs: 12, grid: [1e-3, 1e-2], trees: 20, leaves: [4, 16], alphas: [1e-2, 1] },
  default: { hidden: 32, nHidden: 3, epochs: 100, grid: [1e-4, 1e-3, 1e-2, 1e-1], trees: 100, leaves: PAPER_LEAF_GRID, alphas: LINEAR_ALPHAS },
  full: { hidden: 500, nHidden: 3, epochs: 1000, grid: PAPER_TABULAR_GRID, trees: 1000, leaves: PAPER_LEAF_GRID, alphas: LINEAR_ALPHAS },
} as const;

/** The four models of Table 1. */
export type Table1Model = 'linear' | 'forest' | 'standard-net' | 'psilon-net';
/** A point: one dataset, one model, one hyperparameter (α, leaf size or λ). */
export interface Table1Point extends PointSpec {
  /** The dataset's name in the suite. */
  dataset: string;
  /** Which of the four models. */
  model: Table1Model;
  /** Its hyperparameter: α (linear), the minimum leaf size (forest) or λ (nets). */
  value: number;
}
/** What a linear or forest point reports (a net point reports a NetPointResult). */
export interface Table1FitResult {
  /** The loss on the validation split, on which the hyperparameter is chosen. */
  valLoss: number;
  /** The scores on the test split. */
  test: {
    /** Mean test loss (MSE for regression, cross-entropy for classification). */
    loss: number;
    /** Test RMSE for regression, accuracy for classification. */
    metric: number;
  };
  /** Fitting time, in seconds. */
  seconds: number;
}
/** A point's result: a fitted linear model or forest, or a trained net. */
export type Table1Result = Table1FitResult | NetPointResult;

const prepared = new Map<string, ReturnType<typeof prepareTabular> & { raw: Dataset }>();
/** The dataset's splits, standardized (docs/math.md §9), kept for the other points of the run. */
function dataOf(o: Table1Options, name: string, seed: number) {
  const entry = suiteOf(o)[name]!;
  const key = `${entry.key?.() ?? name}:${seed}`;
  let d = prepared.get(key);
  if (!d) {
    const raw = entry.load();
    d = { ...prepareTabular(raw, seed), raw };
    prepared.set(key, d);
  }
  return d;
}

function datasetsOf(o: Table1Options): string[] {
  const suite = suiteOf(o);
  const names = o.datasets ?? Object.keys(suite);
  for (const n of names) if (!Object.hasOwn(suite, n)) throw new Error(`table1: unknown dataset '${n}' (the suite has ${Object.keys(suite).join(', ')})`);
  if (!names.length) throw new Error('table1: the dataset list is empty');
  return names;
}

const NETS = [['standard-net', 'Standard Net'], ['psilon-net', 'PSiLON Net']] as const;

function pointsOf(o: Table1Options): Table1Point[] {
  const { s, seed } = settingsOf(o, TABLE1_SIZES);
  return datasetsOf(o).flatMap((dataset) => {
    const nTrain = dataOf(o, dataset, seed).train.n;
    const at = (model: Table1Model, key: string, values: readonly number[]) => values.map((value) => ({ id: `${dataset}.${model}-${key}=${value}`, dataset, model, value }));
    return [
      ...at('linear', 'alpha', s.alphas), ...at('forest', 'leaf', leafGrid(nTrain, s.leaves)),
      ...NETS.flatMap(([m]) => at(m, 'lambda', s.grid)),
    ];
  });
}

/** Fits and scores one linear model or forest (MSE / cross-entropy on validation, RMSE / log-loss on test). */
function fitPoint(o: Table1Options, p: Table1Point): Table1FitResult {
  const { s, seed } = settingsOf(o, TABLE1_SIZES);
  const d = dataOf(o, p.dataset, seed);
  const t0 = performance.now();
  const reg = d.raw.task === 'regression';
  let valLoss: number, test: { loss: number; metric: number };
  if (p.model === 'forest') {
    const f = fitForest(d.train, { nEstimators: s.trees, minSamplesLeaf: p.value, seed });
    valLoss = forestScore(f, d.validation).loss;
    const t = forestScore(f, d.test);
    test = { loss: t.loss, metric: t.metric };
  } else if (reg) {
    const m = fitRidge(d.train, p.value);
    valLoss = ridgeRMSE(m, d.validation) ** 2;
    const rmse = ridgeRMSE(m, d.test);
    test = { loss: rmse ** 2, metric: rmse };
  } else {
    const m = fitLogistic(d.train, p.value);
    valLoss = logisticScore(m, d.validation).loss;
    const t = logisticScore(m, d.test);
    test = { loss: t.loss, metric: t.accuracy };
  }
  return { valLoss, test, seconds: (performance.now() - t0) / 1000 };
}

/** The point of a model with the lowest validation loss (the first in grid order on a tie). */
function best<R extends { valLoss: number }>(points: readonly Table1Point[], results: ReadonlyMap<string, Table1Result>): { p: Table1Point; r: R } {
  return points.map((p) => ({ p, r: results.get(p.id) as unknown as R })).reduce((a, b) => (b.r.valLoss < a.r.valLoss ? b : a));
}

/**
 * The paper's Table 1 on a suite of datasets (default: the bundled real ones). Each
 * model is tuned on the validation split and scored on the test split: RMSE of the
 * scaled target (regression) or log-loss (classification), with the near-sparsity of
 * the chosen nets and the hyperparameters chosen; plus each dataset's Figure-1 curves.
 */
export const table1: GridExperiment<Table1Options, Table1Point, Table1Result> = {
  points: pointsOf,
  // a manifest suite reads the manifest and every file it names: the run key fingerprints them all
  inputs: (o) => (o.manifest === undefined ? [] : [o.manifest, ...Object.values(suiteOf(o)).map((e) => e.file!)]),
  async runPoint(o, p) {
    if (p.model === 'linear' || p.model === 'forest') return fitPoint(o, p);
    const { s, seed } = settingsOf(o, TABLE1_SIZES);
    const d = dataOf(o, p.dataset, seed);
    const dims = { inDim: d.train.d, hidden: s.hidden, outDim: d.raw.outputs, nHidden: s.nHidden, seed };
    const net: NetPoint = { id: p.id, model: p.model, lambda: p.value };
    return runNetPoint(d, net, dims, { epochs: s.epochs, progress: o.progress });
  },
  reduce(o, results) {
    const { size, s, seed } = settingsOf(o, TABLE1_SIZES);
    const points = pointsOf(o);
    const plots: ReturnType<typeof curvePlot>[] = [];
    const suite = suiteOf(o);
    const rows = datasetsOf(o).map((name) => {
      const d = dataOf(o, name, seed);
      const reg = d.raw.task === 'regression';
      const of = (m: Table1Model) => points.filter((p) => p.dataset === name && p.model === m);
      // regression: √MSE of the scaled target; classification: the mean cross-entropy (log-loss)
      const metric = (loss: number) => (reg ? Math.sqrt(loss) : loss);
      const lin = best<Table1FitResult>(of('linear'), results), rf = best<Table1FitResult>(of('forest'), results);
      // Figure 1 per dataset: both nets' validation curves per λ, one picture on one y range
      plots.push(curvePlot(suite[name]!.title, NETS.map(([m, label]) => ({ label, runs: of(m).map((p) => results.get(p.id) as NetPointResult) })), `figure1-${name}.svg`, 'step'));
      const nets = NETS.map(([m]) => best<NetPointResult>(of(m), results).r);
      return [
        suite[name]!.title, d.raw.task, d.raw.n, d.raw.d, reg ? 'RMSE' : 'log-loss',
        metric(lin.r.test.loss), metric(rf.r.test.loss), metric(nets[0]!.test.loss), metric(nets[1]!.test.loss),
        nets[0]!.nearSparsity, nets[1]!.nearSparsity, nets[0]!.lambda, nets[1]!.lambda, rf.p.value, lin.p.value,
      ];
    });
    return {
      name: 'table1',
      title: `Table 1: linear model, random forest, Standard Net and PSiLON Net on ${o.manifest ? `the suite ${o.manifest}` : 'the bundled real datasets'}`,
      table: {
        headers: [
          'dataset', 'task', 'rows', 'features', 'test metric', 'linear', 'random forest', 'Standard Net', 'PSiLON Net',
          'near-sparsity (Standard)', 'near-sparsity (PSiLON)', 'λ (Standard)', 'λ (PSiLON)', 'leaf size (forest)', 'α (linear)',
        ],
        rows,
      },
      plots,
      notes: [
        'Splits by docs/math.md §9 (train = min(2,000, ⌊n/2⌋) rows, the rest halved into test and validation), features standardized and regression targets scaled to (y − median)/(IQR/2) with training statistics.',
        'Test metric: RMSE of the scaled target (regression) or log-loss, the mean cross-entropy (classification); lower is better. Each model is chosen on its validation loss.',
        `Linear: ridge (closed form) or L2 logistic regression (full-batch Adam), α from ${JSON.stringify(s.alphas)}.`,
        `Random forest: ${s.trees} trees, bootstrap, all features per split (regression) or ⌊√d⌋ (classification), min_samples_leaf from ${JSON.stringify(s.leaves)} kept below half the training rows; probabilities clipped to [1e-15, 1 − 1e-15] in the log-loss.`,
        `Nets: width ${s.hidden}, n_hidden ${s.nHidden}, ${s.epochs} epochs of 5 mini-batches, Adam + OneCycle (lr 2e-3), λ from ${JSON.stringify(s.grid)} on the final-epoch validation loss; near-sparsity of the chosen net (docs/math.md §7).`,
        'Plots: each dataset\'s validation loss against step for every λ (the paper\'s Figure 1 curves).',
      ],
      settings: { size, seed, datasets: datasetsOf(o), ...s },
    };
  },
};

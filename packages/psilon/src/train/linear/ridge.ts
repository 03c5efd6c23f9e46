/** Closed-form ridge regression: the linear reference of docs/math.md §9's tabular experiment. */
import type { Dataset } from '../../data/index.js';
import { LINEAR_ALPHAS, selectByValidation } from './select.js';

/** A fitted ridge model ŷ = x·w + b. */
export interface Ridge {
  /** The weights w, one per feature. */
  w: Float64Array;
  /** The (unpenalized) intercept b. */
  b: number;
  /** The L2 penalty α it was fitted with. */
  alpha: number;
}

/** Solves A·x = rhs for symmetric positive-definite A (d×d, row-major) by Cholesky. */
export function choleskySolve(A: Float64Array, rhs: Float64Array, d: number): Float64Array {
  const L = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * d + j]!;
      for (let k = 0; k < j; k++) s -= L[i * d + k]! * L[j * d + k]!;
      if (i === j) {
        if (!(s > 0)) throw new Error('choleskySolve: matrix is not positive definite');
        L[i * d + i] = Math.sqrt(s);
      } else L[i * d + j] = s / L[j * d + j]!;
    }
  }
  const z = new Float64Array(d);
  for (let i = 0; i < d; i++) { let s = rhs[i]!; for (let k = 0; k < i; k++) s -= L[i * d + k]! * z[k]!; z[i] = s / L[i * d + i]!; }
  const x = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) { let s = z[i]!; for (let k = i + 1; k < d; k++) s -= L[k * d + i]! * x[k]!; x[i] = s / L[i * d + i]!; }
  return x;
}

/** Ridge with an unpenalized intercept: w = (XcᵀXc + αI)⁻¹Xcᵀ(y − ȳ), Xc the centered features. */
export function fitRidge(data: Dataset, alpha: number): Ridge {
  if (data.task !== 'regression' || data.outputs !== 1) throw new Error('fitRidge: needs a single-output regression dataset');
  const { n, d, x, y } = data;
  const mx = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mx[j] += x[i * d + j]! / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  const A = new Float64Array(d * d), r = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const xj = x[i * d + j]! - mx[j]!;
      r[j] += xj * (y[i]! - my);
      for (let k = 0; k <= j; k++) A[j * d + k] += xj * (x[i * d + k]! - mx[k]!);
    }
  }
  for (let j = 0; j < d; j++) { for (let k = 0; k < j; k++) A[k * d + j] = A[j * d + k]!; A[j * d + j] += alpha; }
  const w = choleskySolve(A, r, d);
  let b = my;
  for (let j = 0; j < d; j++) b -= w[j]! * mx[j]!;
  return { w, b, alpha };
}

/** Root mean squared error of a ridge model on a dataset. */
export function ridgeRMSE(m: Ridge, data: Dataset): number {
  let s = 0;
  for (let i = 0; i < data.n; i++) {
    let p = m.b;
    for (let j = 0; j < data.d; j++) p += m.w[j]! * data.x[i * data.d + j]!;
    s += (p - data.y[i]!) ** 2;
  }
  return Math.sqrt(s / data.n);
}

/** The α grid of the reference scripts, 1e-6 … 100 (log-spaced, one per decade). */
export const RIDGE_ALPHAS = LINEAR_ALPHAS;

/** Fits ridge for each α and keeps the one with the lowest validation RMSE. */
export function selectRidge(train: Dataset, validation: Dataset, alphas = RIDGE_ALPHAS): Ridge & {
  /** The chosen model's RMSE on `validation`. */
  valRMSE: number;
} {
  const { model, score } = selectByValidation(alphas, (a) => fitRidge(train, a), (m) => ridgeRMSE(m, validation));
  return { ...model, valRMSE: score };
}

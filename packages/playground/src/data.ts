/**
 * The playground's datasets: seeded 2-D toy sets (classification and a regression
 * surface), each as a train and a test split, and the loss of the trivial predictor
 * (the one that ignores x) that a run "at chance" falls back to.
 */
import * as C from '@psilon/core';
import type { Dataset } from 'psilon/browser';

/** The 2-D sets the page draws a boundary / surface for. */
export const TOYS = ['moons', 'circles', 'wave'] as const;
export type ToyName = (typeof TOYS)[number];

/** A train and a test split of one dataset. */
export interface Splits { train: Dataset; test: Dataset }

/**
 * A 2-D toy set, seeded: `moons` (two interleaved half-moons) and `circles` (two
 * concentric rings) are binary; `wave` is a regression surface y = sin(2x₁)·cos(2x₂) + noise.
 */
export function makeToy(kind: ToyName, n = 200, seed = 0): Dataset {
  const rng = new C.RNG(seed);
  const x = new Float64Array(n * 2), y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (kind === 'wave') {
      const a = 3 * (2 * rng.uniform() - 1), b = 3 * (2 * rng.uniform() - 1);
      x[2 * i] = a;
      x[2 * i + 1] = b;
      y[i] = Math.sin(a) * Math.cos(b) + 0.1 * rng.normal();
      continue;
    }
    const c = i % 2, t = Math.PI * rng.uniform();
    const [a, b] = kind === 'moons'
      ? (c === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)])
      : [(c === 0 ? 0.5 : 1) * Math.cos(2 * t), (c === 0 ? 0.5 : 1) * Math.sin(2 * t)];
    x[2 * i] = a + 0.1 * rng.normal();
    x[2 * i + 1] = b + 0.1 * rng.normal();
    y[i] = c;
  }
  const task = kind === 'wave' ? 'regression' : 'binary';
  return { x, y, n, d: 2, task, outputs: 1, features: ['x₁', 'x₂'] };
}

/** A toy set's splits: 200 training points (seed 0) and 100 test points drawn independently (seed 1). */
export function toySplits(kind: ToyName): Splits {
  return { train: makeToy(kind, 200, 0), test: makeToy(kind, 100, 1) };
}

/**
 * The training loss of the best constant predictor, on `data`: the class-prior entropy
 * −Σ π_k·ln π_k for classification (BCE / cross-entropy of predicting the prior), the
 * variance of y (the MSE of predicting its mean) for regression, averaged over outputs.
 */
export function trivialLoss(data: Dataset): number {
  const { y, n, task } = data;
  if (task === 'regression') {
    const k = data.outputs;
    let total = 0;
    for (let j = 0; j < k; j++) {
      let m = 0;
      for (let i = 0; i < n; i++) m += y[i * k + j]! / n;
      for (let i = 0; i < n; i++) total += (y[i * k + j]! - m) ** 2 / n / k;
    }
    return total;
  }
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) counts.set(y[i]!, (counts.get(y[i]!) ?? 0) + 1);
  if (task === 'binary' && counts.size === 1) return 0;
  let h = 0;
  for (const c of counts.values()) h -= (c / n) * Math.log(c / n);
  return h;
}

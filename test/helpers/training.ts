/** The small training run the backend suites compare: three Gaussian blobs, 6 epochs, then the numbers a run reports. */
import * as C from '@psilon/core';
import type { Backend } from '@psilon/core';
import { evaluate, lipschitzBound, train, type Dataset, type Model } from 'psilon';

/** n points of 3 classes in 4-D, class k centred at 2·e_k (seeded). */
export function blobs(n: number, seed: number): Dataset {
  const rng = new C.RNG(seed), d = 4;
  const x = new Float64Array(n * d), y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 3;
    for (let j = 0; j < d; j++) x[i * d + j] = (j === y[i] ? 2 : 0) + 0.7 * rng.normal();
  }
  return { x, y, n, d, task: 'multiclass', outputs: 3 };
}

/** Trains `make()` on `be` (pruned over the last `pruneSteps` steps when given): objectives per epoch, test metric, sparsities, Lipschitz bound. */
export async function trainOnBlobs(be: Backend, make: () => Model, pruneSteps?: number) {
  const prev = C.setBackend(be);
  try {
    const model = make();
    const res = await train(model, blobs(90, 1), { epochs: 6, batchSize: 30, lr: 1e-2, lambda: 1e-3, validation: blobs(30, 2), progress: false, ...(pruneSteps ? { pruneSteps } : {}) });
    const test = await evaluate(model, blobs(30, 3));
    const bound = (await lipschitzBound(model)).value;
    model.dispose();
    return { losses: res.history.map((h) => h.objective), test, near: res.nearSparsity, exact: res.exactSparsity, bound };
  } finally {
    C.setBackend(prev);
  }
}

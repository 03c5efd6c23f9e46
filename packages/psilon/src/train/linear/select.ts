/** Choosing a linear reference's regularization strength α on validation data (docs/math.md §9). */

/** The α grid of the reference scripts, 1e-6 … 100, one per decade. */
export const LINEAR_ALPHAS: readonly number[] = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100];

/** Fits one model per α and keeps the one with the lowest validation score (the first on ties). */
export function selectByValidation<M>(alphas: readonly number[], fit: (alpha: number) => M, score: (m: M) => number): { model: M; score: number } {
  if (!alphas.length) throw new Error('selectByValidation: the α grid is empty');
  let best: { model: M; score: number } | undefined;
  for (const a of alphas) {
    const model = fit(a);
    const s = score(model);
    if (!best || s < best.score) best = { model, score: s };
  }
  return best!;
}

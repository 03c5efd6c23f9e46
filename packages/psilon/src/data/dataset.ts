/** The in-memory dataset every loader produces and training consumes. */

/** The kind of prediction problem, which fixes the data loss (docs/math.md §8). */
export type Task = 'regression' | 'binary' | 'multiclass';

/**
 * A dataset in memory: x is [n, d] row-major; y is [n, outputs] for regression,
 * [n] of 0/1 for binary, [n] of class indices for multiclass.
 */
export interface Dataset {
  /** Inputs, [n, d] row-major. */
  x: Float64Array;
  /** Targets: [n, outputs] row-major for regression, [n] of 0/1 for binary, [n] of class indices for multiclass. */
  y: Float64Array;
  /** Rows. */
  n: number;
  /** Features per row. */
  d: number;
  /** The prediction problem, which fixes the data loss (docs/math.md §8). */
  task: Task;
  /** Regression targets per row (default 1) or the number of classes (multiclass). */
  outputs: number;
  /** Feature names, when known. */
  features?: string[];
}

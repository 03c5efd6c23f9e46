/**
 * The preprocessing of a tabular model, kept beside it so a saved model can score
 * new files (`psilon predict`, `psilon evaluate`): the feature columns it was trained
 * on, their standardization, the target's scaling and the class names.
 */
import type { Dataset, Task } from './dataset.js';
import type { Standardizer, TargetScaler } from './preprocess.js';

/** What a model needs to turn a new table into its inputs and its outputs back into the target's units. */
export interface Preprocessing {
  /** Feature names in input order (one-hot columns as `column=value`). */
  features: string[];
  /** Standardization per feature: x ← (x − mean)/std. */
  mean: number[];
  std: number[];
  task: Task;
  /** The target column's name in the training file. */
  target: string;
  /** Regression: y = median + halfIqr·ŷ. */
  scale?: TargetScaler;
  /** Classification: the class names, in output order. */
  classes?: string[];
}

/** The preprocessing of a prepared tabular dataset (its features, standardizer and target scaler). */
export function preprocessingOf(data: Dataset & { classes?: string[] }, target: string, st: Standardizer, scale?: TargetScaler): Preprocessing {
  if (!data.features) throw new Error('preprocessingOf: the dataset has no feature names');
  return { features: data.features, mean: Array.from(st.mean), std: Array.from(st.std), task: data.task, target, scale, classes: data.classes };
}

/**
 * The model's inputs from a new dataset of the same file format: columns matched by
 * name (a one-hot value the training data did not have is all zeros, and counted),
 * then standardized as in training. Returns the [n, d] inputs and notes.
 */
export function applyPreprocessing(p: Preprocessing, data: Dataset): { x: Float64Array; notes: string[] } {
  const names = data.features ?? [];
  const index = new Map(names.map((f, j) => [f, j]));
  const notes: string[] = [];
  const unknown = names.filter((f) => !p.features.includes(f));
  if (unknown.length) notes.push(`ignored ${unknown.length} column value(s) the model was not trained on: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''}`);
  const missing = p.features.filter((f) => !index.has(f) && !f.includes('='));
  if (missing.length) throw new Error(`the file lacks the feature column(s) ${missing.join(', ')} the model was trained on`);
  const d = p.features.length;
  const x = new Float64Array(data.n * d);
  p.features.forEach((f, k) => {
    const j = index.get(f);
    for (let i = 0; i < data.n; i++) {
      const v = j === undefined ? 0 : data.x[i * data.d + j]!;
      x[i * d + k] = (v - p.mean[k]!) / p.std[k]!;
    }
  });
  return { x, notes };
}

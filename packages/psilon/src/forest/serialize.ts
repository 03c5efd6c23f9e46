/** Saving and loading random forests as JSON (`kind: 'random-forest'`), checked whole before anything is built. */
import type { Task } from '../data/index.js';
import type { RandomForest } from './forest.js';
import type { Tree } from './tree.js';

/** The JSON form of a forest: its header, then each tree's flat arrays. */
export interface SavedForest {
  /** Always `random-forest`. */
  kind: 'random-forest';
  /** The file format's version (1). */
  version: 1;
  /** The task the forest was fitted for. */
  task: Task;
  /** Features per row. */
  d: number;
  /** Values per prediction: the regression outputs, or the classes (2 for binary). */
  k: number;
  /** The options it was grown with, defaults filled in. */
  options: RandomForest['options'];
  /** Every tree as plain arrays, one entry per node (see {@link Tree}). */
  trees: {
    /** The split feature per node, −1 at a leaf. */
    feature: number[];
    /** The split value per node: left when x[feature] ≤ threshold. */
    threshold: number[];
    /** The left child's node index per node. */
    left: number[];
    /** The right child's node index per node. */
    right: number[];
    /** nodes × k: each node's prediction (mean targets, or class frequencies). */
    value: number[];
  }[];
}

/** The forest as JSON-ready data. */
export function saveForest(f: RandomForest): SavedForest {
  return {
    kind: 'random-forest', version: 1, task: f.task, d: f.d, k: f.k, options: { ...f.options },
    trees: f.trees.map((t) => ({
      feature: Array.from(t.feature), threshold: Array.from(t.threshold), left: Array.from(t.left), right: Array.from(t.right), value: Array.from(t.value),
    })),
  };
}

const isInt = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;

/**
 * Rebuilds a forest from {@link saveForest}'s output. The header (kind, version, task,
 * d, k) is checked first, then every tree: equal array lengths, features in [−1, d),
 * children after their parent (so prediction always ends at a leaf), finite numbers.
 */
export function loadForest(saved: SavedForest): RandomForest {
  const fail = (msg: string): never => { throw new Error(`loadForest: ${msg}`); };
  if (!saved || typeof saved !== 'object' || saved.kind !== 'random-forest') fail("not a saved random forest (kind is not 'random-forest')");
  if (saved.version !== 1) fail(`unsupported version ${String(saved.version)}`);
  if (!['regression', 'binary', 'multiclass'].includes(saved.task)) fail(`unknown task '${String(saved.task)}'`);
  if (!isInt(saved.d, 1)) fail(`d must be a positive integer, got ${String(saved.d)}`);
  if (!isInt(saved.k, saved.task === 'regression' ? 1 : 2)) fail(`k must be an integer ≥ ${saved.task === 'regression' ? 1 : 2}, got ${String(saved.k)}`);
  if (!saved.options || typeof saved.options !== 'object') fail('the file has no options');
  if (!Array.isArray(saved.trees) || saved.trees.length < 1) fail('the file has no trees');
  const { d, k } = saved;
  const trees = saved.trees.map((t, ti): Tree => {
    const where = `tree ${ti}`;
    if (!t || typeof t !== 'object') fail(`${where} is not an object`);
    const nodes = Array.isArray(t.feature) ? t.feature.length : fail(`${where} has no feature array`);
    if (nodes < 1) fail(`${where} has no nodes`);
    for (const key of ['threshold', 'left', 'right'] as const) {
      if (!Array.isArray(t[key]) || t[key].length !== nodes) fail(`${where}: ${key} must hold ${nodes} values`);
    }
    if (!Array.isArray(t.value) || t.value.length !== nodes * k) fail(`${where}: value must hold ${nodes}·${k} values`);
    for (let i = 0; i < nodes; i++) {
      const f = t.feature[i]!;
      if (!isInt(f, -1) || f >= d) fail(`${where}, node ${i}: feature ${String(f)} is not in [−1, ${d})`);
      if (f >= 0) {
        if (!(typeof t.threshold[i] === 'number' && Number.isFinite(t.threshold[i]))) fail(`${where}, node ${i}: threshold is not finite`);
        for (const c of [t.left[i], t.right[i]]) if (!isInt(c, i + 1) || c >= nodes) fail(`${where}, node ${i}: child ${String(c)} is not a later node`);
      }
    }
    if (t.value.some((v) => typeof v !== 'number' || !Number.isFinite(v))) fail(`${where}: value holds a non-finite number`);
    return {
      feature: Int32Array.from(t.feature), threshold: Float64Array.from(t.threshold), left: Int32Array.from(t.left),
      right: Int32Array.from(t.right), value: Float64Array.from(t.value),
    };
  });
  return { kind: 'random-forest', task: saved.task, d, k, options: { ...saved.options, nEstimators: trees.length }, trees };
}

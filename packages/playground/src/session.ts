/**
 * The playground's training session, shared by the page's worker and by the Node test
 * that checks the page's numbers: a PSiLON Net and a Standard Net trained side by side,
 * full batch, with Adam on 0.5·L + 0.5·λ·R (docs/math.md §8), scored on a held-out split.
 */
import * as C from '@psilon/core';
import {
  prune, psilonNet, sparsityReport, standardNet, startPruning, advancePruning, taskLoss, trainStep,
  type Dataset, type Model, type Task,
} from 'psilon/browser';
import { trivialLoss, type Splits } from './data.js';

/** A batch as tensors: inputs [n, d] and targets ([n] class ids, or [n, outputs]). */
export interface Batch { x: C.Tensor; y: C.Tensor }

/** The sizes and training settings of a session. */
export interface SessionConfig {
  /** Hidden width h (default 32). */
  hidden?: number;
  /** K − 1, the embedder plus the hidden blocks (default 3). */
  depth?: number;
  /** Adam's learning rate (default 5e-3); writable on a live session. */
  lr?: number;
  /** λ of the objective (default 1e-3). */
  lambda?: number;
  /** Initialisation seed (default 0). */
  seed?: number;
}

/** One model's live state. */
export interface NetState {
  name: string;
  model: Model;
  opt: C.Adam;
  /** Training loss L per step (before that step's update). */
  losses: number[];
  /** Test loss per step, of the same weights as `losses`. */
  testLosses: number[];
  /** Steps left of the pruning blend (0: none running). */
  pruneLeft: number;
  /** After pruning: per layer, 1 where a raw weight survived and 0 where it was pruned; kept zero while training goes on. */
  masks: C.Tensor[] | null;
}

/** One layer's used weights as host values, [rows = inputs, cols = units], and its count of exact zeros. */
export interface LayerView { w: Float32Array | Float64Array; rows: number; cols: number; zeros: number }

/** Both nets on one dataset and backend. */
export class Session {
  readonly nets: NetState[];
  readonly task: Task;
  /** The trivial predictor's training loss: what a run at chance has. */
  readonly chance: number;
  lambda: number;
  step = 0;
  /** True right after the step that froze the pruning projection (the page pauses there). */
  justPruned = false;
  private readonly train: Batch;
  private readonly test: Batch;

  constructor(readonly data: Splits, config: SessionConfig = {}) {
    const { hidden = 32, depth = 3, lr = 5e-3, lambda = 1e-3, seed = 0 } = config;
    const d = data.train;
    this.task = d.task;
    this.lambda = lambda;
    this.chance = trivialLoss(d);
    const outDim = d.task === 'multiclass' ? d.outputs : 1;
    const dims = { inDim: d.d, hidden, outDim, nHidden: depth, seed };
    this.nets = ([['PSiLON Net', psilonNet(dims)], ['Standard Net', standardNet(dims)]] as const).map(([name, model]) => ({
      name, model, opt: new C.Adam(model.parameters(), { lr }), losses: [], testLosses: [], pruneLeft: 0, masks: null,
    }));
    this.train = batchOf(d);
    this.test = batchOf(data.test);
  }

  /** Adam's learning rate (both nets). */
  get lr(): number { return this.nets[0]!.opt.lr; }
  set lr(v: number) { for (const s of this.nets) s.opt.lr = v; }

  /**
   * One step for both nets; resolves with their training losses (before the step). The
   * test losses of the same weights, both steps, the pruning blend and the masks are
   * all recorded before anything is read, so a GPU backend submits once.
   */
  async trainStep(): Promise<number[]> {
    this.justPruned = false;
    const tests = this.nets.map((s) => C.noGrad(() => C.tidy(() => C.keep(taskLoss(this.task, s.model.forward(this.test.x), this.test.y).detach()))));
    const steps = this.nets.map((s) => {
      // psilon's one step (docs/math.md §8): both nets' steps are recorded before either read-back
      const done = trainStep(s.model, s.opt, this.train, { task: this.task, lambda: this.lambda, regularizer: true });
      if (s.masks) applyMasks(s.model, s.masks);
      if (s.pruneLeft > 0) {
        advancePruning(s.model);
        if (--s.pruneLeft === 0) { this.freeze(s); this.justPruned = true; }
      }
      return done;
    });
    const results = await Promise.all(steps);
    const testValues = await Promise.all(tests.map((t) => t.item()));
    for (const t of tests) t.dispose();
    results.forEach((r, k) => { this.nets[k]!.losses.push(r.loss); this.nets[k]!.testLosses.push(testValues[k]!); });
    this.step++;
    return results.map((r) => r.loss);
  }

  /** Blends the L1-sphere projection in over the next `steps` steps, then freezes it (docs/math.md §7). */
  startPrune(steps = 100): void {
    for (const s of this.nets) { startPruning(s.model, steps); s.pruneLeft = steps; }
  }

  /** Freezes the projection and records which raw weights are now exactly zero, so later steps keep them zero. */
  private freeze(s: NetState): void {
    prune(s.model);
    for (const m of s.masks ?? []) m.dispose();
    s.masks = C.noGrad(() => C.tidy(() => s.model.layers().flatMap((l) => l.rawWeights.map((v) => C.keep(C.notEqual(v, 0))))));
  }

  /** The figures a panel shows for one net (read back asynchronously, so every backend can show them). */
  async stats(s: NetState): Promise<{ bound: number; near: number; exact: number }> {
    const b = C.tidy(() => C.noGrad(() => C.keep(s.model.bound().value.detach())));
    const bound = await b.item();
    b.dispose();
    const { nearSparsity, exactSparsity } = await sparsityReport(s.model);
    return { bound, near: nearSparsity, exact: exactSparsity };
  }

  /**
   * Every layer's used weights (the ones exact sparsity scores, docs/math.md §7), as host
   * values, embedder first: the heat maps draw all of them, so the zeros the pooled
   * exact-sparsity figure counts are all on screen.
   */
  async layers(s: NetState): Promise<LayerView[]> {
    const ts = C.tidy(() => C.noGrad(() => s.model.layers().map((l) => C.keep(l.weights()[0]!.detach()))));
    const out = await Promise.all(ts.map(async (t) => {
      const w = await t.data();
      let zeros = 0;
      for (let i = 0; i < w.length; i++) if (w[i] === 0) zeros++;
      return { w, rows: t.shape[0]!, cols: t.shape[1]!, zeros };
    }));
    for (const t of ts) t.dispose();
    return out;
  }

  /** The net's output at each point of `grid` ([n, 2] row-major): the logit, or the prediction for regression. */
  async predict(s: NetState, grid: Float64Array): Promise<Float32Array | Float64Array> {
    const t = C.tidy(() => C.noGrad(() => C.keep(s.model.forward(C.tensor(grid, [grid.length / this.data.train.d, this.data.train.d])).detach())));
    try { return await t.data(); } finally { t.dispose(); }
  }

  dispose(): void {
    for (const s of this.nets) { s.opt.dispose(); s.model.dispose(); for (const m of s.masks ?? []) m.dispose(); }
    for (const t of [this.train.x, this.train.y, this.test.x, this.test.y]) t.dispose();
  }
}

function batchOf(d: Dataset): Batch {
  return {
    x: C.keep(C.tensor(d.x, [d.n, d.d])),
    y: C.keep(C.tensor(d.y, d.task === 'multiclass' ? [d.n] : [d.n, d.outputs])),
  };
}

/** V ← V ⊙ mask for every raw matrix: pruned weights stay exactly zero while the rest train on. */
function applyMasks(model: Model, masks: C.Tensor[]): void {
  C.noGrad(() => C.tidy(() => {
    model.layers().flatMap((l) => l.rawWeights).forEach((v, k) => v.assign(C.mul(v, masks[k]!)));
  }));
}

/** Trains `steps` steps from a fresh session: the per-step training losses of both nets (the test compares these with Node's). */
export async function runSteps(data: Splits, steps: number, lambda: number): Promise<number[][]> {
  const s = new Session(data, { lambda });
  try {
    for (let i = 0; i < steps; i++) await s.trainStep();
    return s.nets.map((n) => n.losses.slice());
  } finally {
    s.dispose();
  }
}

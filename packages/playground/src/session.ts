/**
 * The playground's training session, shared by the page and by the Node test that
 * checks the page's numbers: a PSiLON Net and a Standard Net trained side by side,
 * full batch, with Adam on 0.5·L + 0.5·λ·R (docs/math.md §8).
 */
import * as C from '@psilon/core';
import {
  objective, prune, psilonNet, sparsityReport, standardNet, startPruning, advancePruning, taskLoss,
  type Dataset, type Model,
} from 'psilon/browser';

/** A 2-D toy classification set: two interleaved half-moons or two concentric circles, seeded. */
export function makeToy(kind: 'moons' | 'circles', n = 200, seed = 0): Dataset {
  const rng = new C.RNG(seed);
  const x = new Float64Array(n * 2), y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 2, t = Math.PI * rng.uniform();
    const [a, b] = kind === 'moons'
      ? (c === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)])
      : [(c === 0 ? 0.5 : 1) * Math.cos(2 * t), (c === 0 ? 0.5 : 1) * Math.sin(2 * t)];
    x[2 * i] = a + 0.1 * rng.normal();
    x[2 * i + 1] = b + 0.1 * rng.normal();
    y[i] = c;
  }
  return { x, y, n, d: 2, task: 'binary', outputs: 1, features: ['x₁', 'x₂'] };
}

/** One model's live state. */
export interface NetState { name: string; model: Model; opt: C.Adam; losses: number[]; pruneLeft: number }

/** Both nets on one dataset and backend. */
export class Session {
  readonly nets: NetState[];
  private readonly X: C.Tensor;
  private readonly Y: C.Tensor;
  step = 0;
  /** True right after the step that froze the pruning projection (the page pauses there). */
  justPruned = false;

  constructor(readonly data: Dataset, public lambda: number, hidden = 32, seed = 0, lr = 5e-3) {
    const outDim = data.task === 'multiclass' ? data.outputs : 1;
    const dims = { inDim: data.d, hidden, outDim, nHidden: 3, seed };
    this.nets = [['PSiLON Net', psilonNet(dims)], ['Standard Net', standardNet(dims)]].map(([name, model]) => ({
      name: name as string, model: model as Model, opt: new C.Adam((model as Model).parameters(), { lr }), losses: [], pruneLeft: 0,
    }));
    this.X = C.keep(C.tensor(data.x, [data.n, data.d]));
    this.Y = C.keep(C.tensor(data.y, data.task === 'multiclass' ? [data.n] : [data.n, data.outputs]));
  }

  /**
   * One Adam step for both nets; resolves with their data losses (before the step). Both
   * steps are recorded before either loss is read, so a GPU backend submits once.
   */
  async trainStep(): Promise<number[]> {
    this.justPruned = false;
    const losses = this.nets.map((s) => {
      const l = C.tidy(() => {
        s.opt.zeroGrad();
        const l = taskLoss(this.data.task, s.model.forward(this.X), this.Y);
        objective(l, s.model.regularizer(), this.lambda).backward();
        s.opt.step();
        return l.detach();
      });
      if (s.pruneLeft > 0) {
        advancePruning(s.model);
        if (--s.pruneLeft === 0) { prune(s.model); this.justPruned = true; }
      }
      return l;
    });
    const out: number[] = [];
    for (const [k, l] of losses.entries()) {
      out.push(await l.item());
      l.dispose();
      this.nets[k]!.losses.push(out[k]!);
    }
    this.step++;
    return out;
  }

  /** Blends the L1-sphere projection in over the next `steps` steps, then freezes it (docs/math.md §7). */
  startPrune(steps = 100): void {
    for (const s of this.nets) { startPruning(s.model, steps); s.pruneLeft = steps; }
  }

  /** The figures a panel shows for one net (read back asynchronously, so every backend can show them). */
  async stats(s: NetState): Promise<{ bound: number; near: number; exact: number }> {
    const b = C.tidy(() => C.noGrad(() => C.keep(s.model.bound().value.detach())));
    const bound = await b.item();
    b.dispose();
    const { nearSparsity, exactSparsity } = await sparsityReport(s.model);
    return { bound, near: nearSparsity, exact: exactSparsity };
  }

  /** The embedder's normalized weights [in, hidden] as host values (for the heat map). */
  async firstLayer(s: NetState): Promise<{ w: Float32Array | Float64Array; rows: number; cols: number }> {
    const t = C.tidy(() => C.noGrad(() => C.keep(s.model.layers()[0]!.weights()[0]!.detach())));
    const w = await t.data();
    t.dispose();
    return { w, rows: this.data.d, cols: s.model.config.hidden };
  }

  dispose(): void {
    for (const s of this.nets) { s.opt.dispose(); s.model.dispose(); }
    this.X.dispose();
    this.Y.dispose();
  }
}

/** Trains `steps` steps from a fresh session: the per-step losses of both nets (the test compares these with Node's). */
export async function runSteps(data: Dataset, steps: number, lambda: number): Promise<number[][]> {
  const s = new Session(data, lambda);
  try {
    for (let i = 0; i < steps; i++) await s.trainStep();
    return s.nets.map((n) => n.losses.slice());
  } finally {
    s.dispose();
  }
}

/** docs/math.md §10 oracles and the closed forms of §6. */
import { describe, expect, it } from 'vitest';
import * as C from '@psilon/core';
import { RNG, tensor } from '@psilon/core';
import {
  NormNet, NormResNet, improvedBoundClosedForm, nearSparsityOf, pathNormClosedForm, pathNormExplicit, projectVector,
  psilonNet, psilonResNet, regularizer, resnetBoundExplicit, lipschitzBound, type Model,
} from 'psilon';

const set = (t: C.Tensor, v: number[]) => t.assign(tensor(v, t.shape, { dtype: t.dtype }));

describe('docs/math.md §10 test vectors', () => {
  it('projection onto the L1 sphere', () => {
    const a = projectVector([0.9, -0.6, 0.3, 0.05]);
    expect(a.tau).toBeCloseTo(0.266667, 6);
    [0.633333, -0.333333, 0.033333, 0].forEach((p, i) => expect(a.p[i]).toBeCloseTo(p, 6));
    expect(a.p[3]).toBe(0);
    const b = projectVector([0.2, -0.1, 0, 0.05]);
    expect(b.tau).toBeCloseTo(-0.1625, 6);
    [0.3625, -0.2625, 0.1625, 0.2125].forEach((p, i) => expect(b.p[i]).toBeCloseTo(p, 6));
  });

  it('near-sparsity', () => {
    expect(nearSparsityOf([1, 1, 1, 1])).toBeCloseTo(0, 7);
    expect(nearSparsityOf([1, 0, 0, 0])).toBeCloseTo(0.75, 7);
    expect(nearSparsityOf([0.9, -0.6, 0.3, 0.05])).toBeCloseTo(0.242684, 6);
  });

  it('regularizers: R_net = 9 and R_IB = 18', () => {
    const net = psilonNet({ inDim: 3, hidden: 4, outDim: 2, nHidden: 3, dtype: 'float64' });
    [2, -0.5, 3].forEach((g, i) => set(net.gains()[i]!, [g]));
    set(net.gains()[3]!, [1, -2]);
    expect(pathNormClosedForm(net).itemSync()).toBeCloseTo(9, 12);
    const res = psilonResNet({ inDim: 3, hidden: 4, outDim: 2, nHidden: 3, dtype: 'float64' });
    [[2], [0.5], [-1], [1, -2]].forEach((g, i) => set(res.gains()[i]!, g));
    expect(improvedBoundClosedForm(res).itemSync()).toBeCloseTo(18, 12);
  });
});

/** Random V, g (including negative g) and biases, so the nets are far from init. */
function randomize(model: Model, rng: RNG): void {
  C.noGrad(() => {
    for (const p of model.parameters()) p.assign(C.randn(p.shape, { rng, dtype: p.dtype }));
  });
}

describe('closed forms equal the explicit forms (docs/math.md §6)', () => {
  for (const [h, nHidden] of [[3, 1], [5, 2], [8, 4], [17, 3]]) {
    it(`PSiLON Net and ResNet, width ${h}, K−1 = ${nHidden}`, () => {
      const rng = new RNG(h * 10 + nHidden);
      const net = psilonNet({ inDim: 4, hidden: h, outDim: 3, nHidden, dtype: 'float64', rng });
      randomize(net, rng);
      expect(pathNormClosedForm(net).itemSync()).toBeCloseTo(pathNormExplicit(net).itemSync(), 9);
      const res = psilonResNet({ inDim: 4, hidden: h, outDim: 3, nHidden, dtype: 'float64', rng });
      randomize(res, rng);
      expect(improvedBoundClosedForm(res).itemSync()).toBeCloseTo(resnetBoundExplicit(res, 'ib').itemSync(), 9);
    });
  }

  it('closed-form gradients equal the autodiff gradients of the explicit forms', () => {
    const rng = new RNG(5);
    for (const make of [
      () => psilonNet({ inDim: 4, hidden: 6, outDim: 3, nHidden: 3, dtype: 'float64', rng }),
      () => psilonResNet({ inDim: 4, hidden: 6, outDim: 3, nHidden: 4, dtype: 'float64', rng }),
    ]) {
      const model = make();
      randomize(model, rng);
      const gradsOf = (f: () => C.Tensor) => {
        for (const p of model.parameters()) { p.grad?.dispose(); p.grad = null; }
        C.tidy(() => f().backward());
        return model.gains().map((g) => Array.from(g.grad!.dataSync()));
      };
      const closed = gradsOf(() => (model instanceof NormNet ? pathNormClosedForm(model) : improvedBoundClosedForm(model as NormResNet)));
      const explicit = gradsOf(() => (model instanceof NormNet ? pathNormExplicit(model) : resnetBoundExplicit(model as NormResNet, 'ib')));
      closed.forEach((arr, i) => arr.forEach((x, k) => expect(x).toBeCloseTo(explicit[i]![k]!, 9)));
    }
  });

  it('closed-form gradients pass float64 gradient checks, and vanish when a hidden g is 0', () => {
    const rng = new RNG(6);
    const net = psilonNet({ inDim: 2, hidden: 3, outDim: 2, nHidden: 3, dtype: 'float64', rng });
    randomize(net, rng);
    const gs = net.gains();
    const res = C.checkGrad((a, b, c, d) => regularizerOf(net, [a!, b!, c!, d!]), gs.map((g) => C.tensor(g.dataSync(), g.shape, { dtype: 'float64' })));
    expect(res.maxRelError).toBeLessThan(1e-6);
    set(gs[1]!, [0]);
    C.tidy(() => pathNormClosedForm(net).backward());
    for (const g of gs.slice(0, 3)) expect(g.grad!.itemSync()).toBe(0);
  });

  it('the ResNet regularizer gives residual g = 0 no gradient at init', () => {
    const res = psilonResNet({ inDim: 3, hidden: 4, outDim: 2, nHidden: 3, dtype: 'float64' });
    C.tidy(() => regularizer(res).backward());
    expect(res.blocks[0]!.g.grad!.itemSync()).toBe(0);
    expect(res.embedder.g.grad!.itemSync()).not.toBe(0);
  });
});

/** The closed-form op evaluated on explicit gain tensors (so checkGrad can perturb them). */
function regularizerOf(net: NormNet, gains: C.Tensor[]): C.Tensor {
  const view = Object.create(net) as NormNet;
  view.gains = () => gains;
  return pathNormClosedForm(view);
}

describe('the theorem: Σ_o Σ_i |∂f_o/∂x_i| ≤ R (docs/math.md §6)', () => {
  async function jacobianL1(model: Model, x: number[]): Promise<number> {
    let total = 0;
    for (let o = 0; o < model.config.outDim; o++) {
      const xt = tensor([x], undefined, { dtype: 'float64', requiresGrad: true });
      C.tidy(() => C.slice(model.forward(xt), [0, o], [1, 1]).sum().backward());
      total += Array.from(xt.grad!.dataSync()).reduce((s, v) => s + Math.abs(v), 0);
    }
    return total;
  }
  for (const kind of ['net', 'resnet'] as const) for (const share of [true, false]) for (const norm of ['l1', 'l2'] as const) {
    it(`${kind}, share=${share}, ${norm}: the certified bound holds at random inputs`, async () => {
      const rng = new RNG(share ? 1 : 2);
      const opts = { inDim: 5, hidden: 7, outDim: 3, nHidden: 4, share, norm, dtype: 'float64' as const, rng };
      const model = kind === 'net' ? new NormNet(opts) : new NormResNet(opts);
      randomize(model, rng);
      const bound = await lipschitzBound(model);
      expect(bound.formula).toMatch(share && norm === 'l1' ? /closed form/ : /explicit/);
      let worst = 0;
      for (let t = 0; t < 20; t++) worst = Math.max(worst, await jacobianL1(model, Array.from({ length: 5 }, () => rng.normal() * 3)));
      expect(worst).toBeGreaterThan(0);
      expect(worst).toBeLessThanOrEqual(bound.value * (1 + 1e-12));
    });
  }

  it('on random non-PSiLON ResNets the original bound is ≥ the improved bound', () => {
    const rng = new RNG(9);
    for (let t = 0; t < 5; t++) {
      const res = new NormResNet({ inDim: 4, hidden: 6, outDim: 2, nHidden: 3, share: false, norm: 'l1', dtype: 'float64', rng });
      randomize(res, rng);
      const ob = resnetBoundExplicit(res, 'ob').itemSync();
      const ib = resnetBoundExplicit(res, 'ib').itemSync();
      expect(ob).toBeGreaterThanOrEqual(ib);
    }
  });
});

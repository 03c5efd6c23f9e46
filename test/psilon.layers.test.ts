/** Float64 gradient checks of every layer's backward, the projection's backward, and the sparsity metrics. */
import { describe, expect, it } from 'vitest';
import * as C from '@psilon/core';
import { RNG, tensor } from '@psilon/core';
import {
  CReLUNormLinear, MAX_PARAMETERS, MODELS, NormLinear, NormNet, NormResNet, exactSparsity, nearSparsity, nearSparsityOf, parameterCount,
  projectLayer, projectVector, prune, psilonNet, psilonResNet, standardNet, startPruning, advancePruning, type Model, type ModelDims,
} from 'psilon';
import { checkParameterCount } from '../packages/psilon/src/nn/index.js';
import { projectParams } from '../packages/psilon/src/sparsity/index.js';

const f64 = (rng: RNG, shape: number[]) => C.randn(shape, { rng, dtype: 'float64' });

describe('layer backward passes (float64 central differences)', () => {
  for (const norm of ['l1', 'l2'] as const) for (const shareG of [true, false]) {
    it(`NormLinear ${norm}, shareG=${shareG}: ∂/∂x, V, g, b`, () => {
      const rng = new RNG(1);
      const layer = new NormLinear({ inDim: 5, outDim: 3, rng, norm, shareG, dtype: 'float64' });
      const inputs = [f64(rng, [4, 5]), f64(rng, [5, 3]), f64(rng, shareG ? [1] : [3]), f64(rng, [3])];
      const res = C.checkGrad((x, v, g, b) => layer.forwardWith({ raw: [v!], g: g!, b: b! }, x!), inputs);
      expect(res.maxRelError, JSON.stringify(res.worst)).toBeLessThan(1e-6);
    });
    it(`CReLUNormLinear ${norm}, shareG=${shareG}: ∂/∂x, V⁺, V⁻, g, b (ties included)`, () => {
      const rng = new RNG(2);
      const layer = new CReLUNormLinear({ inDim: 4, outDim: 3, rng, norm, shareG, dtype: 'float64' });
      const vp = f64(rng, [4, 3]);
      const inputs = [f64(rng, [5, 4]), vp, f64(rng, [4, 3]), f64(rng, shareG ? [1] : [3]), f64(rng, [3])];
      const res = C.checkGrad((x, a, b2, g, b) => layer.forwardWith({ raw: [a!, b2!], g: g!, b: b! }, x!), inputs);
      expect(res.maxRelError, JSON.stringify(res.worst)).toBeLessThan(1e-6);
    });
  }

  it('CReLU negative branch is −relu(−x): the input gradient at an exact 0 pre-activation is 0 (the reference rule)', () => {
    const rng = new RNG(7);
    const layer = new CReLUNormLinear({ inDim: 3, outDim: 2, rng, dtype: 'float64' });
    C.noGrad(() => layer.g.assign(C.ones([2], { dtype: 'float64' })));
    const x = tensor([[0, 1, -1]], undefined, { dtype: 'float64', requiresGrad: true });
    C.sum(layer.forward(x)).backward();
    const g = x.grad!.arraySync() as number[][];
    expect(Math.abs(g[0]![0]!)).toBe(0); // min(x, 0) would give ½·Σ W⁻ here (its tie rule)
    expect(g[0]![1]).not.toBe(0);
    expect(g[0]![2]).not.toBe(0);
  });

  it('whole PSiLON Net and ResNet forward passes', () => {
    const rng = new RNG(3);
    for (const model of [psilonNet({ inDim: 3, hidden: 4, outDim: 2, nHidden: 3, dtype: 'float64', rng }),
      psilonResNet({ inDim: 3, hidden: 4, outDim: 2, nHidden: 3, dtype: 'float64', rng })]) {
      C.noGrad(() => { for (const p of model.parameters()) p.assign(C.randn(p.shape, { rng, dtype: 'float64' })); });
      const res = C.checkGrad((x) => model.forward(x!), [f64(rng, [4, 3])]);
      expect(res.maxRelError).toBeLessThan(1e-6);
    }
  });

  it('the projection P(V) (through τ, relu, |·| and the pair max) for both layer kinds', () => {
    const rng = new RNG(4);
    const r1 = C.checkGrad((v, g) => projectParams({ raw: [v!], g: g! })[0]!, [C.mul(f64(rng, [6, 3]), 0.8), f64(rng, [3])]);
    expect(r1.maxRelError, JSON.stringify(r1.worst)).toBeLessThan(1e-6);
    const r2 = C.checkGrad((a, b, g) => C.concat(projectParams({ raw: [a!, b!], g: g! }), 0),
      [C.mul(f64(rng, [6, 3]), 0.8), C.mul(f64(rng, [6, 3]), 0.8), f64(rng, [1])]);
    expect(r2.maxRelError, JSON.stringify(r2.worst)).toBeLessThan(1e-6);
  });
});

describe('projection, pruning and sparsity', () => {
  it('projectLayer equals the §7 rule column by column and keeps column L1 norm |g|', () => {
    const rng = new RNG(5);
    const layer = new NormLinear({ inDim: 7, outDim: 4, rng, shareG: true, dtype: 'float64' });
    layer.g.assign(tensor([-1.5], [1], { dtype: 'float64' }));
    const P = projectLayer(layer)[0]!.dataSync();
    const V = layer.v.dataSync();
    for (let j = 0; j < 4; j++) {
      const col = Array.from({ length: 7 }, (_, i) => V[i * 4 + j]!);
      const want = projectVector(col, -1.5).p;
      let l1 = 0;
      for (let i = 0; i < 7; i++) { expect(P[i * 4 + j]).toBeCloseTo(want[i]!, 12); l1 += Math.abs(P[i * 4 + j]!); }
      expect(l1).toBeCloseTo(1.5, 12);
    }
  });

  it('the blend goes from W to P(V) as t counts training steps, and evaluation never advances it', () => {
    const rng = new RNG(6);
    const net = psilonNet({ inDim: 4, hidden: 8, outDim: 1, nHidden: 2, dtype: 'float64', rng });
    startPruning(net, 4);
    const x = C.randn([3, 4], { rng, dtype: 'float64' });
    const y0 = net.forward(x).dataSync();
    expect(Array.from(net.forward(x).dataSync())).toEqual(Array.from(y0)); // forward twice: unchanged
    for (let i = 0; i < 4; i++) advancePruning(net);
    expect(exactSparsity(net)).toBeGreaterThan(0);
    const before = net.forward(x).dataSync();
    prune(net);
    expect(exactSparsity(net)).toBeGreaterThan(0);
    const after = net.forward(x).dataSync();
    before.forEach((v, i) => expect(after[i]).toBeCloseTo(v, 10));
    // pruned raw weights contain exact zeros, so the saved model does too
    expect(Array.from(net.embedder.v.dataSync()).some((v) => v === 0)).toBe(true);
  });

  it('exact sparsity of a CReLU layer averages its two halves; near-sparsity pools V⁺ and V⁻ separately', () => {
    const rng = new RNG(7);
    const res = psilonResNet({ inDim: 2, hidden: 4, outDim: 1, nHidden: 2, dtype: 'float64', rng });
    // predictor: V⁺ column fully zero except one entry, V⁻ dense
    res.predictor.vPos.assign(tensor([1, 0, 0, 0], [4, 1], { dtype: 'float64' }));
    res.predictor.vNeg.assign(tensor([0.1, 0.1, 0.1, 0.1], [4, 1], { dtype: 'float64' }));
    const layers = res.layers();
    const manualNear = () => {
      let total = 0, count = 0;
      for (const l of layers) for (const v of l.rawWeights) {
        const [i, o] = v.shape as [number, number];
        const a = v.dataSync();
        for (let j = 0; j < o; j++) { total += nearSparsityOf(Array.from({ length: i }, (_, r) => a[r * o + j]!)); count++; }
      }
      return total / count;
    };
    expect(nearSparsity(res)).toBeCloseTo(manualNear(), 12);
    // embedder (4 columns): dense → 0. Residual block (4 columns): g = 0 at init, so W± = 0 → each column 1.
    // predictor: W⁺ has 3 zeros of 4 → s⁺ = 0.75, s⁻ = 0 → column value (0.75 + 0)/2. Pooled over 9 columns.
    expect(exactSparsity(res)).toBeCloseTo((4 + 0.375) / 9, 12);
  });
});

describe('model sizes are checked before anything is allocated', () => {
  const sizes = [
    { what: 'a width of 10⁹', o: { inDim: 13, hidden: 1_000_000_000, outDim: 1 } },
    { what: 'a depth of 10⁷ (the CLI\'s --n-hidden 10000000)', o: { inDim: 13, hidden: 100, outDim: 1, nHidden: 10_000_000 } },
    { what: 'a depth of 10¹⁵', o: { inDim: 13, hidden: 4, outDim: 1, nHidden: 1e15 } },
    { what: '10⁶ inputs × 10³ hidden', o: { inDim: 1_000_000, hidden: 1000, outDim: 1, nHidden: 1 } },
    { what: '10⁷ outputs', o: { inDim: 13, hidden: 100, outDim: 10_000_000, nHidden: 1 } },
  ];
  const makers: [string, (o: ModelDims) => Model][] = [
    ['NormNet', (o) => new NormNet(o)], ['NormResNet', (o) => new NormResNet(o)], ['psilonNet', psilonNet], ['standardNet', standardNet],
    ['psilonResNet', psilonResNet], ...[...MODELS].map(([name, make]): [string, (o: ModelDims) => Model] => [`MODELS '${name}'`, make]),
  ];
  for (const { what, o } of sizes) {
    it(`${what}: every architecture fails at once with one line, allocating nothing`, () => {
      const be = C.getBackend(), live = be.liveBuffers();
      for (const [name, make] of makers) {
        const t0 = performance.now();
        let message = '';
        try { make(o).dispose(); } catch (e) { message = (e as Error).message; }
        expect(message, name).toMatch(/^\w+: (net|resnet) with inDim \d+, hidden \d+, nHidden [\d.e+]+, outDim \d+ has [\d.]+e\+\d+ parameters, over the limit of 2\.68e\+8 \(1 GiB of float32\); use a smaller width or depth$/);
        expect(performance.now() - t0, name).toBeLessThan(50);
        expect(be.liveBuffers(), name).toBe(live);
      }
      expect(() => checkParameterCount({ arch: 'resnet', share: true, bias: true, nHidden: 3, ...o }, 'loadModel')).toThrow(/^loadModel: resnet with .* over the limit/);
    });
  }
  it('a layer built alone is checked too, and a model just under the limit counts its parameters by arithmetic', () => {
    const rng = new RNG(1), live = C.getBackend().liveBuffers();
    expect(() => new NormLinear({ inDim: 100_000, outDim: 100_000, rng })).toThrow(/^NormLinear: inDim 100000 × outDim 100000 is 1\.00e\+10 parameters, over the limit of 2\.68e\+8$/);
    expect(() => new CReLUNormLinear({ inDim: 20_000, outDim: 10_000, rng })).toThrow(/^CReLUNormLinear: .* 4\.00e\+8 parameters, over the limit/);
    expect(C.getBackend().liveBuffers()).toBe(live);
    for (const make of [psilonNet, psilonResNet, standardNet]) {
      const m = make({ inDim: 7, hidden: 5, outDim: 3, nHidden: 4 });
      expect(parameterCount(m.config)).toBe(m.parameters().reduce((s, p) => s + p.size, 0));
      m.dispose();
    }
    expect(parameterCount({ arch: 'net', inDim: 13, hidden: 100, outDim: 1, nHidden: 10_000_000, share: true, bias: true })).toBe(13 * 100 + 1 + 100 + (1e7 - 1) * (100 * 100 + 1 + 100) + 100 + 1 + 1);
    expect(MAX_PARAMETERS).toBe(2 ** 28);
  });
});

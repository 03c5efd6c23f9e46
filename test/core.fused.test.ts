/**
 * Fused kernels are accelerations, not obligations (packages/kernels/src/backend.ts, FusedKernels):
 * - each fused kernel of each backend agrees with core's reference composition (the same core op
 *   run through `withoutFused(be)`) on odd shapes, ties included;
 * - every backend with its fused kernels hidden trains a PSiLON Net and a PSiLON ResNet (pruned too)
 *   to the same results as with them;
 * - the compositions pass float64 gradient checks on the cpu backend.
 */
import { describe, expect, it } from 'vitest';
import * as C from '@psilon/core';
import { checkGrad, CpuBackend, RNG, tensor, type Backend, type Tensor } from '@psilon/core';
import { FUSED_KERNELS, withoutFused } from '@psilon/kernels';
import { psilonNet, psilonResNet } from 'psilon';
import { relErr } from './helpers/random.js';
import { ALL_BACKENDS, describeBackends, TRAINING_BACKENDS } from './helpers/backends.js';
import { trainOnBlobs } from './helpers/training.js';

/** Runs `f` with `be` as the active backend. */
async function on<T>(be: Backend, f: () => Promise<T> | T): Promise<T> {
  const prev = C.setBackend(be);
  try { return await f(); } finally { C.setBackend(prev); }
}

/** The outputs of `f` on inputs `data` (and the gradients of Σ out·w, w fixed weights) on backend `be`. */
async function outputsAndGrads(be: Backend, shapes: number[][], data: Float64Array[], f: (...xs: Tensor[]) => Tensor[]): Promise<Float32Array[]> {
  return on(be, async () => {
    const xs = data.map((d, i) => tensor(d, shapes[i], { requiresGrad: true }));
    const outs = C.tidy(() => {
      const outs = f(...xs);
      const r = new RNG(99);
      const loss = outs.map((o) => C.sum(C.mul(o, C.randn(o.shape, { rng: r })))).reduce((a, b) => C.add(a, b));
      loss.backward();
      return outs;
    });
    const res = [...await Promise.all(outs.map((o) => o.data())), ...await Promise.all(xs.map((x) => x.grad!.data()))] as Float32Array[];
    for (const t of [...outs, ...xs]) t.dispose();
    return res;
  });
}

interface FusedCase { name: string; kernel: (typeof FUSED_KERNELS)[number]; shapes: number[][]; make?: (r: RNG, n: number, i: number) => number; f: (...xs: Tensor[]) => Tensor[] }
const cases: FusedCase[] = [];
for (const [i, o] of [[1, 1], [13, 7], [5, 33]] as const) for (const kind of ['l1', 'l2'] as const) for (const shared of [true, false]) {
  const g = [shared ? 1 : o];
  cases.push({ name: `weightNorm ${kind} ${shared ? 'shared' : 'per column'} [${i}, ${o}]`, kernel: 'weightNorm', shapes: [[i, o], g], f: (v, gg) => [C.weightNorm(v!, gg!, { kind })] });
  // the pair with exact ties: V⁻ = ±V⁺ on every third entry
  cases.push({
    name: `pairWeightNorm ${kind} ${shared ? 'shared' : 'per column'} [${i}, ${o}], ties`, kernel: 'weightNorm', shapes: [[i, o], [i, o], g],
    make: (r, n, k) => (k === 1 && n % 3 === 0 ? NaN : r.uniform() * 2 - 1), f: (a, b, gg) => C.pairWeightNorm(a!, b!, gg!, { kind }),
  });
}
for (const [r, c] of [[7, 33], [5, 1], [1, 300]] as const) {
  cases.push({ name: `softmax [${r}, ${c}]`, kernel: 'softmax', shapes: [[r, c]], f: (x) => [C.softmax(x!)] });
  cases.push({ name: `logSoftmax [${r}, ${c}]`, kernel: 'softmax', shapes: [[r, c]], f: (x) => [C.logSoftmax(x!)] });
}
for (const [i, o] of [[1, 1], [9, 5], [40, 3]] as const) {
  cases.push({
    name: `sphereTau [${i}, ${o}], ties`, kernel: 'sphereTau', shapes: [[i, o]],
    make: (r, n) => (n % 4 === 1 ? 0.05 : r.uniform() * 0.4), f: (y) => [C.sphereTau(y!)],
  });
}

/** Inputs of a case; NaN from `make` means "the same entry of input 0, sign flipped" (a planted tie). */
function inputsOf(c: FusedCase): Float64Array[] {
  const r = new RNG(c.name.length);
  const out: Float64Array[] = [];
  c.shapes.forEach((s, k) => {
    const n = s.reduce((a, b) => a * b, 1);
    out.push(Float64Array.from({ length: n }, (_, j) => {
      const v = c.make ? c.make(r, j, k) : r.uniform() * 2 - 1;
      return Number.isNaN(v) ? -out[0]![j]! : v;
    }));
  });
  return out;
}

describeBackends('fused kernels agree with the reference compositions', (it) => {
  it('hiding works: the primitives-only view has none of the fused kernels, and the backend has some', (be) => {
    const hidden = withoutFused(be);
    for (const k of FUSED_KERNELS) expect(hidden[k], k).toBeUndefined();
    expect(FUSED_KERNELS.filter((k) => be[k]).length).toBeGreaterThan(0);
    expect(hidden.name).toBe(be.name);
  });
  for (const c of cases) {
    it(c.name, async (be) => {
      if (!be[c.kernel]) return; // nothing fused to compare: the composition is all there is
      const data = inputsOf(c);
      const before = be.liveBuffers();
      const fused = await outputsAndGrads(be, c.shapes, data, c.f);
      const composed = await outputsAndGrads(withoutFused(be), c.shapes, data, c.f);
      fused.forEach((x, k) => expect(relErr(x, composed[k]!, 1e-3), `output/gradient ${k}`).toBeLessThan(2e-5));
      expect(be.liveBuffers()).toBe(before);
    });
  }
  it('Adam: the fused step (in place and not) equals the composition, odd size, weight decay', async (be) => {
    if (!be.adamStep && !be.adamStepInPlace) return;
    const r = new RNG(5);
    const n = 1031;
    const init = [0, 1, 2].map(() => Float64Array.from({ length: n }, () => r.normal()));
    const run = (b: Backend) => on(b, async () => {
      const p = tensor(init[0]!, [n], { requiresGrad: true });
      const opt = new C.Adam([p], { lr: 3e-3, weightDecay: 0.1 });
      for (let s = 0; s < 4; s++) {
        C.tidy(() => { opt.zeroGrad(); C.sum(C.mul(C.square(C.sub(p, tensor(init[1]!))), tensor(init[2]!))).backward(); opt.step(); });
      }
      const got = await p.data();
      opt.dispose();
      p.dispose();
      return got;
    });
    const before = be.liveBuffers();
    expect(relErr(await run(be), await run(withoutFused(be)))).toBeLessThan(1e-6);
    expect(be.liveBuffers()).toBe(before);
  });
});

describeBackends('training with the fused kernels hidden matches training with them', (it) => {
  for (const [name, make, pruneSteps] of [
    ['PSiLON Net', () => psilonNet({ inDim: 4, hidden: 12, outDim: 3, nHidden: 3, seed: 5 }), undefined],
    ['PSiLON ResNet, pruned over the last 6 steps', () => psilonResNet({ inDim: 4, hidden: 12, outDim: 3, nHidden: 3, seed: 5 }), 6],
  ] as const) {
    it(name, async (be) => {
      const want = await trainOnBlobs(be, make, pruneSteps);
      const got = await trainOnBlobs(withoutFused(be), make, pruneSteps);
      if (pruneSteps) expect(want.exact).toBeGreaterThan(0.1);
      expect(Math.abs(got.exact - want.exact)).toBeLessThan(0.01);
      got.losses.forEach((l, i) => expect(Math.abs(l - want.losses[i]!) / want.losses[i]!, `objective of epoch ${i + 1}`).toBeLessThan(1e-4));
      expect(got.test.metric).toBe(want.test.metric);
      expect(Math.abs(got.near - want.near)).toBeLessThan(1e-4);
      expect(Math.abs(got.bound - want.bound) / want.bound).toBeLessThan(1e-5);
    });
  }
}, [ALL_BACKENDS[0]!, ...TRAINING_BACKENDS.slice(1)]);

describe('the reference compositions in float64 (cpu, fused kernels hidden)', () => {
  const cpu = withoutFused(new CpuBackend());
  const f64 = (shape: number[], r: RNG, lo = -1, hi = 1) =>
    tensor(Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => lo + (hi - lo) * r.uniform()), shape, { dtype: 'float64', backend: cpu });

  it('weightNorm and pairWeightNorm: gradient checks, L1 and L2, shared and per-column g (g = 0 included)', () => {
    const r = new RNG(1);
    for (const kind of ['l1', 'l2'] as const) for (const shared of [true, false]) {
      const g = f64(shared ? [1] : [4], r, 0.5, 2);
      expect(checkGrad((v, gg) => C.weightNorm(v, gg, { kind }), [f64([5, 4], r), g]).maxRelError).toBeLessThan(1e-6);
      expect(checkGrad((v, gg) => C.weightNorm(v, gg, { kind }), [f64([5, 4], r), C.zeros(g.shape, { dtype: 'float64', backend: cpu })]).maxRelError).toBeLessThan(1e-6);
      const pair = (a: Tensor, b: Tensor, gg: Tensor) => C.concat(C.pairWeightNorm(a, b, gg, { kind }), 0);
      expect(checkGrad(pair, [f64([5, 4], r), f64([5, 4], r), g]).maxRelError).toBeLessThan(1e-6);
    }
  });

  it('weightNorm reproduces docs/math.md §10 through the composition', () => {
    const V = tensor([[1, -2], [0.5, 0], [-0.5, 1]], undefined, { dtype: 'float64', requiresGrad: true, backend: cpu });
    const g = tensor([2], undefined, { dtype: 'float64', requiresGrad: true, backend: cpu });
    const W = C.weightNorm(V, g);
    [1, -1.333333, 0.5, 0, -0.5, 0.666667].forEach((w, i) => expect(W.dataSync()[i]).toBeCloseTo(w, 5));
    C.sum(C.mul(W, tensor([[1, 0.5], [-1, 2], [0.5, -1]], undefined, { dtype: 'float64', backend: cpu }))).backward();
    [0.875, -0.111111, -1.125, 1.333333, 0.625, -0.222222].forEach((d, i) => expect(V.grad!.dataSync()[i]).toBeCloseTo(d, 5));
    expect(g.grad!.itemSync()).toBeCloseTo(-0.541667, 5);
  });

  it('softmax and logSoftmax: gradient checks', () => {
    const r = new RNG(2);
    expect(checkGrad((x) => C.softmax(x), [f64([3, 5], r)]).maxRelError).toBeLessThan(1e-6);
    expect(checkGrad((x) => C.logSoftmax(x), [f64([3, 5], r)]).maxRelError).toBeLessThan(1e-6);
  });

  it('sphereTau equals the sort rule (projectColumn) and passes a gradient check away from its kinks', () => {
    const r = new RNG(3);
    const y = f64([30, 4], r, 0, 0.3);
    const tau = C.sphereTau(y).dataSync();
    const Y = y.dataSync();
    for (let j = 0; j < 4; j++) {
      const col = Array.from({ length: 30 }, (_, i) => Y[i * 4 + j]!);
      expect(tau[j]).toBeCloseTo(C.projectColumn(col).tau, 12);
    }
    expect(checkGrad((x) => C.sphereTau(x), [y]).maxRelError).toBeLessThan(1e-6);
  });
});

import { describe, expect, it } from 'vitest';
import * as C from '@psilon/core';
import { Adam, customOp, OneCycle, RNG, SGD, tensor, tidy, type Tensor } from '@psilon/core';

const vals = (t: Tensor) => Array.from(t.dataSync());

describe('tape', () => {
  it('accumulates over multiple uses and across backward calls', () => {
    const x = tensor([3], undefined, { requiresGrad: true, dtype: 'float64' });
    C.add(C.mul(x, x), x).sum().backward(); // d/dx (x² + x) = 2x + 1 = 7
    expect(vals(x.grad!)).toEqual([7]);
    C.mul(x, 2).sum().backward();
    expect(vals(x.grad!)).toEqual([9]);
  });
  it('noGrad and detach stop recording', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    expect(C.noGrad(() => C.mul(x, 2)).requiresGrad).toBe(false);
    expect(x.detach().requiresGrad).toBe(false);
    const y = C.add(C.mul(x.detach(), x), 0).sum();
    y.backward();
    expect(vals(x.grad!)).toEqual([1, 2]);
  });
  it('errors: non-scalar backward, freed graph, shapes, dtypes, options, non-finite loss', () => {
    const x = tensor([[1, 2]], undefined, { requiresGrad: true });
    expect(() => C.mul(x, 2).backward()).toThrow(/non-scalar.*\[1, 2\]/);
    const y = C.mul(x, 2).sum();
    y.backward();
    expect(() => y.backward()).toThrow(/already freed.*retainGraph/);
    const z = C.mul(x, 3).sum();
    z.backward(undefined, { retainGraph: true });
    z.backward();
    expect(() => C.add(tensor([1, 2, 3]), tensor([1, 2]))).toThrow(/add: shapes \[3\] and \[2\] cannot be broadcast/);
    expect(() => C.matmul(tensor([[1, 2]]), tensor([[1, 2]]))).toThrow(/matmul: inner dimensions differ: \[1, 2\] · \[1, 2\]/);
    expect(() => C.add(tensor([1]), tensor([1], undefined, { dtype: 'float64' }))).toThrow(/dtype mismatch/);
    expect(() => C.matmul(tensor([[1]]), tensor([[1]]), { transpose: true } as never)).toThrow(/matmul: unknown option 'transpose'/);
    expect(() => new Adam([x], { lr: 1, betas: [0.9, 0.99] } as never)).toThrow(/unknown option 'betas'/);
    expect(C.mse(tensor([NaN, 1]), tensor([0, 1])).itemSync()).toBeNaN(); // a value, not a read-back inside the op
    expect(() => C.mse(tensor([1, 1]), tensor([[0, 1]]))).toThrow(/mse: predictions \[2\] and targets \[1, 2\]/);
    expect(() => tensor([[1, 2], [3]])).toThrow(/ragged/);
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(/3 values do not fill shape \[2, 2\]/);
    expect(() => C.rand([2], {} as never)).toThrow(/pass \{ rng \}/);
    expect(() => C.reshape(tensor([1, 2, 3]), [2, 2])).toThrow(/cannot reshape \[3\]/);
    const dead = tidy(() => C.mul(C.mul(x, 2), 3).sum());
    expect(() => dead.backward()).toThrow(/disposed before backward\(\) \(by tidy\?\)/);
    const d = tensor([1]);
    d.dispose();
    expect(() => C.neg(d)).toThrow(/used after dispose/);
  });
  it('never mutates what the user passes in', () => {
    const data = [1, 2, 3];
    const arr = new Float32Array([4, 5, 6]);
    const a = tensor(data, undefined, { requiresGrad: true });
    const b = tensor(arr);
    const out = C.mul(a, b).sum();
    out.backward();
    new SGD([a], { lr: 0.5 }).step();
    expect(data).toEqual([1, 2, 3]);
    expect(Array.from(arr)).toEqual([4, 5, 6]);
    expect(vals(a)).toEqual([-1, -0.5, 0]);
  });
});

describe('custom ops', () => {
  it('use the hand-written backward, and gradcheck against it', () => {
    let calls = 0;
    // f(x) = x³ with backward 3x²·g
    const cube = customOp<Tensor>({
      name: 'cube',
      forward: ([x]) => ({ outputs: [C.mul(C.mul(x!, x!), x!)], saved: x! }),
      backward: ([g], x) => { calls++; return [C.mul(g!, C.mul(C.square(x), 3))]; },
    });
    const x = C.rand([5], { rng: new RNG(1), dtype: 'float64' });
    const res = C.checkGrad((t) => cube(t)[0]!, [x]);
    expect(res.maxRelError).toBeLessThan(1e-7);
    expect(calls).toBeGreaterThan(0);
    // a deliberately wrong backward is caught
    const wrong = customOp<Tensor>({
      name: 'wrongCube',
      forward: ([x]) => ({ outputs: [C.mul(C.mul(x!, x!), x!)], saved: x! }),
      backward: ([g], x) => [C.mul(g!, C.square(x))],
    });
    expect(C.checkGrad((t) => wrong(t)[0]!, [x]).maxRelError).toBeGreaterThan(0.5);
  });
});

describe('memory', () => {
  it('tidy keeps what it returns', () => {
    const w = C.randn([8, 4], { rng: new RNG(0) });
    const kept = tidy(() => C.mul(w, 2));
    expect(kept.isDisposed).toBe(false);
  });
});

describe('optimizers and schedules', () => {
  it('Adam matches a hand-computed first step (|Δ| = lr), SGD momentum matches PyTorch', () => {
    const p = tensor([1, -1], undefined, { requiresGrad: true, dtype: 'float64' });
    C.mul(p, tensor([3, -0.5], undefined, { dtype: 'float64' })).sum().backward();
    new Adam([p], { lr: 0.1 }).step();
    const v = vals(p);
    expect(v[0]).toBeCloseTo(0.9, 6);
    expect(v[1]).toBeCloseTo(-0.9, 6);
    const q = tensor([1], undefined, { requiresGrad: true, dtype: 'float64' });
    const sgd = new SGD([q], { lr: 0.1, momentum: 0.9 });
    for (let i = 0; i < 2; i++) { sgd.zeroGrad(); C.mul(q, 2).sum().backward(); sgd.step(); }
    // b1 = 2, q = 0.8; b2 = 0.9·2 + 2 = 3.8, q = 0.8 − 0.38 = 0.42
    expect(vals(q)[0]).toBeCloseTo(0.42, 12);
  });
  it('the fused Adam kernel equals the textbook update over several steps (weight decay, β₁ changing per step)', () => {
    const rng = new RNG(4);
    const p = C.randn([3, 4], { rng, dtype: 'float64', requiresGrad: true });
    const target = C.randn([3, 4], { rng, dtype: 'float64' });
    const opt = new Adam([p], { lr: 0.05, beta2: 0.99, eps: 1e-6, weightDecay: 0.1 });
    // reference on plain arrays
    const P = Array.from(p.dataSync()), T = Array.from(target.dataSync());
    const M = P.map(() => 0), V = P.map(() => 0);
    for (let t = 1; t <= 5; t++) {
      opt.momentum = 0.9 - 0.01 * t;
      opt.zeroGrad();
      C.sum(C.square(C.sub(p, target))).backward();
      opt.step();
      const b1 = 0.9 - 0.01 * t;
      for (let i = 0; i < P.length; i++) {
        const g = 2 * (P[i]! - T[i]!) + 0.1 * P[i]!;
        M[i] = b1 * M[i]! + (1 - b1) * g;
        V[i] = 0.99 * V[i]! + 0.01 * g * g;
        P[i] = P[i]! - (0.05 / (1 - b1 ** t)) * M[i]! / (Math.sqrt(V[i]!) / Math.sqrt(1 - 0.99 ** t) + 1e-6);
      }
    }
    Array.from(p.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(P[i]!, 12));
  });

  it('OneCycle follows PyTorch OneCycleLR (docs/math.md §8: pct 0.2, lr 2e-3 → 1e-4 … 5e-5, β₁ 0.95 ↔ 0.85)', () => {
    const p = tensor([1], undefined, { requiresGrad: true });
    const opt = new Adam([p], { lr: 2e-3 });
    const epochs = 100;
    const sched = new OneCycle(opt, { maxLr: 2e-3, totalSteps: epochs, pctStart: 0.2, divFactor: 2e-3 / 1e-4, finalDivFactor: 2e-3 / 1e-3 });
    expect(opt.lr).toBeCloseTo(1e-4, 12);
    expect(opt.momentum).toBeCloseTo(0.95, 12);
    const lrs = [opt.lr];
    const moms = [opt.momentum];
    for (let t = 1; t < epochs; t++) { sched.step(); lrs.push(opt.lr); moms.push(opt.momentum); }
    // the peak is at step pct·total − 1 = 19
    expect(lrs[19]).toBeCloseTo(2e-3, 12);
    expect(moms[19]).toBeCloseTo(0.85, 12);
    expect(Math.max(...lrs)).toBeCloseTo(2e-3, 12);
    expect(lrs[99]).toBeCloseTo(5e-5, 12);
    expect(moms[99]).toBeCloseTo(0.95, 12);
    // halfway up: cosine midpoint
    expect(lrs[19 / 2 | 0]).toBeGreaterThan(1e-4);
    const mid = sched.valuesAt(9.5);
    expect(mid.lr).toBeCloseTo((1e-4 + 2e-3) / 2, 12);
    sched.step();
    expect(() => sched.step()).toThrow(/beyond totalSteps/);
    expect(() => new OneCycle(opt, { maxLr: 1, totalSteps: 10, anneal: 'linear' } as never)).toThrow(/unknown option 'anneal'/);
  });
});

describe('a 2-layer MLP from these ops', () => {
  function mlp(rng: RNG, inDim: number, hidden: number, outDim: number) {
    const params = [
      C.randn([inDim, hidden], { rng, std: Math.sqrt(2 / inDim), requiresGrad: true }), C.zeros([hidden], { requiresGrad: true }),
      C.randn([hidden, outDim], { rng, std: Math.sqrt(1 / hidden), requiresGrad: true }), C.zeros([outDim], { requiresGrad: true }),
    ];
    const forward = (x: Tensor) => C.add(C.matmul(C.relu(C.add(C.matmul(x, params[0]!), params[1]!)), params[2]!), params[3]!);
    return { params, forward };
  }

  /** `steps` Adam steps on loss(net(X)); returns the last loss. */
  function fit(net: ReturnType<typeof mlp>, loss: (pred: Tensor) => Tensor, X: Tensor, lr: number, steps: number): number {
    const opt = new Adam(net.params, { lr });
    let last = Infinity;
    for (let i = 0; i < steps; i++) {
      last = tidy(() => { opt.zeroGrad(); const l = loss(net.forward(X)); l.backward(); opt.step(); return l.itemSync(); });
    }
    return last;
  }

  it('fits a noisy sine curve to MSE < 0.02 (noise variance 0.01)', () => {
    const rng = new RNG(7);
    const n = 128;
    const xs = Array.from({ length: n }, (_, i) => -Math.PI + (2 * Math.PI * i) / (n - 1));
    const X = tensor(xs, [n, 1]);
    const Y = tensor(xs.map((x) => Math.sin(x) + 0.1 * rng.normal()), [n, 1]);
    const net = mlp(rng, 1, 32, 1);
    expect(fit(net, (p) => C.mse(p, Y), X, 0.01, 1500)).toBeLessThan(0.02);
  });

  it('learns XOR to cross-entropy < 0.05', () => {
    const rng = new RNG(3);
    const X = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
    const Y = tensor([[0], [1], [1], [0]]);
    const net = mlp(rng, 2, 8, 1);
    expect(fit(net, (p) => C.bceWithLogits(p, Y), X, 0.05, 500)).toBeLessThan(0.05);
    const pred = C.noGrad(() => vals(net.forward(X)));
    expect(pred.map((z) => (z > 0 ? 1 : 0))).toEqual([0, 1, 1, 0]);
  });
});

describe('random', () => {
  it('same seed, same numbers; orthogonal init has orthonormal columns (or rows)', () => {
    expect(vals(C.randn([5], { rng: new RNG(9) }))).toEqual(vals(C.randn([5], { rng: new RNG(9) })));
    for (const [r, c] of [[7, 3], [3, 7], [5, 5]]) {
      const q = C.orthogonal([r, c], { rng: new RNG(1), dtype: 'float64' });
      const gram = r >= c ? C.matmul(q, q, { transposeA: true }) : C.matmul(q, q, { transposeB: true });
      const g = vals(gram), k = Math.min(r, c);
      for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) expect(g[i * k + j]).toBeCloseTo(i === j ? 1 : 0, 12);
    }
  });
});

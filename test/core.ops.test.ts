/**
 * Every differentiable op: a forward check against hand-computed values and a
 * float64 central-difference gradient check on random inputs, broadcasting included.
 */
import { describe, expect, it } from 'vitest';
import * as C from '@psilon/core';
import { checkGrad, RNG, tensor, type Tensor } from '@psilon/core';

const rng = new RNG(42);
const r64 = (shape: number[], lo = -1, hi = 1) => C.rand(shape, { rng, low: lo, high: hi, dtype: 'float64' });
const TOL = 1e-6;

function grad(fn: (...xs: Tensor[]) => Tensor, ...inputs: Tensor[]) {
  const res = checkGrad(fn, inputs);
  expect(res.maxRelError, JSON.stringify(res.worst)).toBeLessThan(TOL);
}
const vals = (t: Tensor) => Array.from(t.dataSync());

describe('forward values', () => {
  it('elementwise and broadcasting', () => {
    const a = tensor([[1, -2], [0, 4]]);
    const b = tensor([10, 20]);
    expect(vals(C.add(a, b))).toEqual([11, 18, 10, 24]);
    expect(vals(C.sub(a, 1))).toEqual([0, -3, -1, 3]);
    expect(vals(C.mul(2, a))).toEqual([2, -4, 0, 8]);
    expect(vals(C.div(a, b))).toEqual([0.1, -0.1, 0, 0.2].map(Math.fround));
    expect(vals(C.neg(a))).toEqual([-1, 2, -0, -4]);
    expect(vals(C.abs(a))).toEqual([1, 2, 0, 4]);
    expect(vals(C.sign(a))).toEqual([1, -1, 0, 1]);
    expect(vals(C.relu(a))).toEqual([1, 0, 0, 4]);
    expect(vals(C.maximum(a, 0))).toEqual([1, 0, 0, 4]);
    expect(vals(C.minimum(a, 0))).toEqual([0, -2, 0, 0]);
    expect(vals(C.square(a))).toEqual([1, 4, 0, 16]);
    expect(vals(C.pow(tensor([2, 3]), 3))).toEqual([8, 27]);
    expect(vals(C.sqrt(tensor([4, 9])))).toEqual([2, 3]);
    expect(vals(C.exp(tensor([0])))).toEqual([1]);
    expect(vals(C.log(tensor([1])))).toEqual([0]);
    expect(vals(C.greater(a, 0))).toEqual([1, 0, 0, 1]);
    expect(vals(C.lessEqual(a, 0))).toEqual([0, 1, 1, 0]);
    expect(vals(C.equal(a, tensor([1, 0])))).toEqual([1, 0, 0, 0]);
    expect(vals(C.where(C.greater(a, 0), a, tensor(-1)))).toEqual([1, -1, -1, 4]);
  });

  it('reductions, matmul, layout, indexing, softmax', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(vals(C.sum(x))).toEqual([21]);
    expect(vals(C.sum(x, 0))).toEqual([5, 7, 9]);
    expect(C.sum(x, 1, true).shape).toEqual([2, 1]);
    expect(vals(C.mean(x, -1))).toEqual([2, 5]);
    expect(vals(C.max(x, 1))).toEqual([3, 6]);
    expect(vals(C.min(x, 0))).toEqual([1, 2, 3]);
    expect(vals(C.matmul(x, x, { transposeB: true }))).toEqual([14, 32, 32, 77]);
    expect(vals(C.matmul(x, x, { transposeA: true }))).toEqual([17, 22, 27, 22, 29, 36, 27, 36, 45]);
    expect(vals(C.transpose(x))).toEqual([1, 4, 2, 5, 3, 6]);
    expect(C.reshape(x, [3, -1]).shape).toEqual([3, 2]);
    expect(vals(C.slice(x, [0, 1], [2, 2]))).toEqual([2, 3, 5, 6]);
    expect(vals(C.concat([x, x], 0))).toEqual([1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6]);
    expect(vals(C.gather(x, tensor([1, 1, 0])))).toEqual([4, 5, 6, 4, 5, 6, 1, 2, 3]);
    expect(vals(C.oneHot(tensor([2, 0]), 3))).toEqual([0, 0, 1, 1, 0, 0]);
    const sm = C.softmax(tensor([[0, Math.log(3)]], undefined, { dtype: 'float64' }));
    expect(vals(sm)[0]).toBeCloseTo(0.25, 12);
    const lsm = C.logSoftmax(tensor([[1000, 1000]], undefined, { dtype: 'float64' }));
    expect(vals(lsm)[0]).toBeCloseTo(-Math.LN2, 12);
  });

  it('losses', () => {
    const p = tensor([1, 2, 3], undefined, { dtype: 'float64' });
    const y = tensor([1, 0, 5], undefined, { dtype: 'float64' });
    expect(C.mse(p, y).itemSync()).toBeCloseTo(8 / 3, 12);
    const z = tensor([0, 100, -100], undefined, { dtype: 'float64' });
    const t = tensor([1, 1, 0], undefined, { dtype: 'float64' });
    expect(C.bceWithLogits(z, t).itemSync()).toBeCloseTo(Math.LN2 / 3, 12);
    const logits = tensor([[0, 0], [1000, 0]], undefined, { dtype: 'float64' });
    expect(C.softmaxCrossEntropy(logits, tensor([1, 0])).itemSync()).toBeCloseTo(Math.LN2 / 2, 12);
    expect(C.softmaxCrossEntropy(logits, tensor([[0, 1], [1, 0]], undefined, { dtype: 'float64' })).itemSync()).toBeCloseTo(Math.LN2 / 2, 12);
  });
});

describe('float64 finite-difference gradient checks', () => {
  const shapes: [number[], number[]][] = [[[3, 4], [3, 4]], [[3, 4], [4]], [[2, 1, 3], [4, 1]], [[5], []], [[1, 3], [2, 1]]];
  for (const [sa, sb] of shapes) {
    it(`binary ops broadcasting ${JSON.stringify(sa)} with ${JSON.stringify(sb)}`, () => {
      const a = r64(sa), b = r64(sb);
      grad(C.add, a, b);
      grad(C.sub, a, b);
      grad(C.mul, a, b);
      grad(C.div, a, r64(sb, 0.5, 2));
      grad(C.maximum, a, b);
      grad(C.minimum, a, b);
      grad(C.pow, r64(sa, 0.5, 2), r64(sb, -2, 2));
      grad((x, y) => C.where(C.greater(x, 0), x, y), a, b);
    });
  }
  it('unary ops', () => {
    const x = r64([4, 5]);
    for (const f of [C.neg, C.abs, C.relu, C.exp, C.square, C.sign]) grad(f, x);
    grad(C.log, r64([7], 0.2, 3));
    grad(C.sqrt, r64([7], 0.2, 3));
    grad(C.reciprocal, r64([7], 0.2, 3));
  });
  it('reductions over axes, with and without keepDims', () => {
    const x = r64([3, 4, 5]);
    for (const ax of [undefined, 0, 1, 2, [0, 2], -1] as (number | number[] | undefined)[]) {
      for (const keep of [false, true]) {
        grad((t) => C.sum(t, ax, keep), x);
        grad((t) => C.mean(t, ax, keep), x);
        grad((t) => C.max(t, ax, keep), x);
      }
    }
  });
  it('matmul in all transpose cases, odd shapes', () => {
    for (const [m, k, n] of [[1, 1, 1], [3, 5, 2], [7, 1, 4]]) {
      for (const ta of [false, true]) for (const tb of [false, true]) {
        const a = r64(ta ? [k, m] : [m, k]), b = r64(tb ? [n, k] : [k, n]);
        grad((x, y) => C.matmul(x, y, { transposeA: ta, transposeB: tb }), a, b);
      }
    }
  });
  it('layout and indexing ops', () => {
    const x = r64([3, 4, 2]);
    grad((t) => C.reshape(t, [4, 6]), x);
    grad((t) => C.transpose(t, [2, 0, 1]), x);
    grad((t) => C.slice(t, [1, 0, 1], [2, 3, 1]), x);
    grad((a, b) => C.concat([a, b], 1), x, r64([3, 2, 2]));
    grad((t) => C.gather(t, tensor([2, 0, 2], undefined, { dtype: 'float64' })), r64([3, 5]));
    grad((t) => C.broadcastTo(t, [4, 3, 5]), r64([3, 1]));
  });
  it('softmax family and losses', () => {
    const z = r64([4, 5], -3, 3);
    grad(C.softmax, z);
    grad(C.logSoftmax, z);
    const y = r64([4, 5]);
    grad((p) => C.mse(p, y), z);
    const t = r64([4, 5], 0, 1);
    grad((p) => C.bceWithLogits(p, t), z);
    grad((p) => C.softmaxCrossEntropy(p, tensor([0, 4, 2, 2])), z);
  });
});

describe('subgradient conventions at the kinks', () => {
  const g = (f: (t: Tensor) => Tensor, v: number[], other?: number[]) => {
    const x = tensor(v, undefined, { dtype: 'float64', requiresGrad: true });
    const o = other ? tensor(other, undefined, { dtype: 'float64', requiresGrad: true }) : undefined;
    const out = o ? C.sum(C.maximum(x, o)) : C.sum(f(x));
    out.backward();
    return [vals(x.grad!), o ? vals(o.grad!) : []];
  };
  it('sign(0) = 0, relu\'(0) = 0, abs\'(0) = 0, ties split ½-½', () => {
    expect(g(C.abs, [0, -2, 3])[0]).toEqual([0, -1, 1]);
    expect(g(C.relu, [0, -2, 3])[0]).toEqual([0, 0, 1]);
    expect(g(C.sign, [0, 1])[0]).toEqual([0, 0]);
    expect(g((t) => t, [1, 2, 3], [1, 5, 0])).toEqual([[0.5, 0, 1], [0.5, 1, 0]]);
    const x = tensor([2, 2, 1], undefined, { dtype: 'float64', requiresGrad: true });
    C.max(x).backward();
    expect(vals(x.grad!)).toEqual([0.5, 0.5, 0]);
  });
});

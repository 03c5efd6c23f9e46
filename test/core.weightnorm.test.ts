/** The fused weight-normalization custom ops: docs/math.md §10 oracle, gradient checks, tie rule, composite equivalence. */
import { describe, expect, it } from 'vitest';
import * as C from '@psilon/core';
import { checkGrad, pairWeightNorm, RNG, tensor, weightNorm, type Tensor } from '@psilon/core';

const f64 = (v: number[] | number[][], shape?: number[]) => tensor(v, shape, { dtype: 'float64' });

describe('weightNorm', () => {
  it('reproduces docs/math.md §10: W, ∂L/∂V, ∂L/∂g for shared g = 2', () => {
    const V = tensor([[1, -2], [0.5, 0], [-0.5, 1]], undefined, { dtype: 'float64', requiresGrad: true });
    const g = tensor([2], undefined, { dtype: 'float64', requiresGrad: true });
    const W = weightNorm(V, g);
    const want = [1, -1.333333, 0.5, 0, -0.5, 0.666667];
    Array.from(W.dataSync()).forEach((w, i) => expect(w).toBeCloseTo(want[i]!, 5));
    const G = f64([[1, 0.5], [-1, 2], [0.5, -1]]);
    C.sum(C.mul(W, G)).backward();
    const dV = [0.875, -0.111111, -1.125, 1.333333, 0.625, -0.222222];
    Array.from(V.grad!.dataSync()).forEach((d, i) => expect(d).toBeCloseTo(dV[i]!, 5));
    expect(g.grad!.itemSync()).toBeCloseTo(-0.541667, 5);
  });

  it('equals the composite g·V/Σ|V| and passes float64 gradient checks (L1, L2, shared, unshared, g = 0 included)', () => {
    const rng = new RNG(1);
    for (const [i, o] of [[1, 1], [5, 3], [7, 8]]) for (const kind of ['l1', 'l2'] as const) for (const shared of [true, false]) {
      const V = C.randn([i!, o!], { rng, dtype: 'float64' });
      const g = C.randn(shared ? [1] : [o!], { rng, dtype: 'float64' });
      const composite = (v: Tensor, gg: Tensor) => {
        const n = kind === 'l1' ? C.sum(C.abs(v), 0, true) : C.sqrt(C.sum(C.square(v), 0, true));
        return C.div(C.mul(v, gg), n);
      };
      const fused = weightNorm(V, g, { kind });
      const comp = composite(V, g);
      Array.from(fused.dataSync()).forEach((x, k) => expect(x).toBeCloseTo(comp.dataSync()[k]!, 12));
      expect(checkGrad((v, gg) => weightNorm(v, gg, { kind }), [V, g]).maxRelError).toBeLessThan(1e-6);
      expect(checkGrad((v, gg) => weightNorm(v, gg, { kind }), [V, C.zeros(g.shape, { dtype: 'float64' })]).maxRelError).toBeLessThan(1e-6);
    }
  });

  it('rejects bad shapes and options clearly', () => {
    expect(() => weightNorm(f64([1, 2]), f64([1]))).toThrow(/V must be 2-D \[in, out\], got \[2\]/);
    expect(() => weightNorm(f64([[1, 2]]), f64([1, 2, 3]))).toThrow(/g must have 1 element .* shape \[2\]/);
    expect(() => weightNorm(f64([[1, 2]]), f64([1]), { kind: 'l3' } as never)).toThrow(/unknown norm 'l3'/);
    expect(() => weightNorm(f64([[1, 2]]), f64([1]), { norm: 'l2' } as never)).toThrow(/unknown option 'norm'/);
  });
});

describe('pairWeightNorm (CReLU, docs/math.md §5)', () => {
  it('one normalizer from max(|V⁺|, |V⁻|): W̃ columns have L1 norm |g|', () => {
    const rng = new RNG(2);
    const vp = C.randn([6, 4], { rng, dtype: 'float64' }), vn = C.randn([6, 4], { rng, dtype: 'float64' });
    const g = f64([-1.5]);
    const [wp, wn] = pairWeightNorm(vp, vn, g);
    const wt = C.maximum(C.abs(wp), C.abs(wn));
    Array.from(C.sum(wt, 0).dataSync()).forEach((s) => expect(s).toBeCloseTo(1.5, 12));
  });

  it('gradient checks on random inputs, L1 and L2, shared and unshared', () => {
    const rng = new RNG(3);
    for (const kind of ['l1', 'l2'] as const) for (const shared of [true, false]) {
      const vp = C.randn([5, 3], { rng, dtype: 'float64' }), vn = C.randn([5, 3], { rng, dtype: 'float64' });
      const g = C.randn(shared ? [1] : [3], { rng, dtype: 'float64' });
      const f = (a: Tensor, b: Tensor, gg: Tensor) => C.concat(pairWeightNorm(a, b, gg, { kind }), 0);
      expect(checkGrad(f, [vp, vn, g]).maxRelError).toBeLessThan(1e-6);
    }
  });

  it('ties (V⁻ a copy of V⁺, as at init) split the normalizer gradient ½-½, as autodiff through maximum does', () => {
    const rng = new RNG(4);
    const v = C.randn([4, 3], { rng, dtype: 'float64' });
    const G = [C.randn([4, 3], { rng, dtype: 'float64' }), C.randn([4, 3], { rng, dtype: 'float64' })];
    const g0 = f64([0.7, -1.2, 2]);
    const grads = (useFused: boolean) => {
      const a = tensor(v.dataSync(), [4, 3], { dtype: 'float64', requiresGrad: true });
      const b = tensor(v.dataSync(), [4, 3], { dtype: 'float64', requiresGrad: true });
      const g = tensor(g0.dataSync(), [3], { dtype: 'float64', requiresGrad: true });
      const [wp, wn] = useFused ? pairWeightNorm(a, b, g) : (() => {
        const n = C.sum(C.maximum(C.abs(a), C.abs(b)), 0, true);
        return [C.div(C.mul(a, g), n), C.div(C.mul(b, g), n)];
      })();
      C.add(C.sum(C.mul(wp, G[0]!)), C.sum(C.mul(wn, G[1]!))).backward();
      return [a, b, g].map((t) => Array.from(t.grad!.dataSync()));
    };
    const fused = grads(true), auto = grads(false);
    fused.forEach((arr, i) => arr.forEach((x, k) => expect(x).toBeCloseTo(auto[i]![k]!, 12)));
  });
});

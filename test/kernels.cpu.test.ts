import { describe, expect, it } from 'vitest';
import { CpuBackend, binaryFn, broadcastShapes, matmulInto, type BinaryOp } from '@psilon/kernels';
import { relErr, rng, uniform } from './helpers/random.js';

const cpu = new CpuBackend();

/** The naive triple loop: the textbook definition the fast kernel must match. */
function naiveMatmul(a: Float64Array, b: Float64Array, m: number, k: number, n: number, ta: boolean, tb: boolean): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (ta ? a[p * m + i]! : a[i * k + p]!) * (tb ? b[j * k + p]! : b[p * n + j]!);
      c[i * n + j] = s;
    }
  return c;
}

describe('cpu matmul', () => {
  const shapes: [number, number, number][] = [[1, 1, 1], [7, 5, 3], [33, 17, 9], [5, 257, 6], [64, 64, 64], [3, 300, 2], [130, 7, 131], [9, 300, 11], [16, 520, 3]];
  for (const [m, k, n] of shapes) {
    for (const ta of [false, true]) for (const tb of [false, true]) {
      it(`${m}x${k}x${n} transA=${ta} transB=${tb} matches the naive loop (f64 and f32)`, () => {
        const r = rng(m * 1000 + k * 10 + n);
        const a = uniform(r, m * k), b = uniform(r, k * n);
        const ref = naiveMatmul(a, b, m, k, n, ta, tb);
        const c64 = new Float64Array(m * n);
        matmulInto(a, b, c64, m, k, n, ta, tb);
        expect(relErr(c64, ref)).toBeLessThan(1e-12);
        const out = cpu.readSync(cpu.matmul(cpu.upload(a, 'float32'), cpu.upload(b, 'float32'), m, k, n, ta, tb));
        expect(relErr(out, ref)).toBeLessThan(1e-5);
      });
    }
  }
});

describe('cpu elementwise, reduce, layout kernels', () => {
  it('binary broadcasting agrees with an index-by-index reference', () => {
    const r = rng(1);
    const cases: [number[], number[]][] = [[[3, 4], [4]], [[2, 1, 5], [3, 1]], [[1], [7, 2]], [[], [3]], [[4, 1], [1, 6]]];
    for (const [as, bs] of cases) {
      const os = broadcastShapes(as, bs);
      const a = uniform(r, as.reduce((x, y) => x * y, 1)), b = uniform(r, bs.reduce((x, y) => x * y, 1));
      for (const op of ['add', 'sub', 'mul', 'div', 'maximum', 'winShare', 'greater'] as BinaryOp[]) {
        const got = cpu.readSync(cpu.binary(op, cpu.upload(a, 'float64'), as, cpu.upload(b, 'float64'), bs, os));
        // reference: explicit coordinate mapping
        const total = os.reduce((x, y) => x * y, 1);
        for (let f = 0; f < total; f++) {
          const coord: number[] = [];
          let rem = f;
          for (let ax = os.length - 1; ax >= 0; ax--) { coord.unshift(rem % os[ax]!); rem = Math.floor(rem / os[ax]!); }
          const at = (sh: number[]) => { let o = 0; const off = os.length - sh.length; sh.forEach((d, i) => { o = o * d + (d === 1 ? 0 : coord[off + i]!); }); return o; };
          expect(got[f]).toBe(binaryFn[op](a[at(as)]!, b[at(bs)]!));
        }
      }
    }
  });

  it('reduce sums and maxes over any axes', () => {
    const x = Float64Array.from({ length: 24 }, (_, i) => (i * 7) % 11);
    const s = cpu.readSync(cpu.reduce('sum', cpu.upload(x, 'float64'), [2, 3, 4], [1]));
    // out[i,k] = Σ_j x[i,j,k]
    const ref: number[] = [];
    for (let i = 0; i < 2; i++) for (let k = 0; k < 4; k++) { let t = 0; for (let j = 0; j < 3; j++) t += x[i * 12 + j * 4 + k]!; ref.push(t); }
    expect(Array.from(s)).toEqual(ref);
    const m = cpu.readSync(cpu.reduce('max', cpu.upload(x, 'float64'), [2, 3, 4], [0, 2]));
    const refm = [0, 1, 2].map((j) => Math.max(...[0, 1].flatMap((i) => [0, 1, 2, 3].map((k) => x[i * 12 + j * 4 + k]!))));
    expect(Array.from(m)).toEqual(refm);
  });

  it('strided (transpose), pad, concat, gather, scatter, oneHot, softmax', () => {
    const x = Float64Array.from({ length: 6 }, (_, i) => i + 1); // [[1,2,3],[4,5,6]]
    const X = cpu.upload(x, 'float64');
    expect(Array.from(cpu.readSync(cpu.strided(X, [3, 2], [1, 3], 0)))).toEqual([1, 4, 2, 5, 3, 6]);
    expect(Array.from(cpu.readSync(cpu.pad(X, [2, 3], [1, 0], [3, 4])))).toEqual([0, 0, 0, 0, 1, 2, 3, 0, 4, 5, 6, 0]);
    expect(Array.from(cpu.readSync(cpu.concat([X, X], [[2, 3], [2, 3]], 1)))).toEqual([1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6]);
    const idx = cpu.upload([1, 0, 1], 'float64');
    expect(Array.from(cpu.readSync(cpu.gatherRows(X, 2, 3, idx)))).toEqual([4, 5, 6, 1, 2, 3, 4, 5, 6]);
    const g = cpu.upload([1, 1, 1, 2, 2, 2, 3, 3, 3], 'float64');
    expect(Array.from(cpu.readSync(cpu.scatterAddRows(g, 2, 3, idx)))).toEqual([2, 2, 2, 4, 4, 4]);
    expect(Array.from(cpu.readSync(cpu.oneHot(idx, 3, 'float64')))).toEqual([0, 1, 0, 1, 0, 0, 0, 1, 0]);
    expect(() => cpu.oneHot(cpu.upload([3], 'float64'), 3, 'float64')).toThrow(/out of range/);
    const sm = cpu.readSync(cpu.softmax(cpu.upload([1000, 1001, 0, 0], 'float64'), 2, 2, false));
    expect(sm[0]).toBeCloseTo(1 / (1 + Math.E), 12);
    expect(sm[2]).toBeCloseTo(0.5, 12);
  });
});

describe('cpu fused weight normalization', () => {
  it('reproduces docs/math.md §10 (forward, ∂L/∂V, ∂L/∂g)', () => {
    const V = cpu.upload([1, -2, 0.5, 0, -0.5, 1], 'float64');
    const g = cpu.upload([2], 'float64');
    const spec = { inDim: 3, outDim: 2, kind: 'l1' as const, shared: true };
    const { w, norms } = cpu.weightNorm([V], g, spec);
    expect(Array.from(cpu.readSync(norms))).toEqual([2, 3]);
    const W = cpu.readSync(w[0]!);
    [1, -4 / 3, 0.5, 0, -0.5, 2 / 3].forEach((e, i) => expect(W[i]).toBeCloseTo(e, 12));
    const G = cpu.upload([1, 0.5, -1, 2, 0.5, -1], 'float64');
    const { dv, dg } = cpu.weightNormBackward([G], [V], g, norms, spec);
    const dV = cpu.readSync(dv[0]!);
    [0.875, -0.111111, -1.125, 1.333333, 0.625, -0.222222].forEach((e, i) => expect(dV[i]).toBeCloseTo(e, 5));
    expect(cpu.readSync(dg)[0]).toBeCloseTo(-0.541667, 5);
  });
});

/**
 * Every kernel of every backend (helpers/backends.ts) against the float64 CPU
 * backend on fresh random inputs of several shapes (odd sizes included), the
 * buffer contract every backend keeps, and the 1,000-call memory test.
 */
import { expect } from 'vitest';
import { CpuBackend, type Backend, type BackendBuffer, type Shape, sizeOf, broadcastShapes, UNARY_OPS, BINARY_OPS, type UnaryOp, type BinaryOp } from '@psilon/kernels';
import { relErr, rng, uniform } from './helpers/random.js';
import { describeBackends } from './helpers/backends.js';

const TOL = 2e-5; // float32 vs float64, normalized by the result's magnitude
const ref = new CpuBackend();

/** Optional hooks some backends have: wait for queued work, count device buffers, heap size. */
type Extras = { settle?: () => Promise<void>; deviceBuffers?: () => number; heapBytes?: () => number };

describeBackends('kernels vs float64 cpu', (it) => {
  let gb!: Backend;
  const up = (x: Float64Array) => ({ g: gb!.upload(x, 'float32'), r: ref.upload(Float32Array.from(x), 'float64') });
  async function same(g: BackendBuffer, r: BackendBuffer, tol = TOL, floor = 1e-30) {
    const a = await gb!.read(g);
    const b = ref.readSync(r);
    expect(a.length).toBe(b.length);
    expect(relErr(a, b, floor)).toBeLessThan(tol);
    gb!.free(g);
  }

  it('starts and names what runs', (be) => {
    gb = be;
    expect(be.description).toContain(be.name);
  });

  it('unary and binary ops with broadcasting', async (be) => {
    gb = be;
    const r = rng(11);
    for (const n of [1, 7, 33, 257, 70001]) {
      const x = uniform(r, n, 0.1, 2);
      const { g, r: rr } = up(x);
      for (const op of Object.keys(UNARY_OPS) as UnaryOp[]) await same(gb.unary(op, g), ref.unary(op, rr));
      gb.free(g);
    }
    const cases: [Shape, Shape][] = [[[7, 5], [5]], [[3, 1, 4], [2, 1]], [[], [33]], [[1, 6], [5, 1]], [[257], [257]], [[300, 257], [257]], [[300, 1], [300, 257]], [[2, 3, 5, 7], [3, 1, 7]]];
    for (const [as, bs] of cases) {
      const os = broadcastShapes(as, bs);
      const A = up(uniform(r, sizeOf(as), 0.5, 2)), B = up(uniform(r, sizeOf(bs), 0.5, 2));
      for (const op of Object.keys(BINARY_OPS) as BinaryOp[]) {
        await same(gb.binary(op, A.g, as, B.g, bs, os), ref.binary(op, A.r, as, B.r, bs, os));
      }
      // ties: equal inputs exercise the ½ share and the comparisons at equality
      await same(gb.binary('winShare', A.g, as, A.g, as, as), ref.binary('winShare', A.r, as, A.r, as, as));
      const C = up(Float64Array.from({ length: sizeOf(os) }, (_, i) => i % 2));
      await same(gb.where(C.g, os, A.g, as, B.g, bs, os), ref.where(C.r, os, A.r, as, B.r, bs, os));
      for (const b of [A.g, B.g, C.g]) gb.free(b);
    }
  });

  it('matmul in all four transpose cases, odd and skinny shapes', async (be) => {
    gb = be;
    const r = rng(5);
    const shapes: [number, number, number][] = [[1, 1, 1], [7, 33, 5], [33, 257, 7], [2, 300, 3], [64, 64, 64], [130, 70, 300], [5, 600, 261], [3, 4099, 2], [257, 1, 65]];
    if (gb.name !== 'gpujs') shapes.push([0, 3, 4], [3, 0, 4]); // gpu.js has no empty buffers
    for (const [m, k, n] of shapes) for (const ta of [false, true]) for (const tb of [false, true]) {
      const A = up(uniform(r, m * k)), B = up(uniform(r, k * n));
      await same(gb.matmul(A.g, B.g, m, k, n, ta, tb), ref.matmul(A.r, B.r, m, k, n, ta, tb), 1e-4);
      gb.free(A.g); gb.free(B.g);
    }
  });

  it('reductions, layout kernels, gather/scatter, softmax', async (be) => {
    gb = be;
    const r = rng(9);
    const shape = [3, 7, 5];
    const X = up(uniform(r, 105));
    for (const axes of [[0], [1], [2], [0, 2], [0, 1, 2]]) for (const op of ['sum', 'max'] as const) {
      await same(gb.reduce(op, X.g, shape, axes), ref.reduce(op, X.r, shape, axes));
    }
    // long reduced axes (one workgroup per output on webgpu) and a reduction over everything
    const Z = up(uniform(r, 2 * 700 * 3));
    for (const axes of [[1], [0, 1], [1, 2], [0, 1, 2]]) for (const op of ['sum', 'max'] as const) {
      await same(gb.reduce(op, Z.g, [2, 700, 3], axes), ref.reduce(op, Z.r, [2, 700, 3], axes));
      await same(gb.reduce(op, Z.g, [6, 700], [1]), ref.reduce(op, Z.r, [6, 700], [1]));
    }
    gb.free(Z.g);
    await same(gb.strided(X.g, [5, 7, 3], [1, 5, 35], 0), ref.strided(X.r, [5, 7, 3], [1, 5, 35], 0));
    await same(gb.strided(X.g, [2, 3, 5], [35, 5, 1], 40), ref.strided(X.r, [2, 3, 5], [35, 5, 1], 40));
    await same(gb.pad(X.g, shape, [1, 0, 2], [5, 8, 9]), ref.pad(X.r, shape, [1, 0, 2], [5, 8, 9]));
    const Y = up(uniform(r, 3 * 2 * 5));
    await same(gb.concat([X.g, Y.g], [shape, [3, 2, 5]], 1), ref.concat([X.r, Y.r], [shape, [3, 2, 5]], 1));
    const I = up(Float64Array.from([2, 0, 2, 1]));
    await same(gb.gatherRows(X.g, 3, 35, I.g), ref.gatherRows(X.r, 3, 35, I.r));
    const G = up(uniform(r, 4 * 35));
    await same(gb.scatterAddRows(G.g, 3, 35, I.g), ref.scatterAddRows(G.r, 3, 35, I.r));
    await same(gb.oneHot(I.g, 3, 'float32'), ref.oneHot(I.r, 3, 'float64'));
    const L = up(uniform(r, 7 * 33, -20, 20));
    for (const log of [false, true]) await same(gb.softmax!(L.g, 7, 33, log), ref.softmax(L.r, 7, 33, log));
    for (const b of [X.g, Y.g, I.g, G.g, L.g]) gb.free(b);
  });

  it('fused weight normalization forward and backward (L1/L2, shared/unshared, single/CReLU pair)', async (be) => {
    gb = be;
    const r = rng(3);
    for (const [inDim, outDim] of [[1, 1], [7, 3], [33, 257], [200, 7], [600, 130]] as const) {
      for (const kind of ['l1', 'l2'] as const) for (const shared of [true, false]) for (const pairN of [1, 2]) {
        const spec = { inDim, outDim, kind, shared };
        const V = Array.from({ length: pairN }, () => up(uniform(r, inDim * outDim)));
        if (pairN === 2) { // plant exact ties so the ½-½ rule is exercised
          const x = uniform(r, inDim * outDim);
          V[0] = up(x);
          V[1] = up(x.map((v, i) => (i % 3 === 0 ? -v : uniform(r, 1)[0]!)));
        }
        const g = up(uniform(r, shared ? 1 : outDim, 0.5, 2));
        const fg = gb.weightNorm!(V.map((v) => v.g), g.g, spec);
        const fr = ref.weightNorm(V.map((v) => v.r), g.r, spec);
        for (let t = 0; t < pairN; t++) await same(fg.w[t]!, fr.w[t]!);
        const G = Array.from({ length: pairN }, () => up(uniform(r, inDim * outDim)));
        const bg = gb.weightNormBackward!(G.map((x) => x.g), V.map((v) => v.g), g.g, fg.norms, spec);
        const br = ref.weightNormBackward(G.map((x) => x.r), V.map((v) => v.r), g.r, fr.norms, spec);
        // with inDim = 1 the exact ∂L/∂V is 0 (a 1-vector has no direction to move in): compare on the scale of g·G/n
        for (let t = 0; t < pairN; t++) await same(bg.dv[t]!, br.dv[t]!, 1e-4, 1);
        await same(bg.dg, br.dg, 1e-4, 1);
        await same(fg.norms, fr.norms);
        for (const b of [...V, ...G, g]) gb.free(b.g);
      }
    }
  });

  it('τ of the L1-sphere projection per column (pruning), with ties and columns summing below 1', async (be) => {
    gb = be;
    const r = rng(8);
    for (const [inDim, outDim] of [[1, 1], [7, 3], [33, 257], [300, 5]] as const) {
      const y = uniform(r, inDim * outDim, 0, 0.2);
      for (let i = 0; i < y.length; i += 5) y[i] = y[(i + outDim) % y.length]!; // ties within columns
      if (inDim > 1) for (let i = 0; i < inDim; i++) y[i * outDim] = 0.01; // column 0 sums below 1 when inDim < 100: τ < 0
      const Y = up(y);
      const got = gb.sphereTau!(Y.g, inDim, outDim), want = ref.sphereTau(Y.r, inDim, outDim);
      await same(got.tau, want.tau, 1e-5, 1e-3);
      await same(got.weight, want.weight);
      gb.free(Y.g);
    }
  });

  it('fused Adam step', async (be) => {
    gb = be;
    const r = rng(21);
    for (const n of [1, 7, 257, 70001]) {
      const [P, G, M] = [up(uniform(r, n)), up(uniform(r, n)), up(uniform(r, n))];
      const V = up(uniform(r, n, 0, 1));
      const h = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, bc1: 1 - 0.9 ** 3, bc2: 1 - 0.999 ** 3 };
      const og = gb.adamStep!(P.g, G.g, M.g, V.g, h), or = ref.adamStep(P.r, G.r, M.r, V.r, h);
      for (let k = 0; k < 3; k++) await same(og[k]!, or[k]!);
      if (gb.adamStepInPlace) { // the in-place form writes the same values over p, m and v
        gb.adamStepInPlace(P.g, G.g, M.g, V.g, h);
        for (const [k, b] of [P, M, V].entries()) await same(b.g, or[k]!);
        gb.free(G.g);
      } else for (const b of [P, G, M, V]) gb.free(b.g);
    }
  });

  it('every kernel called 1,000 times: live buffers, device buffers and heap return to where they were', async (be) => {
    gb = be;
    const g = be, x = be as Backend & Extras;
    const run = async (steps: number) => {
      const r = rng(1);
      const X = g.upload(uniform(r, 8 * 8), 'float32');
      const v = g.upload(uniform(r, 8 * 8), 'float32');
      const s1 = g.upload([1.5], 'float32');
      const idx = g.upload([0, 3, 3], 'float32');
      const spec = { inDim: 8, outDim: 8, kind: 'l1' as const, shared: true };
      let acc = g.upload(new Float32Array(64), 'float32');
      for (let i = 0; i < steps; i++) {
        const gathered = g.gatherRows(X, 8, 8, idx);
        const outs: BackendBuffer[] = [gathered,
          g.matmul(X, acc, 8, 8, 8, false, true), g.unary('relu', acc), g.binary('add', acc, [8, 8], s1, [1], [8, 8]),
          g.where(X, [8, 8], acc, [8, 8], X, [8, 8], [8, 8]), g.reduce('sum', acc, [8, 8], [0]), g.strided(acc, [8, 8], [1, 8], 0),
          g.pad(X, [8, 8], [1, 1], [9, 10]), g.concat([X, acc], [[8, 8], [8, 8]], 0),
          g.scatterAddRows(gathered, 8, 8, idx), g.oneHot(idx, 5, 'float32'), g.softmax!(acc, 8, 8, true), g.cast(acc, 'float32'),
        ];
        const f = g.weightNorm!([v], s1, spec);
        const b = g.weightNormBackward!([acc], [v], s1, f.norms, spec);
        outs.push(...f.w, f.norms, ...b.dv, b.dg, ...g.adamStep!(v, acc, X, X, { lr: 1e-3, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0, bc1: 0.1, bc2: 0.01 }));
        const next = g.binary('mul', outs[1]!, [8, 8], X, [8, 8], [8, 8]); // the matmul result
        for (const o of outs) g.free(o);
        g.free(acc);
        acc = g.unary('neg', next);
        g.free(next);
      }
      await g.read(acc);
      for (const b of [acc, X, v, s1, idx]) g.free(b);
    };
    await run(10); // warm-up: pools and caches reach their steady state
    await x.settle?.();
    const [live0, dev0, heap0] = [g.liveBuffers(), x.deviceBuffers?.(), x.heapBytes?.()];
    await run(1000);
    await x.settle?.();
    expect(g.liveBuffers()).toBe(live0);
    expect(x.deviceBuffers?.()).toBe(dev0);
    expect(x.heapBytes?.()).toBe(heap0);
  });

  it('changing shapes: a training-like loop over 40 shapes, 1,000 steps, reuses its memory', async (be) => {
    const x = be as Backend & Extras;
    const r = rng(4);
    const dims = Array.from({ length: 40 }, (_, i) => [3 + ((i * 37) % 61), 2 + ((i * 13) % 47)] as const);
    const step = (i: number) => {
      const [m, n] = dims[i % dims.length]!;
      const a = be.upload(uniform(r, m * n), 'float32'), b = be.upload(uniform(r, n * 5), 'float32');
      const c = be.matmul(a, b, m, n, 5, false, false);
      const d = be.reduce('sum', c, [m, 5], [0]);
      for (const t of [a, b, c, d]) be.free(t);
    };
    for (let i = 0; i < dims.length; i++) step(i);
    await x.settle?.();
    const [live0, heap0] = [be.liveBuffers(), x.heapBytes?.()];
    for (let i = 0; i < 1000; i++) step(i);
    await x.settle?.();
    expect(be.liveBuffers()).toBe(live0);
    expect(x.heapBytes?.()).toBe(heap0);
  });

  it('keeps the buffer contract: dtypes, foreign buffers, use after free, double free, index ranges, size limits', (be) => {
    if (!be.supportsDType('float64')) expect(() => be.upload([1], 'float64')).toThrow(/float64.*not supported/);
    if (be.name !== 'cpu') expect(() => be.unary('neg', ref.upload([1], 'float64'))).toThrow(/backend 'cpu'/);
    const b = be.upload([1], 'float32');
    be.free(b);
    expect(() => be.unary('neg', b)).toThrow(/after it was freed/);
    expect(() => be.free(b)).toThrow(/freed twice/);
    if (be.synchronous) {
      const x = be.upload([1, 2, 3, 4], 'float32');
      for (const bad of [[2], [-1], [0.5]]) {
        const idx = be.upload(bad, 'float32');
        expect(() => be.gatherRows(x, 2, 2, idx)).toThrow(/gather: index .* out of range \[0, 2\)/);
        expect(() => be.scatterAddRows(x, 2, 2, idx)).toThrow(/scatterAdd: index .* out of range \[0, 2\)/);
        be.free(idx);
      }
      be.free(x);
    }
    if (be.name === 'gpujs') expect(() => be.fill(5_000_000, 0, 'float32')).toThrow(/limit/);
    if (be.name === 'wasm') expect(() => be.fill(2 ** 31, 0, 'float32')).toThrow(/heap is limited to 4 GiB/);
  });
});

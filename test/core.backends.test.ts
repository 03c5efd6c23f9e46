/**
 * The same op graphs, forward and backward, on every backend that starts here
 * (helpers/backends.ts; gpujs webgpu runs over the software Vulkan driver in CI),
 * compared with the float64 cpu results. The float64 gradient checks of
 * core.ops.test.ts establish that the cpu float64 gradients are right.
 */
import { expect } from 'vitest';
import * as C from '@psilon/core';
import { CpuBackend, RNG, tensor, tidy, type Backend, type Tensor } from '@psilon/core';
import { relErr } from './helpers/random.js';
import { describeBackends, TRAINING_BACKENDS } from './helpers/backends.js';

type Graph = { name: string; shapes: number[][]; f: (...xs: Tensor[]) => Tensor; positive?: boolean };
const graphs: Graph[] = [
  { name: 'broadcast arithmetic', shapes: [[7, 5], [5], [7, 1]], f: (a, b, c) => C.div(C.mul(C.sub(a, b), c), C.add(C.square(b), 1)) },
  { name: 'unary chain', shapes: [[33]], f: (a) => C.add(C.add(C.relu(a), C.abs(a)), C.add(C.exp(C.neg(a)), C.sqrt(C.add(C.square(a), 1)))) },
  { name: 'max/min ties and where', shapes: [[6, 4], [4]], f: (a, b) => C.where(C.greater(a, 0), C.maximum(a, b), C.minimum(a, C.mul(b, 2))) },
  { name: 'reductions', shapes: [[3, 7, 5]], f: (a) => C.add(C.sum(C.max(a, 1), 1, true), C.mean(a, [0, 2])) },
  { name: 'matmul transposes', shapes: [[5, 7], [9, 7], [9, 3]], f: (a, b, c) => C.matmul(C.matmul(a, b, { transposeB: true }), c) },
  { name: 'matmul Aᵀ', shapes: [[7, 5], [7, 3]], f: (a, b) => C.matmul(a, b, { transposeA: true }) },
  { name: 'layout', shapes: [[3, 4, 2], [3, 2, 2]], f: (a, b) => C.transpose(C.concat([C.slice(a, [0, 1, 0], [3, 2, 2]), b], 1), [2, 0, 1]) },
  { name: 'gather', shapes: [[5, 3]], f: (a) => C.gather(a, tensor([4, 0, 4, 2], undefined, { backend: a.backend, dtype: a.dtype })) },
  { name: 'softmax family', shapes: [[4, 9]], f: (a) => C.add(C.softmax(a), C.logSoftmax(a)) },
  { name: 'losses', shapes: [[6, 3], [6, 3]], f: (a, b) => C.add(C.add(C.mse(a, b), C.bceWithLogits(a, C.step(b))), C.softmaxCrossEntropy(a, C.softmax(b))) },
];

const ref = new CpuBackend();

describeBackends('core ops vs float64 cpu', (it) => {
  for (const g of graphs) {
    it(g.name, async (be) => {
      const rng = new RNG(g.name.length);
      const data = g.shapes.map((s) => Float64Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => rng.uniform() * 2 - 1));
      const run = async (backend: Backend, dtype: 'float32' | 'float64') => {
        const xs = data.map((d, i) => tensor(d, g.shapes[i], { backend, dtype, requiresGrad: true }));
        const out = tidy(() => { const out = g.f(...xs); C.sum(C.mul(out, out)).backward(); return out; });
        const res = { out: await out.data(), grads: await Promise.all(xs.map((x) => x.grad!.data())) };
        for (const t of [out, ...xs]) t.dispose();
        return res;
      };
      const want = await run(ref, 'float64');
      const before = be.liveBuffers();
      const got = await run(be, 'float32');
      expect(relErr(got.out, want.out)).toBeLessThan(1e-5);
      got.grads.forEach((gr, i) => expect(relErr(gr, want.grads[i]!), `grad of input ${i}`).toBeLessThan(1e-4));
      expect(be.liveBuffers()).toBe(before);
    });
  }
}, TRAINING_BACKENDS);

describeBackends('memory', (it) => {
  it('tidy frees everything but its result; 1,000 training steps grow neither the live buffers nor the heap', async (be) => {
    const prev = C.setBackend(be);
    try {
      const rng = new RNG(0);
      const w = C.randn([8, 4], { rng, requiresGrad: true });
      const b = C.zeros([4], { requiresGrad: true });
      const X = C.randn([16, 8], { rng });
      const Y = C.randn([16, 4], { rng });
      const opt = new C.Adam([w, b], { lr: 1e-2 });
      const step = async () => {
        const loss = tidy(() => {
          opt.zeroGrad();
          const loss = C.mse(C.add(C.matmul(X, w), b), Y);
          loss.backward();
          opt.step();
          return loss;
        });
        const v = (await loss.data())[0]!;
        loss.dispose();
        return v;
      };
      const extras = be as Backend & { settle?: () => Promise<void>; heapBytes?: () => number };
      for (let i = 0; i < 5; i++) await step();
      await extras.settle?.();
      const [live0, heap0] = [be.liveBuffers(), extras.heapBytes?.()];
      let last = 0;
      for (let i = 0; i < 1000; i++) last = await step();
      await extras.settle?.();
      expect(be.liveBuffers()).toBe(live0);
      expect(extras.heapBytes?.()).toBe(heap0);
      expect(last).toBeLessThan(1);
      for (const t of [w, b, X, Y]) t.dispose();
    } finally {
      C.setBackend(prev);
    }
  });
}, TRAINING_BACKENDS);

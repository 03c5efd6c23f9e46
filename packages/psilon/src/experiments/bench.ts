/** A quick kernel benchmark on the active backend (the full one with peers is bench/ in the repo). */
import * as C from '@psilon/core';
import type { Table } from './report.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * Times C = A·B at each square size and the fused L1 weight normalization
 * (forward + backward) at the MLP shape 500×500: correctness gate against a
 * float64 CPU result first, warm-up, median of 7 runs, read-back included.
 */
export async function runBench(sizes: number[], seed = 0): Promise<Table> {
  const rng = new C.RNG(seed);
  const be = C.getBackend();
  const ref = new C.CpuBackend();
  const rows: (string | number)[][] = [];
  const time = async (f: () => C.Tensor): Promise<number> => {
    const ts: number[] = [];
    for (let r = 0; r < 9; r++) {
      const t0 = performance.now();
      const out = f();
      await out.data();
      ts.push(performance.now() - t0);
      out.dispose();
    }
    return median(ts.slice(2)); // two warm-up runs
  };
  for (const n of sizes) {
    const a = C.rand([n, n], { rng, low: -1, high: 1 }), b = C.rand([n, n], { rng, low: -1, high: 1 });
    const got = await C.matmul(a, b).data();
    const want = ref.readSync(ref.matmul(ref.upload(await a.data(), 'float64'), ref.upload(await b.data(), 'float64'), n, n, n, false, false));
    let err = 0, mx = 0;
    for (let i = 0; i < got.length; i++) { err = Math.max(err, Math.abs(got[i]! - want[i]!)); mx = Math.max(mx, Math.abs(want[i]!)); }
    if (err / mx > 1e-4) throw new Error(`bench: matmul ${n} is wrong on ${be.description} (relative error ${err / mx})`);
    const ms = await time(() => C.matmul(a, b));
    rows.push([`matmul ${n}×${n}·${n}×${n}`, ms, (2 * n ** 3) / ms / 1e6]);
    a.dispose(); b.dispose();
  }
  const v = C.orthogonal([500, 500], { rng, requiresGrad: true }), g = C.ones([1], { requiresGrad: true });
  const G = C.rand([500, 500], { rng });
  const ms = await time(() => C.tidy(() => {
    const w = C.weightNorm(v, g);
    C.sum(C.mul(w, G)).backward();
    return C.keep(v.grad!.detach());
  }));
  rows.push(['L1 weight norm fwd+bwd 500×500', ms, '—']);
  return { headers: ['kernel', 'median ms', 'GFLOP/s'], rows };
}

/** `psilon bench`: time matmul and fused L1 weight normalization on one backend. */
import { runBench, textTable } from '../experiments/index.js';
import { HELP, num, UsageError, type CommandDecl } from './args.js';
import { BACKEND_OPTIONS, threadsOf, withBackend } from './backend.js';
import { say } from './io.js';

/** The largest square matmul size `--sizes` accepts (three n×n float32 matrices: 3·4·n² bytes). */
export const MAX_BENCH_SIZE = 8192;

export const benchCommand: CommandDecl = {
  name: 'bench',
  synopsis: '[options]',
  summary: 'time matmul and fused L1 weight normalization on one backend',
  description: "The full comparison with tfjs peers is 'pnpm bench' (the bench/ package).",
  options: {
    sizes: { arg: '<list>', default: '64,128,256,512', help: `square matmul sizes, comma-separated, each ≤ ${MAX_BENCH_SIZE}` },
    ...BACKEND_OPTIONS,
    seed: { arg: '<n>', default: '0', help: 'seed of the random inputs' },
    ...HELP,
  },
  async run(o, _p, io) {
    const sizes = String(o.sizes).split(',').map((s) => num('sizes', s, { int: true, min: 1 }));
    const big = sizes.find((s) => s > MAX_BENCH_SIZE);
    if (big !== undefined) throw new UsageError(`--sizes: ${big} is over the largest size ${MAX_BENCH_SIZE}`);
    const seed = num('seed', o.seed, { int: true });
    threadsOf(o);
    await withBackend(o, async (backend) => {
      say(io, `backend: ${backend.description}`);
      say(io, textTable(await runBench(sizes, seed)));
    });
  },
};

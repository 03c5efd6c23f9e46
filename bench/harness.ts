/**
 * Timing harness (DESIGN.md "Benchmarks"): a correctness gate before timing,
 * inputs alternated between two sets, warm-up, median of ≥ 7 runs, read-back
 * included in every timing, and the row names what actually ran.
 */

/** One measured row. */
export interface Row {
  kernel: string;
  shape: string;
  runner: string;
  medianMs: number;
  /** GFLOP/s for compute kernels, GB/s for memory-bound ones. */
  rate: number;
  unit: 'GFLOP/s' | 'GB/s';
  maxRelError: number;
}

/** A thing that can run a kernel on one of two prepared input sets and return the result on the host. */
export interface Case {
  /** Runs on input set i ∈ {0, 1} and resolves with the host result. */
  run(i: 0 | 1): Promise<ArrayLike<number>>;
  /** The float64 reference result for input set i. */
  reference(i: 0 | 1): ArrayLike<number>;
  dispose?(): void;
}

/** max|out − ref| / max|ref| (DESIGN.md's normalized error). */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= Infinity)) return Infinity;
    num = Math.max(num, d);
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / Math.max(den, 1e-30);
}

/** n values in [−1, 1) from a seeded generator (the same inputs on every run and runner). */
export function seeded(n: number, seed: number): Float64Array {
  let s = seed >>> 0;
  return Float64Array.from({ length: n }, () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/** The median of a non-empty list (the upper middle value for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * Gate, then time: throws when the result is off by more than `tol`, else
 * returns the median of `runs` timed runs after `warmup` untimed ones.
 */
export async function measure(c: Case, opts: { tol: number; warmup?: number; runs?: number; budgetMs?: number }): Promise<{ medianMs: number; err: number }> {
  const err = Math.max(relErr(await c.run(0), c.reference(0)), relErr(await c.run(1), c.reference(1)));
  if (!(err <= opts.tol)) throw new Error(`correctness gate failed: relative error ${err} > ${opts.tol}`);
  // warm-up: at least `warmup` runs and 200 ms, so the JIT has tiered up before timing
  const warmStart = performance.now();
  for (let w = 0; w < (opts.warmup ?? 2) || performance.now() - warmStart < 200; w++) await c.run((w % 2) as 0 | 1);
  const times: number[] = [];
  const runs = opts.runs ?? 7;
  const start = performance.now();
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    await c.run((r % 2) as 0 | 1);
    times.push(performance.now() - t0);
    // slow runners stop early (still ≥ 3 runs) so the whole bench fits in minutes
    if (r >= 2 && opts.budgetMs !== undefined && performance.now() - start > opts.budgetMs) break;
  }
  return { medianMs: median(times), err };
}

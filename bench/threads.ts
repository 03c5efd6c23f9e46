/**
 * `pnpm --filter benchmark threads`: do two threads of the `wasm` backend never
 * lose to one? For each step configuration of the issue (tabular 13→500×3→1,
 * batch 400; small ResNet 784→64×3, batch 200; the builders of steps.ts) it runs
 * repeated rounds, one thread and two alternating in order within each round,
 * and prints each round's medians and the ratio two/one; the check passes when
 * every round's ratio is ≤ 1 (+ `--slack`, default 0). Correctness first: both
 * thread counts must give the same objectives, bit for bit (every split is by
 * rows or columns, so each element is computed the same way).
 *
 * `--crossover` instead measures what the size thresholds rest on: the cost of
 * one hand-off (a tiny kernel forced onto the workers) and, for matmul and
 * elementwise ops with the thresholds off, the ratio two/one across sizes.
 *
 *   pnpm --filter benchmark threads [--rounds=5] [--steps=15] [--slack=0.05] [--crossover]
 */
import { WasmBackend, type Backend } from '@psilon/kernels';
import { median, seeded } from './harness.js';
import { psilonSteps, STEP_CONFIGS } from './steps.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => Number(args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt);
const rounds = opt('rounds', 5), steps = opt('steps', 15), slack = opt('slack', 0);

/** Median milliseconds of `reps` calls of `f` after `warm` untimed ones. */
function time(f: () => void, reps: number, warm = 5): number {
  for (let i = 0; i < warm; i++) f();
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) { const t0 = performance.now(); f(); ms.push(performance.now() - t0); }
  return median(ms);
}

async function crossover(): Promise<void> {
  const one = await WasmBackend.create({ threads: 1 });
  const two = await WasmBackend.create({ threads: 2, parallelMin: { gemm: 0, elements: 0 } });
  try {
    // a hand-off: relu of 64 floats split over both threads, against the same on one thread
    const tiny = (be: Backend) => { const x = be.upload(seeded(64, 1), 'float32'); return () => be.free(be.unary('relu', x)); };
    const h1 = time(tiny(one), 2000, 200), h2 = time(tiny(two), 2000, 200);
    console.log(`hand-off: ${((h2 - h1) * 1000).toFixed(1)} µs (relu of 64 floats: ${(h1 * 1000).toFixed(1)} µs on 1 thread, ${(h2 * 1000).toFixed(1)} on 2); spin ${two.threadStats().spinUs} µs`);
    console.log('matmul m·k·n (multiply-adds)          1 thread ms   2 threads ms   2/1');
    for (const [m, k, n] of [[32, 32, 32], [64, 64, 64], [96, 96, 96], [128, 128, 128], [160, 160, 160], [400, 13, 500], [200, 64, 64], [200, 10, 64], [400, 500, 1]] as const) {
      const mk = (be: Backend) => { const a = be.upload(seeded(m * k, 2), 'float32'), b = be.upload(seeded(k * n, 3), 'float32'); return () => be.free(be.matmul(a, b, m, k, n, false, false)); };
      const reps = Math.max(20, Math.min(2000, Math.round(4e8 / (m * k * n + 1e5))));
      const t1 = time(mk(one), reps), t2 = time(mk(two), reps);
      console.log(`${`${m}×${k}×${n} (${(m * k * n).toExponential(1)})`.padEnd(36)} ${t1.toFixed(4).padStart(12)} ${t2.toFixed(4).padStart(14)} ${(t2 / t1).toFixed(2).padStart(6)}`);
    }
    console.log('elementwise add (elements)            1 thread ms   2 threads ms   2/1');
    for (const e of [1 << 12, 1 << 14, 1 << 15, 1 << 16, 1 << 17, 1 << 18]) {
      const mk = (be: Backend) => { const a = be.upload(seeded(e, 4), 'float32'), b = be.upload(seeded(e, 5), 'float32'); return () => be.free(be.binary('add', a, [e], b, [e], [e])); };
      const t1 = time(mk(one), 500), t2 = time(mk(two), 500);
      console.log(`${String(e).padEnd(36)} ${t1.toFixed(4).padStart(12)} ${t2.toFixed(4).padStart(14)} ${(t2 / t1).toFixed(2).padStart(6)}`);
    }
  } finally { await one.dispose(); await two.dispose(); }
}

async function stepCheck(): Promise<boolean> {
  const configs = STEP_CONFIGS.filter((c) => c.name.startsWith('tabular') || c.name.startsWith('small'));
  let ok = true;
  for (const cfg of configs) {
    console.log(`\n${cfg.name}: ${rounds} rounds of ${steps} steps (after 2 warm-up), medians`);
    const ratios: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const ms: Record<number, number> = {}, objs: Record<number, [number, number]> = {}, stats: Record<number, string> = {};
      for (const t of r % 2 === 0 ? [1, 2] : [2, 1]) {
        const be = await WasmBackend.create({ threads: t });
        try {
          const res = await psilonSteps(be, cfg, steps + 2);
          ms[t] = median(res.ms.slice(2));
          objs[t] = res.objectives;
          const s = be.threadStats();
          stats[t] = t === 1 ? '' : `, ${s.handoffs} hand-offs (${(s.handoffs / (steps + 2)).toFixed(0)}/step), caller slept ${s.callerSleeps}, workers ${s.workerSleeps}`;
        } finally { await be.dispose(); }
      }
      if (objs[1]![0] !== objs[2]![0] || objs[1]![1] !== objs[2]![1]) {
        console.log(`  round ${r + 1}: REFUSED, objectives differ: 1 thread ${objs[1]!.join(', ')}, 2 threads ${objs[2]!.join(', ')}`);
        ok = false;
        continue;
      }
      const ratio = ms[2]! / ms[1]!;
      ratios.push(ratio);
      const pass = ratio <= 1 + slack;
      ok &&= pass;
      console.log(`  round ${r + 1}: 1 thread ${ms[1]!.toFixed(2)} ms, 2 threads ${ms[2]!.toFixed(2)} ms, 2/1 = ${ratio.toFixed(3)} ${pass ? 'ok' : 'SLOWER'}${stats[2]}`);
    }
    if (ratios.length) console.log(`  median 2/1 = ${median(ratios).toFixed(3)}, worst ${Math.max(...ratios).toFixed(3)}`);
  }
  return ok;
}

if (args.includes('--crossover')) await crossover();
else {
  const ok = await stepCheck();
  console.log(ok ? '\ntwo threads were not slower than one in any round' : '\nFAILED: two threads were slower than one in some round (or the objectives differed)');
  process.exitCode = ok ? 0 : 1;
}

/**
 * `pnpm --filter benchmark threads`: do two threads of the `wasm` backend never
 * lose to one? For each step configuration of the issue (tabular 13→500×3→1,
 * batch 400; small ResNet 784→64×3, batch 200; the builders of steps.ts) it runs
 * repeated rounds; in each, one model on one thread and one on two train from
 * the same start, alternating step by step (so both see the same load on a
 * shared machine), beside a second one-thread model as a control (its ratio to
 * the first is what the machine's load alone does to a round), and it prints the
 * round's medians and the ratio two/one; the check passes when every round's
 * ratio is ≤ 1 (+ `--slack`, default 0).
 * Correctness first: both must give the same objective at every step, bit for
 * bit (every split is by rows or columns, so each element is computed the same way).
 *
 * `--crossover` instead measures what the size thresholds rest on: the cost of
 * one hand-off (a tiny kernel forced onto the workers) and, for matmul and
 * elementwise ops with the thresholds off, the ratio two/one across sizes.
 *
 *   pnpm --filter benchmark threads [--rounds=5] [--steps=15] [--slack=0.05] [--spin=µs] [--crossover]
 */
import { WasmBackend, type Backend } from '@psilon/kernels';
import { median, seeded } from './harness.js';
import { STEP_CONFIGS, stepRunner } from './steps.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => Number(args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt);
const rounds = opt('rounds', 5), steps = opt('steps', 15), slack = opt('slack', 0);
const spinUs = args.some((a) => a.startsWith('--spin=')) ? opt('spin', 0) : undefined;

/** The hand-off counters of `be` that `f` changed, in words. */
function counted(be: WasmBackend, f: () => void): string {
  const a = be.threadStats();
  f();
  const b = be.threadStats();
  return `${b.handoffs - a.handoffs} hand-offs, ${b.jobs - a.jobs} jobs, ${b.byCaller - a.byCaller} run by the caller, caller slept ${b.callerSleeps - a.callerSleeps}, workers ${b.workerSleeps - a.workerSleeps}`;
}

/** Holds this thread busy for `ms` (the JavaScript a step runs between two kernels). */
function busy(ms: number): void { const end = performance.now() + ms; while (performance.now() < end); }

/**
 * Median milliseconds of `reps` calls of `f` after `warm` untimed ones; with
 * `gapMs`, the thread is busy that long before each call (longer than the spin,
 * so each call wakes sleeping workers, as between a step's matmuls).
 */
function time(f: () => void, reps: number, warm = 5, gapMs = 0): number {
  for (let i = 0; i < warm; i++) f();
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) { if (gapMs) busy(gapMs); const t0 = performance.now(); f(); ms.push(performance.now() - t0); }
  return median(ms);
}

async function crossover(): Promise<void> {
  const one = await WasmBackend.create({ threads: 1 });
  const two = await WasmBackend.create({ threads: 2, parallelMin: { gemm: 0, elements: 0, gemmWake: 0, elementsWake: 0 }, spinUs });
  try {
    // a hand-off: relu of 64 floats split over both threads, against the same on one thread
    const tiny = (be: Backend) => { const x = be.upload(seeded(64, 1), 'float32'); return () => be.free(be.unary('relu', x)); };
    const h1 = time(tiny(one), 2000, 200), h2 = time(tiny(two), 2000, 200);
    console.log(`hand-off: ${((h2 - h1) * 1000).toFixed(1)} µs (relu of 64 floats: ${(h1 * 1000).toFixed(1)} µs on 1 thread, ${(h2 * 1000).toFixed(1)} on 2); spin ${two.threadStats().spinUs} µs`);
    for (const gap of [0, 0.3]) {
      const when = gap ? `workers asleep (${gap * 1000} µs of other work before each call)` : 'back to back (workers spinning)';
      console.log(`\nmatmul, ${when}\nm×k×n (multiply-adds)                1 thread ms   2 threads ms   2/1`);
      for (const [m, k, n] of [[64, 64, 64], [128, 128, 128], [200, 64, 64], [400, 13, 500], [160, 160, 160], [200, 784, 64], [256, 256, 256], [400, 500, 500]] as const) {
        const mk = (be: Backend) => { const a = be.upload(seeded(m * k, 2), 'float32'), b = be.upload(seeded(k * n, 3), 'float32'); return () => be.free(be.matmul(a, b, m, k, n, false, false)); };
        const reps = Math.max(20, Math.min(1000, Math.round(2e8 / (m * k * n + 1e5))));
        const t1 = time(mk(one), reps, 5, gap);
        let t2 = 0;
        const c = counted(two, () => { t2 = time(mk(two), reps, 5, gap); });
        console.log(`${`${m}×${k}×${n} (${(m * k * n).toExponential(1)})`.padEnd(36)} ${t1.toFixed(4).padStart(12)} ${t2.toFixed(4).padStart(14)} ${(t2 / t1).toFixed(2).padStart(6)}  ${c}`);
      }
      console.log(`elementwise relu, ${when}\nelements                             1 thread ms   2 threads ms   2/1`);
      for (const e of [1 << 14, 1 << 16, 1 << 17, 1 << 18, 1 << 19, 1 << 20]) {
        const mk = (be: Backend) => { const a = be.upload(seeded(e, 4), 'float32'); return () => be.free(be.unary('relu', a)); };
        const t1 = time(mk(one), 300, 5, gap);
        let t2 = 0;
        const c = counted(two, () => { t2 = time(mk(two), 300, 5, gap); });
        console.log(`${String(e).padEnd(36)} ${t1.toFixed(4).padStart(12)} ${t2.toFixed(4).padStart(14)} ${(t2 / t1).toFixed(2).padStart(6)}  ${c}`);
      }
    }
  } finally { await one.dispose(); await two.dispose(); }
}

async function stepCheck(): Promise<boolean> {
  const configs = STEP_CONFIGS.filter((c) => c.name.startsWith('tabular') || c.name.startsWith('small'));
  let ok = true;
  for (const cfg of configs) {
    console.log(`\n${cfg.name}: ${rounds} rounds of ${steps} steps each (after 2 warm-up), one thread and two alternating step by step, medians`);
    const ratios: number[] = [], controls: number[] = [];
    for (let r = 0; r < rounds; r++) {
      // a second one-thread model is the control: its ratio to the first shows how much the machine's load alone moves a round
      const bes = [await WasmBackend.create({ threads: 1, spinUs }), await WasmBackend.create({ threads: 2, spinUs }), await WasmBackend.create({ threads: 1, spinUs })];
      const runs = bes.map((be) => stepRunner(be, cfg));
      const ms: number[][] = [[], [], []];
      let same = true;
      try {
        const order = [[0, 1, 2], [1, 2, 0], [2, 0, 1]][r % 3]!;
        for (let s = 0; s < steps + 2; s++) {
          const out: number[] = [];
          for (const t of order) { const o = await runs[t]!.step(); out[t] = o.objective; if (s >= 2) ms[t]!.push(o.ms); }
          same &&= out[0] === out[1] && out[0] === out[2];
        }
      } finally { for (const run of runs) run.dispose(); }
      const st = bes[1]!.threadStats();
      for (const be of bes) await be.dispose();
      if (!same) { console.log(`  round ${r + 1}: REFUSED, one and two threads gave different objectives`); ok = false; continue; }
      const [m1, m2, m1b] = ms.map((x) => median(x)) as [number, number, number];
      const ratio = m2 / m1;
      ratios.push(ratio);
      controls.push(m1b / m1);
      const pass = ratio <= 1 + slack;
      ok &&= pass;
      const n = steps + 2;
      console.log(`  round ${r + 1}: 1 thread ${m1.toFixed(2)} ms, 2 threads ${m2.toFixed(2)} ms, 2/1 = ${ratio.toFixed(3)} ${pass ? 'ok' : 'SLOWER'}; control 1/1 = ${(m1b / m1).toFixed(3)}` +
        ` (${(st.handoffs / n).toFixed(0)} hand-offs/step, ${(st.jobs / n).toFixed(0)} jobs/step, ${(st.byCaller / n).toFixed(1)} run by the caller, caller slept ${(st.callerSleeps / n).toFixed(1)}, workers ${(st.workerSleeps / n).toFixed(1)})`);
    }
    if (ratios.length) console.log(`  median 2/1 = ${median(ratios).toFixed(3)}, worst ${Math.max(...ratios).toFixed(3)}; control 1/1: median ${median(controls).toFixed(3)}, range ${Math.min(...controls).toFixed(3)}–${Math.max(...controls).toFixed(3)}`);
  }
  return ok;
}

if (args.includes('--crossover')) await crossover();
else {
  const ok = await stepCheck();
  console.log(ok ? '\ntwo threads were not slower than one in any round' : '\nFAILED: two threads were slower than one in some round (or the objectives differed)');
  process.exitCode = ok ? 0 : 1;
}

/**
 * The playground page: a PSiLON Net and a Standard Net trained side by side, live, in a
 * worker (worker.ts), on a dataset chosen in the page. For the 2-D sets each net's decision
 * boundary / regression surface is drawn under the train and test points; train and test
 * loss, the certified Lipschitz bound and near / exact sparsity are plotted over the
 * steps; every layer's weights are shown as heat maps with the exact zeros marked.
 * Controls: data, backend, width, depth (restart the nets), learning rate and λ (live),
 * Train / Reset / Prune.
 */
import type { Command, DataName, NetFrame, Report, Setup } from './protocol.js';
import { boundary, heatMaps, lineChart, note, type View } from './plot.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const select = (id: string) => $<HTMLSelectElement>(id);

// the WGSL backend where the browser has WebGPU
if ('gpu' in navigator) select('backend').add(new Option('webgpu', 'webgpu'));

const worker = new Worker('worker.js', { type: 'module' });
const send = (c: Command) => worker.postMessage(c);

/** What the page has drawn so far, per net. */
interface History { losses: [number, number, number][]; metrics: [number, number, number, number][]; last: NetFrame | null }
let hist: History[] = [];
let ready: Extract<Report, { type: 'ready' }> | undefined;
let step = 0;
let running = false;
/** λ and the learning rate the worker trained the last frame with. */
let used = { lambda: NaN, lr: NaN };
let firstFrame: () => void;
const firstDrawn = new Promise<void>((r) => { firstFrame = r; });

const lambda = () => 10 ** Number($<HTMLInputElement>('lambda').value);
const setup = (): Setup => ({
  data: select('data').value as DataName, backend: select('backend').value,
  hidden: Number(select('width').value), depth: Number(select('depth').value), lr: Number(select('lr').value), lambda: lambda(),
});
const setNotice = (text: string) => { $('notice').textContent = text; };
const setRunning = (on: boolean) => { running = on; $('train').textContent = on ? 'Pause' : 'Train'; };

function reset(why?: string): void {
  setRunning(false);
  hist = [];
  ready = undefined;
  step = 0;
  $('backend-line').textContent = 'backend: starting…';
  if (why) setNotice(why);
  send({ type: 'reset', setup: setup() });
}

const fmt = (v: number | undefined, digits = 4) => (v === undefined || !Number.isFinite(v) ? '—' : v.toPrecision(digits));

function stats(i: number, f: NetFrame): void {
  const h = hist[i]!;
  const [, train, test] = h.losses.at(-1) ?? [];
  const state = f.pruneLeft ? `pruning ${f.pruneLeft}` : f.pruned ? 'pruned' : 'dense';
  const cells: [string, string][] = [
    ['step', String(step)], ['train loss', fmt(train)], ['test loss', fmt(test)], ['Lipschitz bound', fmt(f.bound)],
    ['near-sparsity', f.near.toFixed(3)], ['exact sparsity', f.exact.toFixed(3)], ['weights', state],
  ];
  $(`stats${i}`).replaceChildren(...cells.map(([k, v]) => {
    const d = document.createElement('div');
    d.innerHTML = `<span>${k}</span><b></b>`;
    d.querySelector('b')!.textContent = v;
    return d;
  }));
  // at chance: the training loss back near the best constant predictor's (after a warm-up)
  const chance = ready?.chance ?? NaN;
  const warn = $(`warn${i}`);
  const atChance = step >= 100 && train !== undefined && chance > 0 && train >= 0.9 * chance;
  warn.classList.toggle('on', atChance);
  // it learned and fell back (the penalty pulled the weights to zero), or it never left chance
  const fellBack = h.losses.some(([, l]) => l < 0.8 * chance);
  const trivial = ready?.task === 'regression' ? 'predicting the mean' : 'predicting the class prior';
  warn.textContent = !atChance ? '' : fellBack
    ? `⚠ back at chance: train loss ${fmt(train, 3)} ≈ ${fmt(chance, 3)}, the loss of ${trivial}, ignoring x: λ = ${used.lambda.toExponential(0)} pulls the weights to zero — lower λ`
    : `⚠ still at chance: train loss ${fmt(train, 3)} ≈ ${fmt(chance, 3)}, the loss of ${trivial}, ignoring x — raise the learning rate, lower λ or train longer`;
}

function drawAll(): void {
  if (!ready) return;
  // one y-range for both nets' loss and bound charts, so they compare at a glance
  const range = (vals: number[]): [number, number] | undefined => {
    const v = vals.filter((x) => Number.isFinite(x) && x > 0);
    return v.length ? [Math.min(...v), Math.max(...v)] : undefined;
  };
  const lossRange = range([...hist.flatMap((h) => h.losses.flatMap(([, a, b]) => [a, b])), ready.chance]);
  const boundRange = range(hist.flatMap((h) => h.metrics.map(([, b]) => b)));
  const xMax = Math.max(10, step);
  hist.forEach((h, i) => {
    const f = h.last;
    if (!f) return;
    stats(i, f);
    lineChart($(`curve${i}`), [
      { label: 'train loss', color: '#2563eb', points: h.losses.map(([s, a]) => [s, a] as const) },
      { label: 'test loss', color: '#dc2626', dash: [5, 3], points: h.losses.map(([s, , b]) => [s, b] as const) },
    ], { xLabel: 'step', yLabel: 'loss (log scale)', logY: true, yRange: lossRange, xMax, refs: [{ y: ready!.chance, color: '#6b7280', label: 'chance' }] });
    lineChart($(`bound${i}`), [{ label: 'Lipschitz bound', color: '#7c3aed', points: h.metrics.map(([s, b]) => [s, b] as const) }],
      { xLabel: 'step', yLabel: 'bound (log)', logY: true, yRange: boundRange, xMax });
    lineChart($(`sparsity${i}`), [
      { label: 'near-sparsity', color: '#059669', points: h.metrics.map(([s, , n]) => [s, n] as const) },
      { label: 'exact sparsity', color: '#dc2626', dash: [5, 3], points: h.metrics.map(([s, , , e]) => [s, e] as const) },
    ], { xLabel: 'step', yLabel: 'sparsity', yRange: [0, 1], xMax });
    const view = $<HTMLCanvasElement>(`view${i}`);
    if (ready!.view && f.grid) boundary(view, ready!.view as View, f.grid, ready!.task);
    else note(view, [`no 2-D view: ${ready!.features} features`, `(${ready!.trainN} train, ${ready!.testN} test rows)`]);
    heatMaps($(`heat${i}`), f.layers);
  });
}

let frameRequested = false;
worker.onmessage = (e: MessageEvent<Report>) => {
  const r = e.data;
  if (r.type === 'ready') {
    ready = r;
    $('backend-line').textContent = `backend: ${r.backend}${globalThis.crossOriginIsolated ? '' : ' — page not cross-origin isolated: serve it with COOP/COEP for threads'}`;
  } else if (r.type === 'frame') {
    if (!ready) return;
    step = r.step;
    used = { lambda: r.lambda, lr: r.lr };
    r.nets.forEach((f, i) => {
      const h = (hist[i] ??= { losses: [], metrics: [], last: null });
      h.losses.push(...f.losses);
      h.metrics.push([r.step, f.bound, f.near, f.exact]);
      h.last = f;
    });
    if (r.justPruned) {
      const [p, s] = r.nets;
      setNotice(`pruned: exact sparsity ${p!.exact.toFixed(3)} (PSiLON) and ${s!.exact.toFixed(3)} (Standard). Training on keeps the pruned weights exactly 0 and fine-tunes the rest; Reset starts dense.`);
    }
    if (!r.running && running) setRunning(false);
    if (!frameRequested) { frameRequested = true; requestAnimationFrame(() => { frameRequested = false; drawAll(); firstFrame(); }); }
  } else if (r.type === 'result') {
    pending.get(r.id)?.(r);
    pending.delete(r.id);
  } else {
    setRunning(false);
    setNotice(`error: ${r.message}`);
    console.error(r.message);
  }
};

$('train').onclick = () => {
  setRunning(!running);
  if (running && hist[0]?.last?.pruned) setNotice('training on after pruning: the pruned weights stay exactly 0.');
  send({ type: 'train', on: running });
};
$('reset').onclick = () => reset('reset: both nets restarted from a fresh initialisation (step 0).');
$('prune').onclick = () => {
  send({ type: 'prune', steps: 100 });
  setNotice('pruning: the L1-sphere projection is blended in over the next 100 steps, then frozen (the page pauses there).');
  if (!running) { setRunning(true); send({ type: 'train', on: true }); }
};
for (const [id, what] of [['data', 'data'], ['backend', 'backend'], ['width', 'width'], ['depth', 'hidden layers']] as const) {
  select(id).onchange = () => reset(`${what} changed to ${select(id).selectedOptions[0]!.text}: both nets restarted from a fresh initialisation (step 0).`);
}
select('lr').onchange = () => { send({ type: 'set', lr: Number(select('lr').value) }); setNotice(`learning rate ${select('lr').value}, from the next step on (the nets keep their weights).`); };
$('lambda').oninput = () => {
  $('lambda-value').textContent = lambda().toExponential(0);
  send({ type: 'set', lambda: lambda() });
  setNotice(`λ = ${lambda().toExponential(0)}, from the next step on (the nets keep their weights).`);
};
$('lambda-value').textContent = lambda().toExponential(0);

let nextId = 0;
const pending = new Map<number, (r: Extract<Report, { type: 'result' }>) => void>();

/** For the browser test: train `steps` steps from fresh nets on a dataset and backend (in the worker), return both nets' losses. */
(window as unknown as { psilonPlayground: unknown }).psilonPlayground = {
  run(backend: string, data: DataName, steps: number, lam: number): Promise<{ losses: number[][]; backend: string }> {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, (r) => (r.error ? reject(new Error(r.error)) : resolve({ losses: r.losses!, backend: r.backend! })));
      send({ type: 'run', id, backend, data, steps, lambda: lam });
    });
  },
  /** The last frame's figures per net, as the page shows them. */
  state: () => ({
    step, running, ...used,
    nets: hist.map((h) => ({ ...h.last, losses: h.losses.at(-1), grid: undefined, layers: h.last?.layers.map(({ rows, cols, zeros }) => ({ rows, cols, zeros })) })),
  }),
  ready: firstDrawn,
};

reset();

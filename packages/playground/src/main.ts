/**
 * The playground page: a PSiLON Net and a Standard Net trained side by side, live,
 * on a dataset chosen in the page, with the loss curves, the certified Lipschitz
 * bound, near and exact sparsity, a heat map of each first layer's normalized
 * weights (exact zeros marked), a λ slider, a pruning button and the backend that runs.
 */
import * as C from '@psilon/core';
import type { Dataset } from 'psilon/browser';
import { makeToy, runSteps, Session, type NetState } from './session.js';

type DataName = 'moons' | 'circles' | 'boston' | 'iris';
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

async function loadData(name: DataName): Promise<Dataset> {
  if (name === 'moons' || name === 'circles') return makeToy(name);
  const j = (await (await fetch(`data/${name}.json`)).json()) as { x: number[]; y: number[]; n: number; d: number; task: Dataset['task']; outputs: number };
  return { ...j, x: Float64Array.from(j.x), y: Float64Array.from(j.y) };
}

// the WGSL backend where the browser has WebGPU
if ('gpu' in navigator) $<HTMLSelectElement>('backend').add(new Option('webgpu', 'webgpu'));

let session: Session | undefined;
let backend: C.Backend | undefined;
let running = false;

async function reset(): Promise<void> {
  running = false;
  session?.dispose();
  const name = $<HTMLSelectElement>('backend').value;
  if (!backend || backend.name !== name) {
    await backend?.dispose();
    backend = await C.createBackend(name);
    C.setBackend(backend);
  }
  $('backend-line').textContent = `backend: ${backend.description}`;
  session = new Session(await loadData($<HTMLSelectElement>('data').value as DataName), lambda());
  await draw();
}

const lambda = () => 10 ** Number($<HTMLInputElement>('lambda').value);

function curve(canvas: HTMLCanvasElement, losses: number[]): void {
  const g = canvas.getContext('2d')!;
  g.clearRect(0, 0, canvas.width, canvas.height);
  if (losses.length < 2) return;
  const logs = losses.map((l) => Math.log10(Math.max(l, 1e-12)));
  const lo = Math.min(...logs), hi = Math.max(...logs);
  g.strokeStyle = '#2563eb';
  g.beginPath();
  logs.forEach((v, i) => {
    const px = (i / (logs.length - 1)) * (canvas.width - 4) + 2;
    const py = canvas.height - 2 - ((v - lo) / (hi - lo || 1)) * (canvas.height - 4);
    if (i) g.lineTo(px, py); else g.moveTo(px, py);
  });
  g.stroke();
}

/** |w| as grey levels per (input row, unit column); exact zeros in red. */
function heat(canvas: HTMLCanvasElement, { w, rows, cols }: { w: ArrayLike<number>; rows: number; cols: number }): void {
  const g = canvas.getContext('2d')!;
  let max = 0;
  for (let i = 0; i < w.length; i++) max = Math.max(max, Math.abs(w[i]!));
  const cw = canvas.width / cols, ch = canvas.height / rows;
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
    const v = w[r * cols + c]!;
    const level = Math.round(255 * (1 - Math.abs(v) / (max || 1)));
    g.fillStyle = v === 0 ? '#dc2626' : `rgb(${level},${level},${level})`;
    g.fillRect(c * cw, r * ch, Math.ceil(cw), Math.ceil(ch));
  }
}

async function panel(s: NetState, i: number): Promise<void> {
  const st = await session!.stats(s);
  $(`stats${i}`).textContent =
    `step ${session!.step}   loss ${s.losses.at(-1)?.toPrecision(4) ?? '—'}   Lipschitz bound ${st.bound.toPrecision(4)}   ` +
    `near-sparsity ${st.near.toFixed(3)}   exact sparsity ${st.exact.toFixed(3)}${s.pruneLeft ? `   pruning: ${s.pruneLeft} steps left` : ''}`;
  curve($<HTMLCanvasElement>(`curve${i}`), s.losses);
  heat($<HTMLCanvasElement>(`heat${i}`), await session!.firstLayer(s));
}

async function draw(): Promise<void> {
  const s = session!;
  for (const [i, net] of s.nets.entries()) await panel(net, i);
}

async function loop(): Promise<void> {
  while (running && session) {
    for (let k = 0; k < 5 && !session.justPruned; k++) await session.trainStep();
    await draw();
    if (session.justPruned) { // pause on the exactly sparse weights, so they can be looked at
      running = false;
      $('train').textContent = 'Train';
      session.justPruned = false;
    }
    await new Promise((r) => requestAnimationFrame(r));
  }
}

$('train').onclick = () => { running = !running; $('train').textContent = running ? 'Pause' : 'Train'; if (running) void loop(); };
$('reset').onclick = () => { $('train').textContent = 'Train'; void reset(); };
$('prune').onclick = () => { session?.startPrune(100); };
$('data').onchange = $('backend').onchange = () => { $('train').textContent = 'Train'; void reset(); };
$('lambda').oninput = () => { $('lambda-value').textContent = lambda().toExponential(0); if (session) session.lambda = lambda(); };
$('lambda-value').textContent = lambda().toExponential(0);

/** For the browser test: train `steps` steps on a dataset and backend, return both nets' losses. */
(window as unknown as { psilonPlayground: unknown }).psilonPlayground = {
  async run(backendName: string, data: DataName, steps: number, lam: number) {
    const be = await C.createBackend(backendName);
    const prev = C.setBackend(be);
    try {
      return { losses: await runSteps(await loadData(data), steps, lam), backend: be.description };
    } finally {
      C.setBackend(prev);
      await be.dispose();
    }
  },
  ready: reset(),
};

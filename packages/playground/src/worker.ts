/**
 * The page's training worker: owns the backend and the session, trains while asked,
 * and posts a frame (losses, bound, sparsity, every layer's weights, each net's output on
 * the 2-D view's grid) every few steps. Runs in a dedicated worker so the wasm backend's
 * threads may block in Atomics.wait and the page stays responsive.
 */
import * as C from '@psilon/core';
import type { Dataset } from 'psilon/browser';
import { makeBackend } from './backends.js';
import { TOYS, toySplits, type Splits, type ToyName } from './data.js';
import type { Command, DataName, NetFrame, Report, Setup } from './protocol.js';
import { runSteps, Session } from './session.js';

/** Steps between frames, and the grid's points per side. */
const STEPS_PER_FRAME = 5;
const GRID = 48;

const post = (r: Report, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(r, transfer);

async function loadData(name: DataName): Promise<Splits> {
  if ((TOYS as readonly string[]).includes(name)) return toySplits(name as ToyName);
  const j = (await (await fetch(`data/${name}.json`)).json()) as Record<'train' | 'test', Omit<Dataset, 'x' | 'y'> & { x: number[]; y: number[] }>;
  const of = (d: (typeof j)['train']): Dataset => ({ ...d, x: Float64Array.from(d.x), y: Float64Array.from(d.y) });
  return { train: of(j.train), test: of(j.test) };
}

let backend: C.Backend | undefined;
/** The name `backend` was made from (`wasm` and `wasm:1` are both a backend named `wasm`). */
let backendKey = '';
let session: Session | undefined;
let grid: Float64Array | null = null;
let running = false;
let loopRunning = false;
/** The step up to which losses were already posted, per net. */
let posted = 0;
/** Commands run one after another, in order. */
let queue: Promise<void> = Promise.resolve();

async function reset(setup: Setup): Promise<void> {
  running = false;
  session?.dispose();
  session = undefined;
  if (!backend || backendKey !== setup.backend) {
    await backend?.dispose();
    backend = undefined;
    backend = await makeBackend(setup.backend);
    backendKey = setup.backend;
    C.setBackend(backend);
  }
  const data = await loadData(setup.data);
  session = new Session(data, { hidden: setup.hidden, depth: setup.depth, lr: setup.lr, lambda: setup.lambda });
  posted = 0;
  const d = data.train;
  let view: Extract<Report, { type: 'ready' }>['view'] = null;
  if (d.d === 2 && d.task !== 'multiclass') {
    const box = square([d.x, data.test.x]);
    grid = new Float64Array(GRID * GRID * 2);
    for (let r = 0; r < GRID; r++) for (let c = 0; c < GRID; c++) {
      grid[2 * (r * GRID + c)] = box[0] + ((c + 0.5) / GRID) * (box[1] - box[0]);
      grid[2 * (r * GRID + c) + 1] = box[3] - ((r + 0.5) / GRID) * (box[3] - box[2]); // row 0 at the top
    }
    view = { train: { x: d.x, y: d.y }, test: { x: data.test.x, y: data.test.y }, box, size: GRID };
  } else grid = null;
  post({ type: 'ready', backend: backend.description, task: d.task, chance: session.chance, features: d.d, trainN: d.n, testN: data.test.n, view });
  await frame();
}

/** A square around every point, with a margin: [x0, x1, y0, y1]. */
function square(xs: ArrayLike<number>[]): [number, number, number, number] {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const x of xs) for (let i = 0; i < x.length; i += 2) {
    x0 = Math.min(x0, x[i]!); x1 = Math.max(x1, x[i]!); y0 = Math.min(y0, x[i + 1]!); y1 = Math.max(y1, x[i + 1]!);
  }
  const half = 0.55 * Math.max(x1 - x0, y1 - y0), cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
  return [cx - half, cx + half, cy - half, cy + half];
}

async function frame(): Promise<void> {
  const s = session!;
  const nets: NetFrame[] = [];
  for (const n of s.nets) {
    const st = await s.stats(n);
    const losses: [number, number, number][] = [];
    for (let i = posted; i < n.losses.length; i++) losses.push([i, n.losses[i]!, n.testLosses[i]!]);
    nets.push({
      name: n.name, losses, ...st, layers: await s.layers(n), grid: grid ? await s.predict(n, grid) : null,
      pruneLeft: n.pruneLeft, pruned: n.masks !== null,
    });
  }
  posted = s.step;
  const justPruned = s.justPruned;
  if (justPruned) { running = false; s.justPruned = false; } // pause on the exactly sparse weights, so they can be looked at
  post({ type: 'frame', step: s.step, nets, running, justPruned, lambda: s.lambda, lr: s.lr });
}

async function loop(): Promise<void> {
  if (loopRunning) return;
  loopRunning = true;
  try {
    while (running && session) {
      await (queue = queue.then(async () => {
        if (!running || !session) return;
        for (let k = 0; k < STEPS_PER_FRAME && !session.justPruned; k++) await session.trainStep();
        await frame();
      }).catch((err: unknown) => { running = false; post({ type: 'error', message: err instanceof Error ? err.message : String(err) }); }));
      await new Promise((r) => setTimeout(r, 0)); // let commands in
    }
  } finally {
    loopRunning = false;
  }
}

async function handle(c: Command): Promise<void> {
  switch (c.type) {
    case 'reset': return reset(c.setup);
    case 'train': running = c.on && !!session; if (running) void loop(); return;
    case 'prune': session?.startPrune(c.steps); if (session) await frame(); return;
    case 'set':
      if (session && c.lr !== undefined) session.lr = c.lr;
      if (session && c.lambda !== undefined) session.lambda = c.lambda;
      if (session && !running) await frame(); // the page shows what the next step will use
      return;
    case 'run': {
      // a fresh session on its own backend, as the Node test runs it
      try {
        const be = await makeBackend(c.backend);
        const prev = C.setBackend(be);
        try {
          post({ type: 'result', id: c.id, losses: await runSteps(await loadData(c.data), c.steps, c.lambda), backend: be.description });
        } finally {
          C.setBackend(prev);
          await be.dispose();
        }
      } catch (e) {
        post({ type: 'result', id: c.id, error: String(e) });
      }
    }
  }
}

self.onmessage = (e: MessageEvent<Command>) => {
  const c = e.data;
  if (c.type === 'train') { void handle(c); return; }
  queue = queue.then(() => handle(c)).catch((err: unknown) => post({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
};

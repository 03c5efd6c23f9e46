/**
 * The playground in a real browser: Debian's Chromium, headless, driven by
 * puppeteer-core. The page is cross-origin isolated and its wasm backend runs on more
 * than one thread; it trains on the `cpu`, `wasm` and `webgpu` backends (the browser's
 * WebGPU, on Chromium's SwiftShader adapter here) with the same numbers as the same
 * session in Node; it draws the data over each net's decision boundary, shows train and
 * test loss, obeys its width / depth / learning-rate / λ controls, warns when a run falls
 * back to chance, keeps the pruned zeros when training goes on, and loads without console
 * errors; a screenshot is written to test-artifacts/. Skipped (saying why) where Chromium
 * is missing, except under CI=true. The server's port handling is checked without Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import * as C from '@psilon/core';
import { makeToy, toySplits, trivialLoss } from '../packages/playground/src/data.js';
import { linearTicks, logTicks, tickLabels } from '../packages/playground/src/plot.js';
import { runSteps, Session } from '../packages/playground/src/session.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const have = existsSync(chromium);
type Page = import('puppeteer-core').Page;
type Browser = import('puppeteer-core').Browser;
type Serve = (port?: number, o?: { fallback?: boolean }) => Promise<Server>;

/** What the page's test hook reports (window.psilonPlayground.state()). */
interface NetState {
  name: string; losses: [number, number, number]; bound: number; near: number; exact: number; pruned: boolean; pruneLeft: number;
  layers: { rows: number; cols: number; zeros: number }[];
}
interface State { step: number; running: boolean; lambda: number; lr: number; nets: NetState[] }

describe('the playground in headless Chromium', () => {
  let server: Server | undefined, browser: Browser | undefined, page: Page | undefined;
  const errors: string[] = [];
  const state = () => page!.evaluate(() => (window as unknown as { psilonPlayground: { state: () => unknown } }).psilonPlayground.state()) as Promise<State>;
  const text = (id: string) => page!.evaluate((i) => document.getElementById(i)!.textContent ?? '', id);
  /** Waits until the page's state satisfies `ok` (checked in Node, every 100 ms). */
  async function until(ok: (s: State) => boolean, what: string, ms = 90_000): Promise<State> {
    const end = Date.now() + ms;
    for (;;) {
      const s = await state();
      if (ok(s)) return s;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last state: ${JSON.stringify(s).slice(0, 400)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const pick = async (id: string, value: string) => { await page!.select(`#${id}`, value); };
  const slide = (id: string, value: string) => page!.evaluate((i, v) => {
    const el = document.getElementById(i) as HTMLInputElement;
    el.value = v;
    el.dispatchEvent(new Event('input'));
  }, id, value);
  /** Presses Train and waits `steps` more steps, then pauses. */
  async function trainFor(steps: number): Promise<State> {
    const from = (await state()).step;
    await page!.click('#train');
    await until((s) => s.step >= from + steps, `${steps} steps`);
    if ((await text('train')) === 'Pause') await page!.click('#train');
    return until((s) => !s.running, 'the pause');
  }

  /** Where every canvas sits on the page (the layout must not move while numbers and notices change). */
  const layout = () => page!.evaluate(() => [...document.querySelectorAll('canvas')].map((c) => {
    const r = c.getBoundingClientRect();
    return `${c.id} ${r.x + scrollX},${r.y + scrollY} ${r.width}x${r.height}`;
  }));
  let layoutAtLoad: string[] = [];

  beforeAll(async () => {
    if (!have) return;
    execFileSync('node', ['packages/playground/build.mjs'], { cwd: root, stdio: 'ignore' });
    // @ts-expect-error: a plain .mjs script without type declarations
    const { serve } = (await import('../packages/playground/serve.mjs')) as { serve: Serve };
    server = await serve(0);
    const puppeteer = await import('puppeteer-core');
    browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox', '--disable-gpu', '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'] });
    page = await browser.newPage();
    await page.setViewport({ width: 1262, height: 900 });
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.evaluate(() => (window as unknown as { psilonPlayground: { ready: Promise<void> } }).psilonPlayground.ready);
    layoutAtLoad = await layout();
  }, 120_000);
  afterAll(async () => { await browser?.close(); server?.close(); });

  const skipUnlessChromium = (ctx: { skip: (note?: string) => void }) => {
    if (have) return false;
    if (process.env.CI) throw new Error(`Chromium must run in CI: ${chromium} is missing (apt-get install chromium)`);
    ctx.skip(`no Chromium at ${chromium}`);
    return true;
  };

  it('is cross-origin isolated, and its wasm backend runs on more than one thread', async (ctx) => {
    if (skipUnlessChromium(ctx)) return;
    expect(await page!.evaluate(() => crossOriginIsolated)).toBe(true);
    const line = await text('backend-line');
    expect(line).toMatch(/^backend: wasm: hand-written WebAssembly SIMD kernels/);
    const threads = Number(/(\d+) threads?/.exec(line)?.[1]);
    expect(threads).toBe(await page!.evaluate(() => navigator.hardwareConcurrency));
    expect(threads).toBeGreaterThan(1);
  });

  for (const backend of ['cpu', 'wasm', 'webgpu']) {
    it(`trains on ${backend} in the page with the numbers Node gets`, async (ctx) => {
      if (skipUnlessChromium(ctx)) return;
      const got = await page!.evaluate((b) => (window as unknown as { psilonPlayground: { run: (b: string, d: string, s: number, l: number) => Promise<{ losses: number[][]; backend: string }> } })
        .psilonPlayground.run(b, 'moons', 12, 1e-3), backend);
      expect(got.backend).toContain(backend);
      // Node's reference: the same backend, or for the browser's WebGPU the float32 cpu backend
      const be = await C.createBackend(backend === 'webgpu' ? 'cpu' : backend);
      const prev = C.setBackend(be);
      let want: number[][];
      try { want = await runSteps(toySplits('moons'), 12, 1e-3); } finally { C.setBackend(prev); await be.dispose(); }
      const tol = backend === 'webgpu' ? 1e-4 : 1e-5; // another device's float32 round-off
      got.losses.forEach((losses, k) => losses.forEach((l, i) => expect(Math.abs(l - want[k]![i]!) / want[k]![i]!).toBeLessThan(tol)));
      expect(got.losses[0]!.at(-1)).toBeLessThan(got.losses[0]![0]!);
    });
  }

  /** Pixels of a view canvas: how many are a point's fill of each class, and how many the background of each side. */
  const pixels = (id: string) => page!.evaluate((i) => {
    const c = document.getElementById(i) as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const near = (k: number, rgb: number[]) => Math.abs(d[k]! - rgb[0]!) + Math.abs(d[k + 1]! - rgb[1]!) + Math.abs(d[k + 2]! - rgb[2]!) < 12;
    let point0 = 0, point1 = 0, side0 = 0, side1 = 0, dark = 0;
    let hash = 0;
    for (let k = 0; k < d.length; k += 4) {
      hash = (hash * 31 + d[k]! + 7 * d[k + 2]!) % 1_000_000_007;
      if (near(k, [245, 147, 34])) point0++;
      else if (near(k, [8, 119, 189])) point1++;
      else if (d[k]! - d[k + 2]! > 60) side0++;
      else if (d[k + 2]! - d[k]! > 60) side1++;
      if (d[k]! + d[k + 1]! + d[k + 2]! < 150) dark++;
    }
    return { point0, point1, side0, side1, dark, total: d.length / 4, hash };
  }, id);

  it('draws the train and test points over each net\'s decision boundary, redrawn as it trains', async (ctx) => {
    if (skipUnlessChromium(ctx)) return;
    const before = await pixels('view0');
    const s = await trainFor(60);
    expect(s.step).toBeGreaterThanOrEqual(60);
    for (const id of ['view0', 'view1']) {
      const p = await pixels(id);
      // both classes' points (filled discs / squares in the class colours) and both sides of the boundary
      expect(p.point0, id).toBeGreaterThan(300);
      expect(p.point1, id).toBeGreaterThan(300);
      expect(p.side0 / p.total, id).toBeGreaterThan(0.1);
      expect(p.side1 / p.total, id).toBeGreaterThan(0.1);
      expect(p.dark, id).toBeGreaterThan(200); // the p = ½ line and the test points' outlines
    }
    expect((await pixels('view0')).hash).not.toBe(before.hash);
  }, 120_000);

  it('shows train and test loss as numbers, with labelled loss curves', async (ctx) => {
    if (skipUnlessChromium(ctx)) return;
    const s = await state();
    for (const [i, net] of s.nets.entries()) {
      const shown = await text(`stats${i}`);
      const [, train, test] = net.losses;
      expect(shown).toContain(`train loss${train.toPrecision(4)}`);
      expect(shown).toContain(`test loss${test.toPrecision(4)}`);
      expect(test).not.toBe(train);
      expect(shown).toMatch(/Lipschitz bound\d/);
    }
    // the curves: train (blue) and test (red) loss, the bound (violet), near-sparsity (green)
    const has = (id: string, rgb: number[]) => page!.evaluate((i, c) => {
      const cv = document.getElementById(i) as HTMLCanvasElement;
      const d = cv.getContext('2d')!.getImageData(0, 0, cv.width, cv.height).data;
      let n = 0;
      for (let k = 0; k < d.length; k += 4) if (Math.abs(d[k]! - c[0]!) + Math.abs(d[k + 1]! - c[1]!) + Math.abs(d[k + 2]! - c[2]!) < 40) n++;
      return n;
    }, id, rgb);
    for (const i of [0, 1]) {
      expect(await has(`curve${i}`, [37, 99, 235])).toBeGreaterThan(100);
      expect(await has(`curve${i}`, [220, 38, 38])).toBeGreaterThan(60);
      expect(await has(`bound${i}`, [124, 58, 237])).toBeGreaterThan(60);
      expect(await has(`sparsity${i}`, [5, 150, 105])).toBeGreaterThan(60);
    }
  });

  it('shows the exact zeros that the exact-sparsity figure counts (heat maps of every layer)', async (ctx) => {
    if (skipUnlessChromium(ctx)) return;
    const s = await state();
    for (const net of s.nets) {
      // exact sparsity = the mean over all weight vectors (columns) of their fraction of exact zeros (docs/math.md §7)
      const cols = net.layers.reduce((a, l) => a + l.cols, 0);
      const fromMaps = net.layers.reduce((a, l) => a + l.zeros / l.rows, 0) / cols;
      expect(net.layers.length).toBe(4);
      expect(fromMaps).toBeCloseTo(net.exact, 12);
    }
  });

  it('changing width or depth restarts the nets, says so, and takes effect', async (ctx) => {
    if (skipUnlessChromium(ctx)) return;
    await pick('width', '8');
    let s = await until((x) => x.step === 0 && x.nets[0]?.layers[0]?.cols === 8, 'the width-8 nets');
    expect(s.nets.map((n) => n.layers.map((l) => `${l.rows}x${l.cols}`))).toEqual([['2x8', '8x8', '8x8', '8x1'], ['2x8', '8x8', '8x8', '8x1']]);
    expect(await text('notice')).toMatch(/width changed to 8: both nets restarted/);
    await pick('depth', '1');
    s = await until((x) => x.nets[0]?.layers.length === 2, 'the 1-hidden-layer nets');
    expect(s.nets[1]!.layers.map((l) => `${l.rows}x${l.cols}`)).toEqual(['2x8', '8x1']);
    expect(await text('notice')).toMatch(/hidden layers changed to 1: both nets restarted/);
    await pick('backend', 'wasm:1');
    await page!.waitForFunction(() => /, 1 thread \(float32\)$/.test(document.getElementById('backend-line')!.textContent ?? ''), { timeout: 30_000 });
    await pick('backend', 'wasm');
    await page!.waitForFunction(() => /, \d+ threads \(float32\)$/.test(document.getElementById('backend-line')!.textContent ?? ''), { timeout: 30_000 });
  }, 60_000);

  it('changing the learning rate and λ takes effect; a run that falls back to chance says so', async (ctx) => {
    if (skipUnlessChromium(ctx)) return;
    await pick('width', '32');
    await pick('depth', '3');
    await until((x) => x.nets[0]?.layers.length === 4 && x.nets[0]?.layers[0]?.cols === 32, 'the default nets');
    await pick('lr', '0.03');
    await until((x) => x.lr === 0.03, 'learning rate 0.03');
    await slide('lambda', '-1');
    await until((x) => Math.abs(x.lambda - 0.1) < 1e-12, 'λ = 0.1');
    expect(await text('notice')).toMatch(/λ = 1e-1, from the next step on/);
    const warned = (i: number) => page!.evaluate((k) => document.getElementById(`warn${k}`)!.classList.contains('on'), i);
    expect(await warned(1)).toBe(false);
    const s = await trainFor(150);
    // λ = 0.1 outweighs the data loss: the Standard Net's loss is back at ln 2 (the class prior's), and the page says so;
    // the PSiLON Net still fits (its penalty, the path norm, is the certified bound)
    expect(s.nets[1]!.losses[1]).toBeGreaterThan(0.9 * Math.LN2);
    expect(await warned(1)).toBe(true);
    expect(await text('warn1')).toMatch(/^⚠ back at chance: train loss 0\.\d+ ≈ 0\.693, the loss of predicting the class prior, ignoring x: λ = 1e-1 pulls the weights to zero — lower λ$/);
    expect(s.nets[0]!.losses[1]).toBeLessThan(0.9 * Math.LN2);
    expect(await warned(0)).toBe(false);
  }, 120_000);

  it('keeps the pruned weights exactly zero when training goes on', async (ctx) => {
    if (skipUnlessChromium(ctx)) return;
    await pick('lr', '0.005');
    await slide('lambda', '-3');
    await page!.click('#reset');
    await until((x) => x.step === 0 && Math.abs(x.lambda - 1e-3) < 1e-12 && x.lr === 0.005, 'the reset');
    await trainFor(50);
    await page!.click('#prune'); // trains on by itself, and pauses once the projection is frozen
    const pruned = await until((x) => x.nets[0]!.pruned && !x.running, 'the pruned nets', 120_000);
    expect(await text('notice')).toMatch(/^pruned: exact sparsity 0\.\d+ \(PSiLON\)/);
    for (const net of pruned.nets) expect(net.exact).toBeGreaterThan(0.2);
    const later = await trainFor(40);
    expect(await text('notice')).toMatch(/training on after pruning: the pruned weights stay exactly 0/);
    later.nets.forEach((net, k) => {
      expect(net.exact, net.name).toBeGreaterThanOrEqual(pruned.nets[k]!.exact);
      net.layers.forEach((l, j) => expect(l.zeros).toBeGreaterThanOrEqual(pruned.nets[k]!.layers[j]!.zeros));
    });
    expect(await text('stats0')).toMatch(/exact sparsity0\.[1-9]/);
    expect(await text('stats0')).toMatch(/weightspruned/);
  }, 240_000);

  it('has no console errors, and a layout that did not move while it trained, warned and pruned; screenshot', async (ctx) => {
    if (skipUnlessChromium(ctx)) return;
    expect(layoutAtLoad).toHaveLength(10);
    expect(await page!.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1262); // nothing sticks out sideways
    expect(await layout()).toEqual(layoutAtLoad);
    mkdirSync(`${root}test-artifacts`, { recursive: true });
    await page!.screenshot({ path: `${root}test-artifacts/playground.png`, fullPage: true });
    expect(errors, errors.join('\n')).toEqual([]);
  });
});

describe('the playground\'s chart ticks', () => {
  it('puts 1-2-5 ticks on log axes and linear ones, never a repeated label, covering the range', () => {
    expect(logTicks(0.004, 0.7)).toEqual([0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5]);
    expect(logTicks(1, 150)).toEqual([1, 10, 100]);
    expect(logTicks(3, 40)).toEqual([5, 10, 20]);
    expect(logTicks(1e-6, 10)).toEqual([1e-6, 1e-4, 1e-2, 1]);
    expect(linearTicks(0, 290)).toEqual([0, 100, 200]);
    expect(linearTicks(0, 1, 4)).toEqual([0, 0.5, 1]);
    expect(linearTicks(-0.3, 0.9, 6)).toEqual([-0.2, 0, 0.2, 0.4, 0.6, 0.8]);
    for (const [lo, hi] of [[5.55, 5.72], [0.4, 2.6], [0.012, 0.0135], [1, 1.04]] as const) {
      const ticks = logTicks(lo, hi), labels = tickLabels(ticks);
      expect(ticks.length, `${lo}…${hi}`).toBeGreaterThanOrEqual(2);
      expect(new Set(labels).size, labels.join(' ')).toBe(labels.length);
      for (const t of ticks) { expect(t).toBeGreaterThanOrEqual(lo * (1 - 1e-9)); expect(t).toBeLessThanOrEqual(hi * (1 + 1e-9)); }
    }
    expect(tickLabels([5.6, 5.65, 5.7])).toEqual(['5.6', '5.65', '5.7']);
  });
});

describe('the playground session in Node', () => {
  it('keeps the pruned weights exactly zero while training goes on', async () => {
    const s = new Session(toySplits('moons'));
    try {
      for (let i = 0; i < 20; i++) await s.trainStep();
      s.startPrune(10);
      for (let i = 0; i < 10; i++) await s.trainStep();
      expect(s.justPruned).toBe(true);
      const zeros = async () => (await Promise.all(s.nets.map((n) => s.layers(n)))).map((ls) => ls.map((l) => l.zeros));
      const exact = async () => Promise.all(s.nets.map(async (n) => (await s.stats(n)).exact));
      const [z0, e0] = [await zeros(), await exact()];
      for (const e of e0) expect(e).toBeGreaterThan(0.2);
      for (let i = 0; i < 20; i++) await s.trainStep();
      expect(await exact()).toEqual(e0);
      expect(await zeros()).toEqual(z0);
      expect(s.nets[0]!.losses.at(-1)).toBeLessThan(s.nets[0]!.losses[0]!);
    } finally { s.dispose(); }
  });

  it('knows the trivial predictor\'s loss: ln 2 for balanced classes, the variance of y for regression', () => {
    expect(trivialLoss(makeToy('moons'))).toBeCloseTo(Math.LN2, 12);
    const wave = makeToy('wave');
    const mean = wave.y.reduce((a, b) => a + b, 0) / wave.n;
    expect(trivialLoss(wave)).toBeCloseTo(wave.y.reduce((a, b) => a + (b - mean) ** 2, 0) / wave.n, 12);
    const session = new Session(toySplits('wave'));
    try { expect(session.chance).toBeCloseTo(trivialLoss(wave), 12); } finally { session.dispose(); }
  });
});

describe('the playground server', () => {
  const script = `${root}packages/playground/serve.mjs`;
  /** A port held busy by another listener while `fn` runs. */
  async function withBusyPort<T>(fn: (port: number) => Promise<T> | T): Promise<T> {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    try { return await fn((blocker.address() as AddressInfo).port); } finally { blocker.close(); }
  }

  it('sends the COOP/COEP headers that make the page cross-origin isolated', async () => {
    // @ts-expect-error: a plain .mjs script without type declarations
    const { serve } = (await import('../packages/playground/serve.mjs')) as { serve: Serve };
    const server = await serve(0);
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/no-such-file`);
      expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    } finally { server.close(); }
  });

  it('moves on to a free port when the default one is busy', async () => {
    // @ts-expect-error: a plain .mjs script without type declarations
    const { serve } = (await import('../packages/playground/serve.mjs')) as { serve: Serve };
    await withBusyPort(async (busy) => {
      const server = await serve(busy, { fallback: true });
      try { expect((server.address() as AddressInfo).port).toBeGreaterThan(busy); } finally { server.close(); }
    });
  });

  it('refuses a busy port that was asked for with one line naming it, not a stack', async () => {
    await withBusyPort((busy) => {
      const r = spawnSync('node', [script], { env: { ...process.env, PORT: String(busy) }, encoding: 'utf8', timeout: 20_000 });
      expect(r.status).toBe(1);
      expect(r.stderr.trim()).toBe(`playground: port ${busy} is busy; choose another with PORT=<port> pnpm playground (or --port <port>; 0 picks any free port)`);
    });
    const bad = spawnSync('node', [script, '--port', 'http'], { encoding: 'utf8', timeout: 20_000 });
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim()).toBe(`playground: port must be an integer 0…65535, got 'http'`);
  });
});

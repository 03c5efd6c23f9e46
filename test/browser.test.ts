/**
 * The playground in a real browser: Debian's Chromium, headless, driven by
 * puppeteer-core. The page loads without console errors, trains on the `cpu`, `wasm`
 * and `webgpu` backends (the browser's WebGPU, on Chromium's SwiftShader adapter here)
 * with the same numbers as the same session in Node, runs live
 * when its buttons are pressed, and a screenshot is written to test-artifacts/.
 * Skipped (saying why) where Chromium is missing, except under CI=true.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import * as C from '@psilon/core';
import { makeToy, runSteps } from '../packages/playground/src/session.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const have = existsSync(chromium);
type Page = import('puppeteer-core').Page;
type Browser = import('puppeteer-core').Browser;

describe('the playground in headless Chromium', () => {
  let server: Server | undefined, browser: Browser | undefined, page: Page | undefined;
  const errors: string[] = [];

  beforeAll(async () => {
    if (!have) return;
    execFileSync('node', ['packages/playground/build.mjs'], { cwd: root, stdio: 'ignore' });
    // @ts-expect-error: a plain .mjs script without type declarations
    const { serve } = (await import('../packages/playground/serve.mjs')) as { serve: (port: number) => Promise<Server> };
    server = await serve(0);
    const puppeteer = await import('puppeteer-core');
    browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox', '--disable-gpu', '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'] });
    page = await browser.newPage();
    await page.setViewport({ width: 1100, height: 640 });
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.evaluate(() => (window as unknown as { psilonPlayground: { ready: Promise<void> } }).psilonPlayground.ready);
  }, 120_000);
  afterAll(async () => { await browser?.close(); server?.close(); });

  const skipUnlessChromium = (ctx: { skip: (note?: string) => void }) => {
    if (have) return false;
    if (process.env.CI) throw new Error(`Chromium must run in CI: ${chromium} is missing (apt-get install chromium)`);
    ctx.skip(`no Chromium at ${chromium}`);
    return true;
  };

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
      try { want = await runSteps(makeToy('moons'), 12, 1e-3); } finally { C.setBackend(prev); await be.dispose(); }
      const tol = backend === 'webgpu' ? 1e-4 : 1e-5; // another device's float32 round-off
      got.losses.forEach((losses, k) => losses.forEach((l, i) => expect(Math.abs(l - want[k]![i]!) / want[k]![i]!).toBeLessThan(tol)));
      expect(got.losses[0]!.at(-1)).toBeLessThan(got.losses[0]![0]!);
    });
  }

  it('runs live from its buttons, shows the backend and the figures, with no console errors; screenshot', async (ctx) => {
    if (skipUnlessChromium(ctx)) return;
    await page!.click('#train');
    await page!.waitForFunction(() => /step (\d{2,})/.test(document.getElementById('stats0')!.textContent ?? ''), { timeout: 60_000 });
    await page!.click('#prune');
    // the page pauses itself once the projection is frozen: exact zeros in the used weights
    await page!.waitForFunction(() => document.getElementById('train')!.textContent === 'Train', { timeout: 90_000 });
    expect(await page!.evaluate(() => document.getElementById('stats0')!.textContent)).toMatch(/exact sparsity 0\.\d*[1-9]/);
    const text = await page!.evaluate(() => document.body.innerText);
    expect(text).toMatch(/backend: wasm: hand-written WebAssembly SIMD kernels/);
    expect(text).toMatch(/Lipschitz bound \d/);
    mkdirSync(`${root}test-artifacts`, { recursive: true });
    await page!.screenshot({ path: `${root}test-artifacts/playground.png` });
    expect(errors, errors.join("\n")).toEqual([]);
  }, 180_000);
});

#!/usr/bin/env node
/**
 * Builds the playground into dist/: the page, one ESM bundle of the app (esbuild,
 * for the browser: Node built-ins and the Node-only Dawn and gpu.js packages stay
 * out), and Boston housing and iris as JSON (prepared with the library's own loaders).
 */
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { loadBoston, loadIris, prepareTabular } from 'psilon';

const out = new URL('./dist/', import.meta.url).pathname;
mkdirSync(`${out}data`, { recursive: true });
await build({
  entryPoints: [new URL('./src/main.ts', import.meta.url).pathname], bundle: true, format: 'esm', platform: 'browser',
  target: 'es2022', outfile: `${out}app.js`, minify: true, sourcemap: true, logLevel: 'warning',
  // these are reached only through guarded dynamic imports that never run in a page
  external: ['node:*', 'webgpu', 'gpu.js'],
});
copyFileSync(new URL('./index.html', import.meta.url), `${out}index.html`);
for (const [name, raw] of [['boston', loadBoston()], ['iris', loadIris()]]) {
  const { train } = prepareTabular(raw, 0);
  writeFileSync(`${out}data/${name}.json`, JSON.stringify({ x: Array.from(train.x), y: Array.from(train.y), n: train.n, d: train.d, task: train.task, outputs: train.outputs }));
}
console.log(`playground: dist/index.html, dist/app.js (${(statSync(`${out}app.js`).size / 1024).toFixed(0)} KiB minified)`);

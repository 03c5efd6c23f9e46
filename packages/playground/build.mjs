#!/usr/bin/env node
/**
 * Builds the playground into dist/: the page, the app (app.js) and its training worker
 * (worker.js) as ESM bundles (esbuild, for the browser: Node built-ins and the Node-only
 * Dawn and gpu.js packages stay out; `node:worker_threads` becomes the Web Worker stand-in
 * src/worker-threads.ts, so the wasm backend's threads run in the page), and Boston
 * housing and iris as JSON train and test splits (prepared with the library's own loaders).
 */
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { loadBoston, loadIris, prepareTabular } from 'psilon';

const here = (p) => new URL(p, import.meta.url).pathname;
const out = here('./dist/');
mkdirSync(`${out}data`, { recursive: true });
/** `node:worker_threads` → the Web Worker stand-in; other Node built-ins stay external (reached only from guarded dynamic imports). */
const browserThreads = {
  name: 'browser-worker-threads',
  setup(b) { b.onResolve({ filter: /^node:worker_threads$/ }, () => ({ path: here('./src/worker-threads.ts') })); },
};
await build({
  entryPoints: { app: here('./src/main.ts'), worker: here('./src/worker.ts') }, bundle: true, format: 'esm', platform: 'browser',
  target: 'es2022', outdir: out, minify: true, sourcemap: true, logLevel: 'warning',
  external: ['node:*', 'webgpu', 'gpu.js'], plugins: [browserThreads],
});
copyFileSync(here('./index.html'), `${out}index.html`);
const json = (d) => ({ x: Array.from(d.x), y: Array.from(d.y), n: d.n, d: d.d, task: d.task, outputs: d.outputs });
for (const [name, raw] of [['boston', loadBoston()], ['iris', loadIris()]]) {
  const { train, test } = prepareTabular(raw, 0);
  writeFileSync(`${out}data/${name}.json`, JSON.stringify({ train: json(train), test: json(test) }));
}
const kib = (f) => (statSync(`${out}${f}`).size / 1024).toFixed(0);
console.log(`playground: dist/index.html, dist/app.js (${kib('app.js')} KiB minified), dist/worker.js (${kib('worker.js')} KiB minified)`);

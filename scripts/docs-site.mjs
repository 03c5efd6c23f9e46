/**
 * The pages `pnpm run docs` writes beside the TypeDoc sites: the landing page
 * (docs/api/index.html: the layers as a picture, a quick start, the packages) and
 * docs/math.md rendered to docs/api/math.html. Plain HTML and inline CSS/SVG: the
 * pages open from the file system, with no network.
 */
import { headingId, inline, markdownToHtml } from './markdown.mjs';

const escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const CSS = `
:root { color-scheme: light dark; --fg: #1d2330; --muted: #5b6475; --bg: #fdfdfc; --box: #eef2f8; --line: #c9d2e0; --accent: #2b5fb4; --code: #f3f4f6; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e9ef; --muted: #a3abba; --bg: #14171d; --box: #1f2632; --line: #3a4556; --accent: #7aa7f0; --code: #1c212b; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 920px; margin: 0 auto; padding: 24px 20px 64px; }
nav.top { display: flex; gap: 18px; flex-wrap: wrap; padding: 10px 20px; border-bottom: 1px solid var(--line); font-size: 15px; }
a { color: var(--accent); text-decoration: none; } a:hover { text-decoration: underline; }
h1 { font-size: 30px; margin: 12px 0 4px; } h2 { font-size: 22px; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 18px; margin: 22px 0 6px; } .lead { color: var(--muted); margin-top: 0; }
code, pre { font: 14px/1.5 ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; }
code { background: var(--code); padding: 1px 4px; border-radius: 4px; }
pre { background: var(--code); padding: 12px 14px; border-radius: 6px; overflow-x: auto; }
pre code { background: none; padding: 0; }
table { border-collapse: collapse; margin: 10px 0; } th, td { border: 1px solid var(--line); padding: 5px 10px; text-align: left; vertical-align: top; }
th { background: var(--box); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; background: var(--box); }
.card h3 { margin: 0 0 4px; } .card p { margin: 0; color: var(--muted); font-size: 14px; }
svg text { fill: var(--fg); font: 13px system-ui, sans-serif; } svg .sub { fill: var(--muted); font-size: 12px; }
svg rect { fill: var(--box); stroke: var(--line); } svg rect.opt { stroke-dasharray: 5 4; fill: none; }
svg rect.layer { fill: var(--bg); } svg line, svg path { stroke: var(--muted); fill: none; } svg .arrow { fill: var(--muted); stroke: none; }
`;

/** A page: the shared style, a top bar linking the pages, and `body`. */
function page(title, body) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title><style>${CSS}</style></head>
<body><nav class="top"><a href="index.html"><strong>psilon-ts</strong></a><a href="psilon/index.html">psilon</a><a href="core/index.html">@psilon/core</a><a href="kernels/index.html">@psilon/kernels</a><a href="datasets/index.html">@psilon/datasets</a><a href="math.html">Mathematics</a></nav>
<main>
${body}
</main></body></html>
`;
}

/** The README's layering diagram as SVG: psilon's layers over core over kernels, the optional packages dashed. */
export function architectureSvg() {
  const layers = ['data', 'norms', 'nn', 'sparsity', 'train', 'experiments', 'cli'];
  const widths = layers.map((l) => 24 + 8 * l.length);
  const gap = (640 - widths.reduce((a, b) => a + b, 0)) / (layers.length - 1);
  let x = 24;
  const chips = layers.map((l, i) => {
    const w = widths[i];
    const arrow = i ? `<line x1="${x - gap + 2}" y1="78" x2="${x - 3}" y2="78"/><path class="arrow" d="M${x - gap + 1} 78 l7 -4 v8 z"/>` : '';
    const chip = `${arrow}<rect class="layer" x="${x}" y="62" width="${w}" height="32" rx="5"/><text x="${x + w / 2}" y="83" text-anchor="middle">${l}</text>`;
    x += w + gap;
    return chip;
  }).join('');
  const down = (x, y1, y2, label) => `<line x1="${x}" y1="${y1}" x2="${x}" y2="${y2 - 6}"/><path class="arrow" d="M${x} ${y2} l-5 -8 h10 z"/><text class="sub" x="${x + 10}" y="${(y1 + y2) / 2 + 4}">${label}</text>`;
  return `<svg viewBox="0 0 880 400" width="100%" role="img" aria-label="The packages and their layers: psilon uses core, which computes through kernels">
<rect x="8" y="20" width="664" height="96" rx="8"/><text x="22" y="44"><tspan font-weight="600">psilon</tspan><tspan class="sub" dx="8">models, regularizers, pruning, training, experiments, CLI (imports only point down: ←)</tspan></text>${chips}
<rect class="opt" x="696" y="20" width="172" height="96" rx="8"/><text x="710" y="44" font-weight="600">@psilon/datasets</text><text class="sub" x="710" y="64">optional: Boston, iris,</text><text class="sub" x="710" y="80">10,000 MNIST digits</text><text class="sub" x="710" y="96">(read by data's loaders)</text>
<line x1="672" y1="78" x2="690" y2="78"/><path class="arrow" d="M696 78 l-8 -5 v10 z"/>
${down(340, 116, 168, 'uses the public API of')}
<rect x="8" y="168" width="664" height="70" rx="8"/><text x="22" y="192" font-weight="600">@psilon/core</text><text class="sub" x="22" y="214">Tensor, autodiff tape, op table with the backward rules, custom ops, optimizers, OneCycle, checkGrad</text>
${down(340, 238, 290, 'computes through')}
<rect x="8" y="290" width="664" height="70" rx="8"/><text x="22" y="314" font-weight="600">@psilon/kernels</text><text class="sub" x="22" y="336">the Backend interface; backends: wasm (SIMD, threads) · webgpu (WGSL) · cpu (JS, float32/64) · gpujs</text>
<rect class="opt" x="696" y="290" width="172" height="70" rx="8"/><text x="710" y="314" font-weight="600">webgpu · gpu.js</text><text class="sub" x="710" y="334">optional peers, loaded</text><text class="sub" x="710" y="350">only for those backends</text>
<line x1="672" y1="325" x2="690" y2="325"/><path class="arrow" d="M696 325 l-8 -5 v10 z"/>
<text class="sub" x="8" y="390">Dashed: optional packages, installed only when wanted. test/architecture.test.ts fails on an upward import or a cycle.</text>
</svg>`;
}

/** The landing page's quick start: train a PSiLON Net on a CSV (test/packaging.docs.test.ts runs it). */
export const QUICK_START = `import {
  loadTableFile, prepareTabular, psilonNet, train, evaluate, lipschitzBound, exactSparsity,
} from 'psilon';

const data = loadTableFile('houses.csv', { target: 'price' }); // your CSV, with a header row
const { train: tr, validation, test } = prepareTabular(data, 0); // split and scale (docs/math.md §9)
const net = psilonNet({ inDim: tr.d, hidden: 64, outDim: tr.outputs, nHidden: 3, seed: 0 });
await train(net, tr, {
  epochs: 50, batchSize: 32, lr: 2e-3, lambda: 1e-3, validation,
  pruneSteps: 20, // end exactly sparse (docs/math.md §7)
});
console.log('test RMSE (scaled target):', (await evaluate(net, test)).metric);
console.log('certified Lipschitz bound:', (await lipschitzBound(net)).value);
console.log('exact sparsity:', exactSparsity(net));
`;

/**
 * The landing page. `packages`: [folder, npm name, description] of each
 * package with a TypeDoc site under docs/api/<folder>/.
 */
export function landingPage(packages) {
  const cards = packages.map(([dir, name, description]) => `<div class="card"><h3><a href="${dir}/index.html">${escape(name)}</a></h3><p>${escape(description)}</p></div>`).join('');
  return page('psilon-ts: PSiLON Net in TypeScript', `
<h1>psilon-ts</h1>
<p class="lead">PSiLON Net and PSiLON ResNet in TypeScript: L1 weight normalization with closed-form 1-path-norm
regularization, certified Lipschitz bounds and pruning to exact sparsity (A. Biswas, arXiv 2404.19112), on an
autodiff engine and kernels written for it (WebAssembly SIMD, WebGPU, JavaScript, gpu.js).</p>

<h2>How the packages fit together</h2>
${architectureSvg()}

<h2>Quick start</h2>
<p>Not on npm yet: pack the packages in a checkout and install the tarballs (the README's
"Installing the packages"; the CPU-only install is three packages, under 2 MB):</p>
<pre><code>npm run setup      # in the checkout: pnpm, dependencies, build
for p in kernels core psilon; do
  (cd packages/$p &amp;&amp; pnpm pack --pack-destination ../../../tarballs)
done
cd ../my-project
npm install ../tarballs/psilon-kernels-0.3.0.tgz ../tarballs/psilon-core-0.3.0.tgz \\
            ../tarballs/psilon-0.3.0.tgz</code></pre>
<p>Train on your CSV (save as <code>quick.mjs</code>, run <code>node quick.mjs</code>):</p>
<pre><code>${escape(QUICK_START)}</code></pre>
<p>Every option of <a href="psilon/functions/train.html"><code>train</code></a> is described on
<a href="psilon/interfaces/TrainOptions.html"><code>TrainOptions</code></a>; the model's on
<a href="psilon/interfaces/NetOptions.html"><code>NetOptions</code></a>. Backends:
<a href="core/functions/initBackend.html"><code>initBackend</code></a> (<code>auto</code> picks WebGPU on a hardware
GPU when the optional <code>webgpu</code> package is installed, else multi-threaded WebAssembly). From the shell:
<code>psilon train --data houses.csv --target price</code>, <code>psilon experiment tabular</code> (with
<code>@psilon/datasets</code>).</p>

<h2>API reference</h2>
<div class="cards">${cards}</div>

<h2>The mathematics</h2>
<p><a href="math.html">docs/math.md</a>: the layer and its gradient, PSiLON Net and ResNet, the closed-form
regularizers and bounds, pruning, the objective and schedule, the experiments' protocols. Doc comments cite it as
"docs/math.md §n" (<code>math.html#sn</code>).</p>
`);
}

/** docs/math.md as a page: its headings become anchors (§n → #sn) and a table of contents. */
export function mathPage(markdown) {
  const toc = [...markdown.matchAll(/^## (.*)$/gm)].map((m) => `<li><a href="#${headingId(m[1])}">${inline(m[1])}</a></li>`).join('');
  return page('The mathematics — psilon-ts', `<nav><ul>${toc}</ul></nav>\n${markdownToHtml(markdown)}`);
}

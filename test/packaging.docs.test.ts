/**
 * The docs site's own pieces (scripts/markdown.mjs, scripts/docs-site.mjs): docs/math.md
 * renders to HTML with its structure and formulas intact, and the landing page's quick
 * start runs as written on a CSV. (`pnpm run docs` builds the whole site with TypeDoc.)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM scripts without type declarations
import { markdownToHtml } from '../scripts/markdown.mjs';
// @ts-expect-error plain ESM scripts without type declarations
import { QUICK_START, landingPage, mathPage } from '../scripts/docs-site.mjs';

const root = resolve(import.meta.dirname, '..');
const md = markdownToHtml as (s: string) => string;

describe('Markdown → HTML', () => {
  it('headings, lists, tables, code and inline marks', () => {
    const html = md([
      '# Title', '', '## §3 Its gradient', '', 'Text with `a < b`, **bold**, *italic* and a [link](docs/math.md#s2).',
      'continued.', '', '- one', '  more of one', '- two', '', '1. first', '2. second', '',
      '| a | b |', '| --- | --- |', '| `x·y` | 2 |', '', '    n_j = Σ_i |V_ij|', '', '```sh', 'pnpm test', '```',
    ].join('\n'));
    expect(html).toContain('<h1 id="title">Title</h1>');
    expect(html).toContain('<h2 id="s3">§3 Its gradient</h2>');
    expect(html).toContain('<p>Text with <code>a &lt; b</code>, <strong>bold</strong>, <em>italic</em> and a <a href="docs/math.html#s2">link</a>. continued.</p>');
    expect(html).toContain('<ul><li>one more of one</li><li>two</li></ul>');
    expect(html).toContain('<ol><li>first</li><li>second</li></ol>');
    expect(html).toContain('<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td><code>x·y</code></td><td>2</td></tr></tbody></table>');
    expect(html).toContain('<pre><code>n_j = Σ_i |V_ij|</code></pre>');
    expect(html).toContain('<pre><code class="language-sh">pnpm test</code></pre>');
  });

  it('docs/math.md renders: every section an anchor, every formula kept, no Markdown left over', () => {
    const source = readFileSync(join(root, 'docs/math.md'), 'utf8');
    const html = (mathPage as (s: string) => string)(source);
    const sections = [...source.matchAll(/^## §(\d+)/gm)].map((m) => m[1]);
    expect(sections.length).toBeGreaterThanOrEqual(10);
    for (const n of sections) {
      expect(html).toContain(`<h2 id="s${n}">`);
      expect(html).toContain(`href="#s${n}"`);
    }
    // each code span's text survives (escaped), and outside code no ** or table rule remains
    const spans = [...source.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    for (const s of spans) expect(html).toContain(`<code>${s}</code>`);
    const text = html.replace(/<pre>[\s\S]*?<\/pre>|<code>[\s\S]*?<\/code>|<style>[\s\S]*?<\/style>/g, '');
    expect(text).not.toMatch(/\*\*|\|\s*---|^#+ /m);
  });
});

describe('the landing page', () => {
  it('links every package, the mathematics and the train options, and draws the layers', () => {
    const html = (landingPage as (p: string[][]) => string)([['psilon', 'psilon', 'd'], ['core', '@psilon/core', 'd'], ['kernels', '@psilon/kernels', 'd'], ['datasets', '@psilon/datasets', 'd']]);
    for (const href of ['psilon/index.html', 'core/index.html', 'kernels/index.html', 'datasets/index.html', 'math.html', 'psilon/interfaces/TrainOptions.html']) {
      expect(html).toContain(`href="${href}"`);
    }
    expect(html).toMatch(/<svg[\s\S]*@psilon\/core[\s\S]*@psilon\/kernels[\s\S]*<\/svg>/);
    for (const layer of ['data', 'norms', 'nn', 'sparsity', 'train', 'experiments', 'cli']) expect(html).toContain(`>${layer}</text>`);
  });

  it('the quick start runs as written on a CSV', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'psilon-quick-'));
    const cwd = process.cwd();
    const logs: unknown[][] = [];
    const log = console.log;
    try {
      const rows = Array.from({ length: 120 }, (_, i) => { const a = (i % 13) / 13, b = (i % 7) / 7; return `${a.toFixed(3)},${b.toFixed(3)},${(3 * a - b + 0.05 * ((i % 5) - 2)).toFixed(4)}`; });
      writeFileSync(join(dir, 'houses.csv'), ['area,age,price', ...rows].join('\n') + '\n');
      writeFileSync(join(dir, 'quick.ts'), QUICK_START as string);
      process.chdir(dir);
      console.log = (...a: unknown[]) => { logs.push(a); };
      await import(/* @vite-ignore */ join(dir, 'quick.ts'));
    } finally {
      console.log = log;
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
    expect(logs.map((l) => l[0])).toEqual(['test RMSE (scaled target):', 'certified Lipschitz bound:', 'exact sparsity:']);
    const [rmse, bound, sparsity] = logs.map((l) => l[1] as number);
    expect(Number.isFinite(rmse) && rmse > 0).toBe(true);
    expect(bound).toBeGreaterThan(0);
    expect(sparsity).toBeGreaterThanOrEqual(0);
    expect(sparsity).toBeLessThanOrEqual(1);
  });
});

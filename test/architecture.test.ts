/**
 * The import graph of every package: no cycles, imports between packages only
 * point down (kernels ← core ← psilon), and inside a package only down its
 * declared layers. The layers are listed here, bottom first; a file may import
 * from its own layer and the ones below it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', 'packages');

/** Layers per package, bottom first: folder names (or top-level file names) of src/. */
const LAYERS: Record<string, string[][]> = {
  kernels: [['types.ts', 'ops.ts', 'backend.ts', 'layout.ts', 'optional.ts', 'dawn.ts', 'arena.ts', 'adam.ts', 'expr.ts'], ['cpu'], ['wasm', 'gpujs', 'webgpu'], ['registry.ts'], ['index.ts']],
  core: [
    ['errors.ts', 'memory.ts'], ['tensor.ts'], ['tape.ts', 'backend-of.ts'], ['ops.ts', 'create.ts', 'random.ts'],
    ['losses.ts', 'custom.ts', 'weightnorm.ts', 'gradcheck.ts', 'optim.ts'], ['schedule.ts', 'projection.ts'], ['index.ts'],
  ],
  datasets: [['index.ts']],
  psilon: [['data'], ['norms'], ['nn'], ['sparsity'], ['train', 'forest'], ['experiments'], ['cli', 'cli.ts', 'index.ts', 'browser.ts']],
};
/** Which packages each package may import. */
const PACKAGE_DEPS: Record<string, string[]> = { kernels: [], core: ['@psilon/kernels'], datasets: [], psilon: ['@psilon/core', '@psilon/datasets'] };

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : f.endsWith('.ts') ? [p] : [];
  });
}

/** Static and dynamic import specifiers of a source file (`importOptional('…')` included), and packages it resolves with `require.resolve` (comments stripped). */
export function importsOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found = [...code.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|import(?:Optional(?:<[^(]*?>)?)?\(\s*'([^']+)'|require(?:\.resolve)?\(\s*'([^']+)'\s*\)/g)];
  return found.map((m) => (m[1] ?? m[2] ?? m[3])!);
}

/** The import graph of a package's src: file → files it imports (relative paths from src). */
function graphOf(pkg: string): { graph: Map<string, string[]>; external: Map<string, string[]> } {
  const src = join(root, pkg, 'src');
  const graph = new Map<string, string[]>();
  const external = new Map<string, string[]>();
  for (const f of files(src)) {
    const rel = relative(src, f);
    const specs = importsOf(readFileSync(f, 'utf8'));
    graph.set(rel, specs.filter((s) => s.startsWith('.')).map((s) => relative(src, resolve(dirname(f), s.replace(/\.js$/, '.ts')))));
    external.set(rel, specs.filter((s) => !s.startsWith('.') && !s.startsWith('node:')));
  }
  return { graph, external };
}

/** Every cycle's files, as found by depth-first search (empty when acyclic). */
export function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | null => {
    if (state.get(n) === 'done') return null;
    if (state.get(n) === 'open') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'open');
    stack.push(n);
    for (const m of graph.get(n) ?? []) { const c = visit(m); if (c) return c; }
    stack.pop();
    state.set(n, 'done');
    return null;
  };
  for (const n of graph.keys()) { const c = visit(n); if (c) return c; }
  return null;
}

/** The layer index of a file: by its first folder, or by its name at the top of src. */
function layerOf(pkg: string, file: string): number {
  const head = file.split('/')[0]!;
  const i = LAYERS[pkg]!.findIndex((names) => names.includes(head));
  if (i < 0) throw new Error(`${pkg}/src/${file} is in no declared layer: add '${head}' to LAYERS in test/architecture.test.ts`);
  return i;
}

describe('architecture', () => {
  for (const pkg of Object.keys(LAYERS)) {
    const { graph, external } = graphOf(pkg);
    it(`${pkg}: no import cycles`, () => {
      expect(findCycle(graph), 'import cycle').toBeNull();
    });
    it(`${pkg}: imports point down its layers (${LAYERS[pkg]!.map((l) => l.join('|')).join(' ← ')})`, () => {
      const upward: string[] = [];
      for (const [file, deps] of graph) {
        for (const d of deps) if (layerOf(pkg, d) > layerOf(pkg, file)) upward.push(`${file} → ${d}`);
      }
      expect(upward).toEqual([]);
    });
    it(`${pkg}: imports only the packages below it (${PACKAGE_DEPS[pkg]!.join(', ') || 'none'}) and its declared dependencies`, () => {
      const json = JSON.parse(readFileSync(join(root, pkg, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> };
      const declared = Object.keys({ ...json.dependencies, ...json.peerDependencies }); // optional peers: loaded on demand
      const bad: string[] = [];
      for (const [file, specs] of external) {
        for (const s of specs) {
          const name = s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!;
          if (name.startsWith('@psilon/') && !PACKAGE_DEPS[pkg]!.includes(name)) bad.push(`${file} imports ${name}`);
          else if (!declared.includes(name)) bad.push(`${file} imports undeclared '${name}'`);
        }
      }
      expect(bad).toEqual([]);
      const used = new Set([...external.values()].flat().map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!)));
      expect(declared.filter((d) => !used.has(d) && !d.startsWith('@types/')), 'declared but never imported').toEqual([]);
    });
  }

  it('the checks themselves catch a cycle and an upward import', () => {
    expect(findCycle(new Map([['a.ts', ['b.ts']], ['b.ts', ['a.ts']]]))).toEqual(['a.ts', 'b.ts', 'a.ts']);
    expect(findCycle(new Map([['a.ts', ['b.ts']], ['b.ts', []]]))).toBeNull();
    expect(importsOf("import { x } from './y.js';\nexport * from './z.js';\nconst m = await import('./w.js');\n// import { q } from './q.js'"))
      .toEqual(['./y.js', './z.js', './w.js']);
  });
});

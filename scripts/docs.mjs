#!/usr/bin/env node
/**
 * `pnpm run docs`: the API reference of the three packages from their doc comments
 * (TypeDoc), one site per package under docs/api/<package>/ and an index page.
 * Every public export (and its methods) must be documented: TypeDoc's
 * notDocumented validation is an error. Each page links to docs/math.md.
 * (TypeDoc is run once per package: with several entry points in one run its
 * notDocumented validation reported nothing.)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const packages = [['kernels', '@psilon/kernels'], ['core', '@psilon/core'], ['psilon', 'psilon']];
const bin = `${root}node_modules/.bin/typedoc`;
rmSync(`${root}docs/api`, { recursive: true, force: true });
for (const [dir, name] of packages) {
  execFileSync(bin, ['--options', 'typedoc.json', '--entryPoints', `packages/${dir}/src/index.ts`, '--name', name, '--out', `docs/api/${dir}`], { cwd: root, stdio: 'inherit' });
}
mkdirSync(`${root}docs/api`, { recursive: true });
writeFileSync(`${root}docs/api/index.html`, `<!doctype html><meta charset="utf-8"><title>psilon-ts API reference</title>
<h1>psilon-ts API reference</h1>
<ul>${packages.map(([dir, name]) => `<li><a href="${dir}/index.html">${name}</a></li>`).join('')}</ul>
<p>The mathematics: <a href="../math.md">docs/math.md</a>.</p>
`);
console.log('docs: docs/api/index.html');

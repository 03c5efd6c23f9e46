#!/usr/bin/env node
/**
 * `pnpm run docs`: the API reference of the packages from their doc comments
 * (TypeDoc), one site per package under docs/api/<package>/, a landing page
 * (docs/api/index.html: the layers, a quick start, the packages) and docs/math.md
 * rendered to docs/api/math.html (scripts/docs-site.mjs, scripts/markdown.mjs).
 * Every public export (and its methods) must be documented: TypeDoc's
 * notDocumented validation is an error. Each page links to the mathematics.
 * Properties must be documented too (the fields of options, configs and results),
 * except the names listed per package in scripts/undocumented-properties.json: the
 * gaps left when that check was switched on, reported in the build's output. A new
 * undocumented property fails the build, and so does a listed one once it is
 * documented (TypeDoc names it): then take it off the list.
 * (TypeDoc is run once per package: with several entry points in one run its
 * notDocumented validation reported nothing.)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { landingPage, mathPage } from './docs-site.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const packages = ['psilon', 'core', 'kernels', 'datasets'].map((dir) => {
  const { name, description } = JSON.parse(readFileSync(`${root}packages/${dir}/package.json`, 'utf8'));
  return [dir, name, description];
});
const bin = `${root}node_modules/.bin/typedoc`;
const undocumented = JSON.parse(readFileSync(`${root}scripts/undocumented-properties.json`, 'utf8'));
rmSync(`${root}docs/api`, { recursive: true, force: true });
for (const [dir, name] of packages) {
  const gaps = undocumented[dir] ?? [];
  const allowed = gaps.flatMap((n) => ['--intentionallyNotDocumented', n]);
  execFileSync(bin, ['--options', 'typedoc.json', '--entryPoints', `packages/${dir}/src/index.ts`, '--name', name, '--out', `docs/api/${dir}`, ...allowed], { cwd: root, stdio: 'inherit' });
  if (gaps.length) console.log(`docs: ${name}: ${gaps.length} properties still undocumented (scripts/undocumented-properties.json)`);
}
mkdirSync(`${root}docs/api`, { recursive: true });
writeFileSync(`${root}docs/api/index.html`, landingPage(packages));
writeFileSync(`${root}docs/api/math.html`, mathPage(readFileSync(`${root}docs/math.md`, 'utf8')));
console.log('docs: docs/api/index.html, docs/api/math.html');

/**
 * Runs every ```ts snippet of README.md as written, and checks each
 * `console.log(...) // expected` line whose expectation is a plain value.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(`${root}README.md`, 'utf8');
const snippets = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const dir = `${root}test/.readme`;
mkdirSync(dir, { recursive: true });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('README snippets', () => {
  it('there are snippets', () => expect(snippets.length).toBeGreaterThanOrEqual(4));
  snippets.forEach((code, i) => {
    it(`snippet ${i + 1} runs and prints what its comments say`, async () => {
      const expected = [...code.matchAll(/console\.log\(.*\);\s*\/\/ (.*)$/gm)].map((m) => m[1]!.split(/\s{2,}|\s+\(/)[0]!.trim());
      const file = `${dir}/snippet${i + 1}.ts`;
      writeFileSync(file, code);
      const logs: string[] = [];
      const log = console.log;
      console.log = (...a: unknown[]) => { logs.push(a.map((v) => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v))).join(' ')); };
      try {
        await import(/* @vite-ignore */ file);
      } finally {
        console.log = log;
      }
      expect(logs.length).toBe(expected.length);
      expected.forEach((want, k) => {
        if (/^(true|false|[-\d.e]+|\[.*\]|'[^']*'|true true)$/.test(want)) expect(logs[k]).toBe(want);
      });
    });
  });
});

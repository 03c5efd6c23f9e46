/**
 * Experiments as grids: a parallel run, a resumed run and three shards merged by
 * `psilon report` give the table a serial run gives (timing columns aside).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { parseShard, runFolder } from 'psilon';

const run = runCli;

/** The report's results table without its timing columns. */
function table(reportDir: string, name = 'report.md'): string[][] {
  const lines = readFileSync(join(reportDir, name), 'utf8').split('\n').filter((l) => l.startsWith('|'));
  const cells = lines.map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
  const keep = cells[0]!.map((h, j) => (/seconds/.test(h) ? -1 : j)).filter((j) => j >= 0);
  return cells.map((r) => keep.map((j) => r[j]!));
}

describe('experiment grids', () => {
  const dir = mkdtempSync(join(tmpdir(), 'psilon-grid-'));
  const common = ['experiment', 'figure1', '--quick', '--backend', 'wasm'];
  let serial: string[][];

  it('serial run: one point file per (model, λ), a deterministic run folder', async () => {
    const r = await run([...common, '--out', join(dir, 'serial')]);
    expect(r.code, r.err).toBe(0);
    const folder = runFolder(join(dir, 'serial'), 'figure1', { size: 'quick', seed: 0 });
    expect(readdirSync(join(folder, 'points')).sort()).toEqual([
      'psilon-net-lambda=0.0001.json', 'psilon-net-lambda=0.001.json', 'standard-net-lambda=0.0025.json', 'standard-net-lambda=0.005.json',
    ]);
    serial = table(folder);
    expect(serial.length).toBe(6); // header, separator, 4 rows
  });

  it('parallel run over 2 worker threads: the same table', async () => {
    const r = await run([...common, '--workers', '2', '--out', join(dir, 'parallel')]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/2 workers/);
    expect(table(runFolder(join(dir, 'parallel'), 'figure1', { size: 'quick', seed: 0 }))).toEqual(serial);
  });

  it('resumed run: finished points are skipped, a lost one is rerun, the table is the same', async () => {
    const out = join(dir, 'serial');
    const folder = runFolder(out, 'figure1', { size: 'quick', seed: 0 });
    rmSync(join(folder, 'points', 'standard-net-lambda=0.005.json'));
    const r = await run([...common, '--out', out]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/1 point\(s\) run, 3 already done/);
    expect(table(folder)).toEqual(serial);
  });

  it('three shards merged by `psilon report`: the same table; an incomplete merge is an error naming the missing points', async () => {
    const shards = [1, 2, 3].map((i) => join(dir, `shard${i}`));
    for (const [i, d] of shards.entries()) {
      const r = await run([...common, '--shard', `${i + 1}/3`, '--run-dir', d]);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(new RegExp(`shard ${i + 1}/3 done`));
    }
    const partial = await run(['report', shards[0]!, shards[1]!]);
    expect(partial.code).toBe(1);
    expect(partial.err).toMatch(/1 point\(s\) missing: standard-net-lambda=0\.0025\b/);
    const merged = join(dir, 'merged');
    const r = await run(['report', ...shards, '--out', merged]);
    expect(r.code, r.err).toBe(0);
    expect(table(merged, 'report-merged.md')).toEqual(serial);
  });

  it('bad --shard and --workers values are usage errors', async () => {
    expect(() => parseShard('0/3')).toThrow(/1 ≤ i ≤ n/);
    expect(() => parseShard('4/3')).toThrow(/1 ≤ i ≤ n/);
    expect(parseShard('2/3')).toEqual({ index: 1, count: 3 });
    expect((await run([...common, '--shard', 'two', '--out', dir])).code).toBe(2);
    expect((await run([...common, '--workers', '0', '--out', dir])).code).toBe(2);
  });
});

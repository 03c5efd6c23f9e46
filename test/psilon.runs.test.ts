/**
 * Run folders know what they hold (issue 18.2), reports never overwrite a run's record
 * and say what was reused (18.10), workers are capped at the points left (18.6).
 */
import { describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { runFolder } from 'psilon';
import { readPoints, runGrid, type GridExperiment, type PointSpec } from '../packages/psilon/src/experiments/grid.js';
import { openRunFolder, runKey, keyHash } from '../packages/psilon/src/experiments/runfolder.js';

const run = runCli;
const root = mkdtempSync(join(tmpdir(), 'psilon-runs-'));

/** The report's results table without its timing columns. */
function table(file: string): string[][] {
  const cells = readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('|')).map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
  const keep = cells[0]!.map((h, j) => (/seconds/.test(h) ? -1 : j)).filter((j) => j >= 0);
  return cells.map((r) => keep.map((j) => r[j]!));
}

/** A small regression CSV whose target depends on the seed `k` of its rows. */
function csv(file: string, k: number): string {
  const rows = ['a,b,y'];
  for (let i = 0; i < 40; i++) rows.push(`${(i * 7 + k) % 13},${(i * 3) % 5},${((i * 7 + k) % 13) * 0.5 + (i % 3)}`);
  writeFileSync(file, rows.join('\n') + '\n');
  return file;
}

const tabular = (file: string, ...more: string[]) => ['experiment', 'tabular', '--quick', '--file', file, '--target', 'y', '--backend', 'wasm', ...more];

describe('run folders know what they hold', () => {
  const fig = ['experiment', 'figure1', '--quick', '--backend', 'wasm'];

  it('a different seed in the same --run-dir is refused, naming the option; the folder is left as it was', async () => {
    const dir = join(root, 'seed');
    expect((await run([...fig, '--run-dir', dir])).code).toBe(0);
    const before = readFileSync(join(dir, 'report.md'), 'utf8');
    const r = await run([...fig, '--run-dir', dir, '--seed', '1']);
    expect(r.code).toBe(1);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/holds another run \(seed: 1 here, 0 in the folder\)/);
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toBe(before);
    // the hashed default folder of another seed is another folder
    expect(runFolder('r', 'figure1', { size: 'quick', seed: 1 })).not.toBe(runFolder('r', 'figure1', { size: 'quick', seed: 0 }));
    expect(runFolder('r', 'figure1', { size: 'quick' })).toBe(runFolder('r', 'figure1', { size: 'quick', seed: 0 })); // defaults filled in
  });

  it('a changed data file: refused in the same --run-dir; a new default folder whose table is a fresh run\'s', async () => {
    const file = csv(join(root, 'data.csv'), 0);
    const dir = join(root, 'data-run');
    expect((await run(tabular(file, '--run-dir', dir))).code).toBe(0);
    csv(file, 5);
    const r = await run(tabular(file, '--run-dir', dir));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/holds another run \(the data file's content: sha256 [0-9a-f]{12}…, \d+ bytes here, sha256 [0-9a-f]{12}…, \d+ bytes in the folder\)/);
    // default folders: the changed file gets a folder of its own, and its table is what a fresh run gives
    const out = join(root, 'data-out');
    csv(file, 0);
    expect((await run(tabular(file, '--out', out))).code).toBe(0);
    csv(file, 5);
    const second = await run(tabular(file, '--out', out));
    expect(second.out).toMatch(/4 point\(s\) run, 0 already done/);
    expect(readdirSync(out)).toHaveLength(2);
    const fresh = join(root, 'data-fresh');
    copyFileSync(file, join(root, 'data2.csv'));
    expect((await run(tabular(join(root, 'data2.csv'), '--run-dir', fresh))).code).toBe(0);
    expect(table(join(runFolder(out, 'tabular', { size: 'quick', seed: 0, file, target: 'y' }), 'report.md'))).toEqual(table(join(fresh, 'report.md')));
    // `psilon report` refuses to reduce over a data file that changed since its points ran
    const rep = await run(['report', dir]);
    expect(rep.code).toBe(1);
    expect(rep.err).toMatch(/the run's data changed since it ran \(the data file's content: sha256 .* now, sha256 .* when it ran\)/);
    // the same content at another path is the same run (the key holds the content, not the path)
    expect(keyHash(runKey('tabular', { file, target: 'y' }))).toBe(keyHash(runKey('tabular', { file: join(root, 'data2.csv'), target: 'y' })));
  });

  it('experiment tabular --delimiter reads the file with it at every point, and gives the table of the comma file', async () => {
    const comma = csv(join(root, 'comma.csv'), 2), semi = join(root, 'semi.csv');
    writeFileSync(semi, readFileSync(comma, 'utf8').replace(/,/g, ';'));
    const a = await run(tabular(comma, '--run-dir', join(root, 'comma-run')));
    const b = await run(tabular(semi, '--delimiter', ';', '--run-dir', join(root, 'semi-run')));
    expect(a.code, a.err).toBe(0);
    expect(b.code, b.err).toBe(0);
    expect(table(join(root, 'semi-run', 'report.md'))).toEqual(table(join(root, 'comma-run', 'report.md')));
  });

  it('psilon report --out is refused where a merged file would overwrite the run\'s data file', async () => {
    const out = join(root, 'report-over-data');
    mkdirSync(out);
    const file = csv(join(out, 'report-merged-validation.csv'), 3); // the name of the merged report's plot CSV
    const before = readFileSync(file, 'utf8');
    const dir = join(root, 'report-over-data-run');
    expect((await run(tabular(file, '--run-dir', dir))).code).toBe(0);
    const r = await run(['report', dir, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--out .*report-over-data: its report-merged-validation\.csv is the --file file .*: it would be overwritten/);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(readdirSync(out)).toEqual(['report-merged-validation.csv']);
  });

  it('truncated, foreign and wrongly shaped point files are named and re-run, never mixed in', async () => {
    const dir = join(root, 'damaged');
    expect((await run([...fig, '--run-dir', dir])).code).toBe(0);
    const serial = table(join(dir, 'report.md'));
    const pts = join(dir, 'points');
    const text = readFileSync(join(pts, 'psilon-net-lambda=0.001.json'), 'utf8');
    writeFileSync(join(pts, 'psilon-net-lambda=0.001.json'), text.slice(0, text.length / 2)); // truncated
    const other = JSON.parse(readFileSync(join(pts, 'standard-net-lambda=0.005.json'), 'utf8'));
    writeFileSync(join(pts, 'standard-net-lambda=0.005.json'), JSON.stringify({ ...other, key: '0123456789abcdef', result: { ...other.result, valLoss: 99 } })); // another run's
    const shape = JSON.parse(readFileSync(join(pts, 'standard-net-lambda=0.0025.json'), 'utf8'));
    writeFileSync(join(pts, 'standard-net-lambda=0.0025.json'), JSON.stringify({ ...shape, result: { ...shape.result, valLoss: 'low' } })); // wrong shape
    writeFileSync(join(pts, 'notes.json'), '[1, 2]'); // not a point file
    const r = await run([...fig, '--run-dir', dir]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/psilon-net-lambda=0\.001\.json: damaged \(not valid JSON: truncated or edited\); not used, the point is re-run/);
    expect(r.out).not.toMatch(/Unexpected|position \d/); // no raw JSON.parse message
    expect(r.out).toMatch(/standard-net-lambda=0\.005\.json: belongs to another run \(its run key differs\); not used, the point is re-run/);
    expect(r.out).toMatch(/standard-net-lambda=0\.0025\.json: damaged \(result\.valLoss is string, not a number\); not used, the point is re-run/);
    expect(r.out).toMatch(/notes\.json: not a point file \(no id\); not used/);
    expect(r.out).toMatch(/3 point\(s\) run, 1 already done/);
    expect(table(join(dir, 'report.md'))).toEqual(serial);
    // `psilon report` applies the same checks: a damaged point is missing, not mixed in
    writeFileSync(join(pts, 'psilon-net-lambda=0.0001.json'), '{"id": "psilon-net-lambda=0.0001"');
    const rep = await run(['report', dir]);
    expect(rep.code).toBe(1);
    expect(rep.out).toMatch(/psilon-net-lambda=0\.0001\.json: damaged/);
    expect(rep.err).toMatch(/1 point\(s\) missing: psilon-net-lambda=0\.0001/);
  });

  it('a damaged run.json, or one without a run key, is one line naming the file', async () => {
    const dir = join(root, 'old');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'run.json'), JSON.stringify({ experiment: 'figure1', options: { size: 'quick', seed: 0 } }));
    let r = await run([...fig, '--run-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/run\.json: a run folder of an older psilon \(no run key\)/);
    writeFileSync(join(dir, 'run.json'), '{"experiment": "fig');
    r = await run(['report', dir]);
    expect(r.err).toMatch(/run\.json: not a run record: the JSON is damaged or truncated/);
    expect(r.code).toBe(1);
    expect(r.err.split('\n')).toHaveLength(1);
  });
});

describe('reports and resumed runs', () => {
  const fig = ['experiment', 'figure1', '--quick', '--backend', 'wasm'];

  it('a resumed run says how many points it reused and their compute time; its wall time is "this run"', async () => {
    const dir = join(root, 'resume');
    expect((await run([...fig, '--run-dir', dir])).code).toBe(0);
    const r = await run([...fig, '--run-dir', dir]);
    expect(r.out).toMatch(/0 point\(s\) run, 4 already done in .*; reused 4 finished point\(s\), which took [\d.]+\s?m?s when they ran/);
    const report = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(report).toMatch(/- wall time: [\d.]+ s this run \(0 points run\); 4 points reused from earlier runs, which took [\d.]+ s of compute then/);
    const seconds = Number(/which took ([\d.]+) s/.exec(report)![1]);
    expect(seconds).toBeGreaterThan(0);
  });

  it('`psilon report <run>` writes report-merged.md beside the run\'s own report, which it leaves untouched', async () => {
    const dir = join(root, 'report');
    expect((await run([...fig, '--run-dir', dir])).code).toBe(0);
    const own = readFileSync(join(dir, 'report.md'), 'utf8');
    const svgs = readdirSync(dir).filter((f) => f.endsWith('.svg')).map((f) => [f, readFileSync(join(dir, f), 'utf8')]);
    const r = await run(['report', dir]);
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toBe(own);
    for (const [f, text] of svgs) expect(readFileSync(join(dir, f!), 'utf8')).toBe(text);
    const merged = readFileSync(join(dir, 'report-merged.md'), 'utf8');
    expect(merged).toMatch(/- command: `psilon report /);
    expect(merged).toMatch(/- compute time: [\d.]+ s over 4 points/);
    expect(merged).not.toMatch(/wall time: 0\.0 s/);
    for (const m of merged.matchAll(/\]\(([^)]+\.(svg|csv))\)/g)) {
      expect(m[1]!.startsWith('report-merged-')).toBe(true);
      expect(existsSync(join(dir, m[1]!))).toBe(true);
    }
    expect(table(join(dir, 'report-merged.md'))).toEqual(table(join(dir, 'report.md')));
  });
});

/** A grid of `n` instant points whose results are their index (or NaN for point 0). */
function fakeGrid(n: number): GridExperiment<object, PointSpec & { k: number }, { k: number; v: number }> {
  return {
    points: () => Array.from({ length: n }, (_, k) => ({ id: `p${k}`, k })),
    runPoint: async (_o, p) => ({ k: p.k, v: p.k === 0 ? NaN : p.k === 1 ? -Infinity : p.k }),
    reduce: () => ({ name: 'fake', title: 'fake', table: { headers: [], rows: [] }, plots: [], notes: [], settings: {} }),
    validate: (p, r) => ((r as { k: unknown }).k === p.k ? undefined : 'wrong k'),
  };
}

describe('workers and point files', () => {
  it('--workers is capped at the points left to run, and no worker starts when all are done', async () => {
    const dir = join(root, 'workers');
    const started: number[] = [];
    const startWorkers = async (count: number) => {
      started.push(count);
      const g = fakeGrid(4);
      return { run: (p: PointSpec) => g.runPoint({}, p as PointSpec & { k: number }), close: async () => {} };
    };
    const log: string[] = [];
    const first = await runGrid(fakeGrid(4), {}, { workers: 999, runDir: dir, key: 'k1', startWorkers, log: (s) => log.push(s) });
    expect(started).toEqual([4]);
    expect(first.workers).toBe(4);
    expect(log.join('\n')).toMatch(/4 workers started \(999 asked; capped at the 4 points left to run\)/);
    const again = await runGrid(fakeGrid(4), {}, { workers: 999, runDir: dir, key: 'k1', startWorkers, log: (s) => log.push(s) });
    expect(started).toEqual([4]);
    expect(again.workers).toBe(0);
    expect(log.join('\n')).toMatch(/all 4 point\(s\) already done: no workers started/);
    expect(again.reused.points).toBe(4);
  });

  it('NaN and ±Infinity survive a point file, so a reused point is the point that ran', async () => {
    const dir = join(root, 'nan');
    const a = await runGrid(fakeGrid(3), {}, { runDir: dir, key: 'k' });
    const b = await runGrid(fakeGrid(3), {}, { runDir: dir, key: 'k' });
    expect(b.ran).toBe(0);
    expect([...b.results.values()]).toEqual([...a.results.values()]);
    expect(b.results.get('p0')!.v).toBeNaN();
    expect(b.results.get('p1')!.v).toBe(-Infinity);
    // another key: nothing reused
    expect((await runGrid(fakeGrid(3), {}, { runDir: dir, key: 'other' })).ran).toBe(3);
    expect(readPoints(dir, { key: 'nope' }).size).toBe(0);
  });

  it('opening a run folder removes the temporary files of killed runs, not those of live ones', () => {
    const dir = join(root, 'stale');
    mkdirSync(join(dir, 'points'), { recursive: true });
    const dead = '.p0.json.4999999.1.tmp', live = `.p1.json.${process.pid}.7.tmp`; // pid 4999999 is above Linux's pid_max
    writeFileSync(join(dir, 'points', dead), 'half');
    writeFileSync(join(dir, 'points', live), 'being written');
    openRunFolder(dir, 'figure1', { size: 'quick' });
    expect(readdirSync(join(dir, 'points')).sort()).toEqual([live]);
  });

  it('openRunFolder creates run.json once and refuses another key, naming each differing option', () => {
    const dir = join(root, 'open');
    openRunFolder(dir, 'tabular', { size: 'quick', seed: 0, grid: [1e-3] });
    expect(() => openRunFolder(dir, 'tabular', { size: 'quick', seed: 0, grid: [1e-3] })).not.toThrow();
    expect(() => openRunFolder(dir, 'tabular', { size: 'default', seed: 2, grid: [1e-2], na: ['NA'] }))
      .toThrow(/holds another run \(grid: \[0\.01\] here, \[0\.001\] in the folder; na: \["NA"\] here, unset in the folder; seed: 2 here, 0 in the folder; size: "default" here, "quick" in the folder\)/);
    expect(() => openRunFolder(dir, 'figure1', { size: 'quick', seed: 0, grid: [1e-3] })).toThrow(/experiment: figure1 here, tabular in the folder/);
  });
});

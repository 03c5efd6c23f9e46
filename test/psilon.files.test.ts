/**
 * One writer that leaves no debris (issue 18.8): every result file goes through
 * writeFileAtomic, which removes its temporary file on any failure and on SIGINT,
 * and names the file in its error.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeFileAtomic } from '../packages/psilon/src/experiments/files.js';
import { writeReport, type ExperimentResult } from '../packages/psilon/src/experiments/report.js';

const root = mkdtempSync(join(tmpdir(), 'psilon-files-'));
const debris = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.tmp'));
const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

describe('writeFileAtomic', () => {
  it('a full disk mid-write: the error names the file, the old content stays, no temporary file remains', () => {
    const dir = join(root, 'full');
    mkdirSync(dir);
    const path = join(dir, 'plot.svg');
    writeFileSync(path, 'old');
    let calls = 0;
    const write = (fd: number, b: Uint8Array, off: number, len: number) => {
      if (calls++ > 0) throw enospc();
      return writeSync(fd, b, off, Math.min(len, 10)); // a partial write, then the disk is full
    };
    expect(() => writeFileAtomic(path, 'x'.repeat(1000), { write })).toThrow(`${path}: cannot write (ENOSPC)`);
    expect(calls).toBe(2);
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(debris(dir)).toEqual([]);
  });

  it('a write that makes no progress is an error, not a loop', () => {
    const path = join(root, 'stuck.json');
    expect(() => writeFileAtomic(path, 'data', { write: () => 0 })).toThrow(`${path}: cannot write (EIO)`);
    expect(existsSync(path)).toBe(false);
    expect(debris(root)).toEqual([]);
  });

  it('a parent that is a file, or a missing folder: one line naming the file', () => {
    const file = join(root, 'afile');
    writeFileSync(file, '');
    expect(() => writeFileAtomic(join(file, 'report.md'), 'x')).toThrow(`${join(file, 'report.md')}: cannot write (ENOTDIR)`);
    expect(() => writeFileAtomic(join(root, 'nope', 'report.md'), 'x')).toThrow(`${join(root, 'nope', 'report.md')}: cannot write (ENOENT)`);
    expect(debris(root)).toEqual([]);
  });

  it('a target that is a folder: refused, the folder and its neighbours untouched', () => {
    const dir = join(root, 'isdir');
    mkdirSync(join(dir, 'x.csv'), { recursive: true });
    expect(() => writeFileAtomic(join(dir, 'x.csv'), 'a,b\n')).toThrow(/x\.csv: cannot write \((EISDIR|EEXIST|ENOTEMPTY)\)/);
    expect(readdirSync(dir)).toEqual(['x.csv']);
  });

  it('SIGINT during a write: the write finishes, then the signal ends the process; no temporary file remains', () => {
    const dir = join(root, 'sigint');
    mkdirSync(dir);
    const built = join(__dirname, '../packages/psilon/dist/experiments/files.js');
    if (!existsSync(built)) throw new Error(`${built} is missing: run 'pnpm build' first (the child process runs the built writer)`);
    const url = pathToFileURL(built).href;
    const script = `
      import { writeSync } from 'node:fs';
      import { writeFileAtomic } from ${JSON.stringify(url)};
      let sent = false;
      const write = (fd, b, off, len) => {
        if (!sent) { sent = true; process.kill(process.pid, 'SIGINT'); }
        return writeSync(fd, b, off, Math.min(len, 4096));
      };
      writeFileAtomic(${JSON.stringify(join(dir, 'big.json'))}, 'y'.repeat(1 << 20), { write });
      setTimeout(() => console.log('survived the signal'), 3000);
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toMatch(/survived/); // the signal was held back, not swallowed
    expect(r.signal).toBe('SIGINT');
    expect(debris(dir)).toEqual([]);
    expect(readFileSync(join(dir, 'big.json'), 'utf8')).toHaveLength(1 << 20);
  });
});

describe('writeReport', () => {
  const result: ExperimentResult = {
    name: 't', title: 'T', table: { headers: ['a'], rows: [[1]] }, notes: [], settings: {},
    plots: [{ file: 'curve.svg', title: 'curve', svg: '<svg/>', csv: 'x,y\n1,2\n' }],
  };
  const meta = { backend: 'cpu', seconds: 1, command: 'psilon experiment t' };

  it('writes every plot through the atomic writer: a plot that cannot be written leaves no 0-byte file and no debris', () => {
    const dir = join(root, 'report');
    mkdirSync(join(dir, 'curve.svg'), { recursive: true }); // something in the way of the plot
    expect(() => writeReport(result, dir, meta)).toThrow(`${join(dir, 'curve.svg')}: cannot write`);
    expect(readdirSync(dir).sort()).toEqual(['curve.svg']);
  });

  it('writes the plotted numbers beside each SVG, and a named report prefixes its plots', () => {
    const dir = join(root, 'report2');
    writeReport(result, dir, meta);
    writeReport(result, dir, meta, { name: 'report-merged' });
    expect(readdirSync(dir).sort()).toEqual(['curve.csv', 'curve.svg', 'report-merged-curve.csv', 'report-merged-curve.svg', 'report-merged.md', 'report.md']);
    expect(readFileSync(join(dir, 'curve.csv'), 'utf8')).toBe('x,y\n1,2\n');
    expect(readFileSync(join(dir, 'report-merged.md'), 'utf8')).toContain('](report-merged-curve.csv)');
  });
});

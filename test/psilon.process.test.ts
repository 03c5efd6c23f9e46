/**
 * The `psilon` command as a process, where the in-process table of bad inputs cannot
 * reach: a reader that closes stdout early (`psilon … | head`) and Ctrl-C in the middle
 * of a serial experiment. Runs the built CLI (packages/psilon/dist/cli.js).
 */
import { spawnSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../packages/psilon/dist/cli.js', import.meta.url));

interface Ended { code: number | null; signal: NodeJS.Signals | null; out: string; err: string }

/**
 * Spawns `psilon <args>`; `onOut` sees stdout as it arrives and may act on the child
 * (close its stdout, send it a signal). A child still running after 60 s is killed.
 */
function psilon(args: string[], onOut: (text: string, child: ReturnType<typeof spawn>) => void, cwd?: string): Promise<Ended> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd });
    let out = '', err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout!.on('data', (b: Buffer) => { out += b.toString(); onOut(out, child); });
    child.stdout!.on('error', () => { /* we closed it */ });
    child.stderr!.on('data', (b: Buffer) => { err += b.toString(); });
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, out, err }); });
  });
}

/** Every file under `dir`, relative. */
function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

describe('psilon as a process', () => {
  it('a reader that closes stdout after one line ends the run quietly: no EPIPE stack', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'psilon-epipe-'));
    // the first line arrives before any point runs; the run then writes many more lines
    const r = await psilon(['experiment', 'figure1', '--quick', '--backend', 'cpu', '--out', dir], (_t, c) => { c.stdout!.destroy(); });
    expect(r.err).not.toMatch(/EPIPE|Unhandled 'error' event|\n\s+at /);
    expect(r.err).toBe('');
    // the convention of a process ended by SIGPIPE: 128 + 13
    expect(r.code).toBe(141);
    expect(files(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 70_000);

  it.skipIf(!existsSync('/dev/full'))('a full stdout (/dev/full) is one line on stderr and exit 1, not a stack', () => {
    const fd = openSync('/dev/full', 'w');
    try {
      const r = spawnSync(process.execPath, [CLI, '--help'], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8', timeout: 20_000 });
      expect(r.stderr).toBe('psilon: cannot write to stdout (ENOSPC)\n');
      expect(r.status).toBe(1);
    } finally {
      closeSync(fd);
    }
  });

  it('Ctrl-C in a serial run stops it at once, not after the grid; resuming reuses the finished points', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'psilon-sigint-'));
    const args = ['experiment', 'mnist', '--quick', '--backend', 'cpu', '--out', dir];
    let sent = false;
    const r = await psilon(args, (t, c) => {
      if (!sent && /: done in/.test(t)) { sent = true; c.kill('SIGINT'); }
    });
    expect(r.signal).toBe('SIGINT');
    const done = (r.out.match(/: done in/g) ?? []).length;
    // six points in all; the signal came after the first, so at most the one in flight also finished
    expect(done).toBeGreaterThanOrEqual(1);
    expect(done).toBeLessThanOrEqual(2);
    expect(r.out).not.toMatch(/report:/);
    expect(files(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const again = await psilon(args, () => {});
    expect(again.code, again.err).toBe(0);
    expect(again.out).toMatch(new RegExp(`${6 - done} point\\(s\\) run, ${done} already done`));
  }, 130_000);

  it('psilon report of a run on a relative --file works from another folder (run.json records where the file is)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'psilon-relative-'));
    mkdirSync(join(dir, 'project'));
    writeFileSync(join(dir, 'project', 'd.csv'), `a,b,y\n${Array.from({ length: 40 }, (_, i) => `${i},${(i * 7) % 5},${i * 0.5 + ((i * 3) % 4)}`).join('\n')}\n`);
    const first = await psilon(['experiment', 'tabular', '--quick', '--backend', 'cpu', '--file', 'd.csv', '--target', 'y', '--run-dir', 'run'], () => {}, join(dir, 'project'));
    expect(first.code, first.err).toBe(0);
    // from the folder above, and from inside the run folder
    for (const [cwd, folder] of [[dir, 'project/run'], [join(dir, 'project', 'run'), '.']] as const) {
      const r = await psilon(['report', folder], () => {}, cwd);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/merged 4 points/);
    }
  }, 60_000);
});

/**
 * The one writer of result files (reports, plots, their CSVs, point files, run records):
 * a temporary file in the same folder, then a rename over the target, so a reader
 * sees the old file or the new one, never half of one. On any failure the
 * temporary file is removed and the error names the target (`<path>: cannot write
 * (ENOSPC)`). While a write is in progress SIGINT and SIGTERM are held back: the
 * write finishes (or fails and cleans up) first, then the signal takes its usual
 * effect, so an interrupt never leaves a temporary file behind.
 */
import { closeSync, existsSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Options of {@link writeFileAtomic}. */
export interface WriteFileOptions {
  /** Writes bytes to an open descriptor, as `fs.writeSync` (default); tests inject failures here. */
  write?: (fd: number, data: Uint8Array, offset: number, length: number) => number;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
let writing = 0;

/**
 * While a write runs, a signal handler is installed so that a signal waits for the
 * write to end instead of killing the process in the middle. Node delivers the
 * signal to the handler on a later turn of the event loop; the handler is kept
 * until then (two `setImmediate`s: one poll phase, which reads pending signals,
 * lies between), and re-raises the signal when nobody else listens for it.
 */
function onSignal(sig: NodeJS.Signals): void {
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  writing = 0;
  if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
}

function holdSignals(): void {
  if (writing++ === 0) for (const s of SIGNALS) process.on(s, onSignal);
}

function releaseSignals(): void {
  setImmediate(() => setImmediate(() => {
    if (writing > 0 && --writing === 0) for (const s of SIGNALS) process.removeListener(s, onSignal);
  }));
}

/**
 * Resolves once every write's hold on SIGINT and SIGTERM has been released (the two
 * `setImmediate`s of `releaseSignals`), delivering a signal that arrived meanwhile.
 * Long synchronous work (a grid point trained on the main thread) must await this
 * first: otherwise the hold stays on for the whole of it and Ctrl-C waits for the end.
 */
export function signalsSettled(): Promise<void> {
  return new Promise((resolve) => { setImmediate(() => setImmediate(() => setImmediate(resolve))); });
}

const errorCode = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/**
 * Writes `data` to `path` atomically: a temporary file `.<name>.<pid>.<n>.tmp` in the same
 * folder, written in full, then renamed over `path`. Throws `<path>: cannot write (<code>)`
 * and leaves no temporary file when anything fails.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, options: WriteFileOptions = {}): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const write = options.write ?? ((fd, b, off, len) => writeSync(fd, b, off, len));
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${(tmpCount = (tmpCount + 1) % 1e9)}.tmp`);
  holdSignals();
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx');
    for (let off = 0; off < bytes.length;) {
      const n = write(fd, bytes, off, bytes.length - off);
      if (!(n > 0)) throw Object.assign(new Error('short write'), { code: 'EIO' });
      off += n;
    }
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) try { closeSync(fd); } catch { /* already failing */ }
    try { rmSync(tmp, { force: true }); } catch { /* nothing was created */ }
    throw new Error(`${path}: cannot write (${errorCode(e)})`);
  } finally {
    releaseSignals();
  }
}
let tmpCount = 0;

/** {@link writeFileAtomic} of `data` as JSON. */
export function writeJsonAtomic(path: string, data: unknown, options?: WriteFileOptions): void {
  writeFileAtomic(path, JSON.stringify(data), options);
}

/** True when process `pid` is alive (on this machine). */
function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/**
 * Removes the temporary files {@link writeFileAtomic} left in `dir` when a process that
 * wrote there was killed outright (SIGKILL, a power cut): those of processes no longer
 * running. Returns their names.
 */
export function removeStaleTemporaries(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const stale = readdirSync(dir).filter((f) => {
    const m = /^\..+\.(\d+)\.\d+\.tmp$/.exec(f);
    return m !== null && Number(m[1]) !== process.pid && !alive(Number(m[1]));
  });
  for (const f of stale) rmSync(join(dir, f), { force: true });
  return stale;
}

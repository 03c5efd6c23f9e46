/**
 * Output paths checked before any work: an output must never be one of the user's input
 * files (compared after resolving links, and by device and inode for hard links), a file
 * output must not name a folder (nor a folder output a file), and the place must be writable.
 */
import { lstatSync, mkdirSync, readlinkSync, realpathSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { writeFileAtomic } from '../experiments/index.js';
import { UsageError } from './args.js';

/** A path the user gave, with the flag that gave it. */
export interface PathArg { flag: string; path: string }

/**
 * The real path `p` refers to, also when it does not exist yet: a dangling link is followed
 * to its target, a missing file is resolved through the real path of its nearest existing folder.
 */
export function realish(p: string, depth = 0): string {
  const abs = resolve(p);
  try { return realpathSync(abs); } catch { /* missing or dangling */ }
  try {
    if (depth < 40 && lstatSync(abs).isSymbolicLink()) {
      const target = readlinkSync(abs);
      return realish(isAbsolute(target) ? target : join(dirname(abs), target), depth + 1);
    }
  } catch { /* missing */ }
  const parent = dirname(abs);
  return parent === abs ? abs : join(realish(parent, depth), basename(abs));
}

/** Whether two paths are one file: the same real path, or the same device and inode (a hard link). */
function sameFile(a: string, b: string): boolean {
  if (realish(a) === realish(b)) return true;
  try {
    const x = statSync(a), y = statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/** Virtual file systems: a link into one (/dev/stdout → /proc/self/fd/1, /dev/null) is no place for a file. */
const SPECIAL = ['/proc/', '/dev/', '/sys/'];

/**
 * The first target under /proc, /dev or /sys on the chain of links starting at `p` (when `p`
 * is a link), else undefined. The atomic writer renames a new file over `p`, which would
 * replace such a link (as root, /dev/stdout itself) with a plain file.
 */
function specialLinkTarget(p: string): string | undefined {
  let at = resolve(p);
  for (let hop = 0; hop < 40; hop++) {
    let target: string;
    try { if (!lstatSync(at).isSymbolicLink()) return undefined; target = readlinkSync(at); } catch { return undefined; }
    at = isAbsolute(target) ? target : join(dirname(at), target);
    if (SPECIAL.some((d) => at.startsWith(d)) && !at.startsWith('/dev/shm/')) return at;
  }
  return undefined;
}

/** What a non-regular file is, in words. */
function kindOf(st: Stats): string {
  return st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isSocket() ? 'a socket' : 'not a plain file';
}

/** Refuses `out` when it is one of `inputs`, naming both. */
export function refuseInputs(out: PathArg, inputs: readonly PathArg[], what = ''): void {
  for (const i of inputs) {
    if (sameFile(out.path, i.path)) {
      throw new UsageError(`${out.flag} ${out.path}${what} is the ${i.flag} file ${i.path}: it would be overwritten; choose another path`);
    }
  }
}

/** The nearest existing folder at or above `p`. */
function existingAncestor(p: string): string {
  let d = resolve(p);
  for (;;) {
    try { if (statSync(d).isDirectory()) return d; } catch { /* not there */ }
    const up = dirname(d);
    if (up === d) return d;
    d = up;
  }
}

/** Fails unless a file can be created in `dir` (or, when it does not exist yet, in the folder it would be made in). */
function probe(flag: string, dir: string): void {
  const at = existingAncestor(dir);
  const file = join(at, `.psilon-probe-${process.pid}`);
  try {
    writeFileSync(file, '');
    rmSync(file);
  } catch (e) {
    throw new UsageError(`${flag}: cannot write to ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  // a file where a folder of the path should be
  for (let d = resolve(dir); d !== at; d = dirname(d)) {
    try { if (!statSync(d).isDirectory()) throw new UsageError(`${flag}: cannot write to ${d} (ENOTDIR): it is a file, not a folder`); } catch (e) { if (e instanceof UsageError) throw e; }
  }
  if (!statSync(at).isDirectory()) throw new UsageError(`${flag}: cannot write to ${at} (ENOTDIR): it is a file, not a folder`);
}

/**
 * Checks a file output before any work: not a folder nor another non-regular file (a FIFO, a
 * device: the rename would replace it), not one of `inputs`, in a writable place. Nothing is created.
 */
export function checkFileOutput(out: PathArg, inputs: readonly PathArg[]): void {
  let st;
  try { st = statSync(out.path); } catch { /* a new file */ }
  if (st?.isDirectory()) throw new UsageError(`${out.flag}: ${out.path} is a folder; name a file`);
  const special = specialLinkTarget(out.path);
  if (special) throw new UsageError(`${out.flag}: ${out.path} is a link to ${special}, a special file; ${out.flag === '--out' ? 'leave out --out to write to stdout, or ' : ''}name a file`);
  // the atomic writer renames a new file over the path: a FIFO, a device (/dev/null) or a link to one would be replaced
  if (st && !st.isFile()) throw new UsageError(`${out.flag}: ${out.path} is not a regular file (${kindOf(st)}); name a file`);
  refuseInputs(out, inputs);
  probe(out.flag, dirname(resolve(out.path)));
}

/**
 * Checks a folder output before any work: not a file, writable, and none of the files it
 * would write there (`files`, relative names; a name ending in '/' is a whole subfolder,
 * `*.svg` any SVG) is one of `inputs`. Nothing is created.
 */
export function checkDirOutput(out: PathArg, inputs: readonly PathArg[], files: readonly string[] = []): void {
  let st;
  try { st = statSync(out.path); } catch { /* a new folder */ }
  if (st && !st.isDirectory()) throw new UsageError(`${out.flag}: ${out.path} is a file, not a folder`);
  const root = realish(out.path);
  for (const i of inputs) {
    const rel = relative(root, realish(i.path));
    if (rel.startsWith('..') || isAbsolute(rel)) continue;
    const hit = files.find((f) => (f.endsWith('/') ? rel.startsWith(f.slice(0, -1) + sep) : f.startsWith('*.') ? !rel.includes(sep) && rel.endsWith(f.slice(1)) : rel === f));
    if (hit) throw new UsageError(`${out.flag} ${out.path}: its ${rel} is the ${i.flag} file ${i.path}: it would be overwritten; choose another folder`);
  }
  for (const f of files.filter((f) => !f.endsWith('/') && !f.startsWith('*.'))) refuseInputs({ flag: out.flag, path: join(out.path, f) }, inputs, '');
  probe(out.flag, out.path);
}

/**
 * Writes a file output checked by {@link checkFileOutput}: its folder made now, the file written
 * atomically. A link is written through, as a shell's `>` would: its target gets the new file,
 * the link stays (the rename would otherwise replace the link itself).
 */
export function writeOutput(path: string, text: string): void {
  let target = path;
  try { if (lstatSync(path).isSymbolicLink()) target = realish(path); } catch { /* a new file */ }
  mkdirSync(dirname(resolve(target)), { recursive: true });
  writeFileAtomic(target, text);
}

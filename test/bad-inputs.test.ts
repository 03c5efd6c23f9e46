/**
 * Bad inputs to the `psilon` command, one row each: the arguments, the files the row
 * creates, the exit code and the one line of stderr expected. Every row also checks that
 * the files it gave are unchanged, that nothing else appeared beside them (no stray
 * temporary or half-written file), and that stderr holds no raw JavaScript error.
 * A new case is one line in ROWS.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadIris } from 'psilon';
import { runCli } from './helpers/cli.js';

/** A file a row creates: its text or bytes, or a FIFO, a folder, a link, or one of the shared fixtures. */
type Fixture = string | Uint8Array | { fifo: true } | { dir: true } | { symlink: string } | { hardlink: string } | { fixture: keyof typeof shared };

interface Row {
  /** What the row is about. */
  name: string;
  /** Arguments; `@name` is the path of the row's file `name`. */
  args: string[];
  files?: Record<string, Fixture>;
  code: number;
  /** What stderr must match (one line when the code is not 0). */
  err: RegExp;
  /** What stdout must match. */
  out?: RegExp;
  /** Files the row may create beside its own (a successful run's outputs). */
  creates?: string[];
}

const IRIS_COLUMNS = ['sepal length', 'sepal width', 'petal length', 'petal width'];
/** The shared fixtures, filled in beforeAll: an iris CSV, a model trained on it, a regression CSV and a model trained on it. */
const shared = { 'iris.csv': '', 'model.json': '', 'reg.csv': '', 'reg.json': '' };

const TRAIN = ['train', '--backend', 'cpu', '--hidden', '4', '--n-hidden', '1', '--epochs', '6'];
const PREDICT = ['predict', '--backend', 'cpu'];
const EVALUATE = ['evaluate', '--backend', 'cpu'];
const model = { fixture: 'model.json' } as const;
const iris = { fixture: 'iris.csv' } as const;
const reg = { fixture: 'reg.csv' } as const;

const ROWS: Row[] = [
  // 1. nothing a user gave is overwritten (each output flag against each input flag, through links)
  { name: 'train --save = --data', args: [...TRAIN, '--data', '@d.csv', '--target', 'y', '--save', '@d.csv'], files: { 'd.csv': reg }, code: 2, err: /--save .*d\.csv.* is the --data file/ },
  { name: 'train --save = a symlink to --data', args: [...TRAIN, '--data', '@d.csv', '--target', 'y', '--save', '@l.json'], files: { 'd.csv': reg, 'l.json': { symlink: 'd.csv' } }, code: 2, err: /--save .*l\.json.* is the --data file .*d\.csv/ },
  { name: 'train --save = a hard link to --data', args: [...TRAIN, '--data', '@d.csv', '--target', 'y', '--save', '@h.json'], files: { 'd.csv': reg, 'h.json': { hardlink: 'd.csv' } }, code: 2, err: /--save .*h\.json.* is the --data file/ },
  { name: 'train --save through a symlinked folder = --data', args: [...TRAIN, '--data', '@d.csv', '--target', 'y', '--save', '@sub/d.csv'], files: { 'd.csv': reg, sub: { symlink: '.' } }, code: 2, err: /--save .* is the --data file/ },
  { name: 'train --save = --images', args: [...TRAIN, '--data', 'idx', '--images', '@i', '--labels', '@l', '--save', '@i'], files: { i: 'x', l: 'y' }, code: 2, err: /--save .* is the --images file/ },
  { name: 'train --save = --labels', args: [...TRAIN, '--data', 'idx', '--images', '@i', '--labels', '@l', '--save', '@l'], files: { i: 'x', l: 'y' }, code: 2, err: /--save .* is the --labels file/ },
  { name: 'predict --out = --data', args: [...PREDICT, '--model-file', '@m.json', '--data', '@d.csv', '--out', '@d.csv'], files: { 'm.json': model, 'd.csv': iris }, code: 2, err: /--out .* is the --data file/ },
  { name: 'predict --out = --model-file', args: [...PREDICT, '--model-file', '@m.json', '--data', '@d.csv', '--out', '@m.json'], files: { 'm.json': model, 'd.csv': iris }, code: 2, err: /--out .* is the --model-file file/ },
  { name: 'predict --out = a symlink to --model-file', args: [...PREDICT, '--model-file', '@m.json', '--data', '@d.csv', '--out', '@p.csv'], files: { 'm.json': model, 'd.csv': iris, 'p.csv': { symlink: 'm.json' } }, code: 2, err: /--out .*p\.csv.* is the --model-file file .*m\.json/ },
  { name: 'experiment: --file inside the run folder, named as its report', args: ['experiment', 'tabular', '--quick', '--backend', 'cpu', '--file', '@r/report.md', '--target', 'y', '--run-dir', '@r'], files: { r: { dir: true }, 'r/report.md': reg }, code: 2, err: /--run-dir .*report\.md.* is the --file file/ },
  { name: 'experiment: --file as run.json of the run folder', args: ['experiment', 'tabular', '--quick', '--backend', 'cpu', '--file', '@r/run.json', '--target', 'y', '--run-dir', '@r'], files: { r: { dir: true }, 'r/run.json': reg }, code: 2, err: /--run-dir .*run\.json.* is the --file file/ },
  // outputs that cannot be written are refused before any work
  { name: 'train --save naming a folder', args: [...TRAIN, '--data', 'iris', '--save', '@f'], files: { f: { dir: true } }, code: 2, err: /--save: .*f is a folder/ },
  { name: 'predict --out naming a folder (EISDIR)', args: [...PREDICT, '--model-file', '@m.json', '--data', '@d.csv', '--out', '@f'], files: { 'm.json': model, 'd.csv': iris, f: { dir: true } }, code: 2, err: /--out: .*f is a folder/ },
  { name: 'predict --out a link writes through it: the link stays, its target is written', args: [...PREDICT, '--model-file', '@m.json', '--data', '@d.csv', '--out', '@l.csv'], files: { 'm.json': model, 'd.csv': iris, 'l.csv': { symlink: 'out/new.csv' } }, code: 0, err: /wrote 150 predictions to .*l\.csv/, creates: ['out'] },
  { name: 'train --save a link writes through it', args: [...TRAIN, '--data', 'iris', '--save', '@l.json'], files: { 'l.json': { symlink: 'm.json' } }, code: 0, err: /^$/, out: /saved to .*l\.json/, creates: ['m.json'] },
  { name: 'predict --out an empty path', args: [...PREDICT, '--model-file', '@m.json', '--data', '@d.csv', '--out', ''], files: { 'm.json': model, 'd.csv': iris }, code: 2, err: /--out: an empty path/ },
  { name: 'predict --out naming a FIFO (it would be replaced by a file)', args: [...PREDICT, '--model-file', '@m.json', '--data', '@d.csv', '--out', '@p'], files: { 'm.json': model, 'd.csv': iris, p: { fifo: true } }, code: 2, err: /--out: .*p is not a regular file \(a FIFO\)/ },
  { name: 'predict --out naming a link to a FIFO', args: [...PREDICT, '--model-file', '@m.json', '--data', '@d.csv', '--out', '@l.csv'], files: { 'm.json': model, 'd.csv': iris, p: { fifo: true }, 'l.csv': { symlink: 'p' } }, code: 2, err: /--out: .*l\.csv is not a regular file \(a FIFO\)/ },
  // /dev/stdout is a link to /proc/self/fd/1, which is a regular file when stdout is redirected to one
  { name: 'predict --out naming a link into /proc (as /dev/stdout is)', args: [...PREDICT, '--model-file', '@m.json', '--data', '@d.csv', '--out', '@stdout'], files: { 'm.json': model, 'd.csv': iris, stdout: { symlink: '/proc/self/status' } }, code: 2, err: /--out: .*stdout is a link to \/proc\/self\/status, a special file; leave out --out to write to stdout/ },
  { name: 'train --save naming a link to /dev/null', args: [...TRAIN, '--data', 'iris', '--save', '@null'], files: { null: { symlink: '/dev/null' } }, code: 2, err: /--save: .*null is a link to \/dev\/null, a special file/ },
  { name: 'train --save naming a FIFO', args: [...TRAIN, '--data', 'iris', '--save', '@p'], files: { p: { fifo: true } }, code: 2, err: /--save: .*p is not a regular file \(a FIFO\)/ },
  { name: 'predict --out under /proc', args: [...PREDICT, '--model-file', '@m.json', '--data', '@d.csv', '--out', '/proc/psilon-out.csv'], files: { 'm.json': model, 'd.csv': iris }, code: 2, err: /--out: cannot write/ },
  { name: 'train --save under /proc', args: [...TRAIN, '--data', 'iris', '--save', '/proc/m.json'], code: 2, err: /--save: cannot write/ },
  { name: 'experiment --run-dir naming a file', args: ['experiment', 'pruning', '--quick', '--backend', 'cpu', '--run-dir', '@x'], files: { x: 'a file' }, code: 2, err: /--run-dir: .*x is a file, not a folder/ },
  { name: 'report --out naming a file', args: ['report', '--out', '@x', '@r'], files: { x: 'a file', r: { dir: true }, 'r/run.json': '{"experiment":"pruning","options":{"size":"quick","seed":0}}' }, code: 2, err: /--out: .*x is a file, not a folder/ },
  // 3. bounded work: FIFOs, folders and compressed files are refused before reading
  { name: 'a FIFO as --data (train)', args: [...TRAIN, '--data', '@p.csv', '--target', 'y'], files: { 'p.csv': { fifo: true } }, code: 1, err: /p\.csv: is not a regular file/ },
  { name: 'a FIFO as --data (predict)', args: [...PREDICT, '--model-file', '@m.json', '--data', '@p.csv'], files: { 'm.json': model, 'p.csv': { fifo: true } }, code: 1, err: /p\.csv: is not a regular file/ },
  { name: 'a FIFO as --model-file', args: [...PREDICT, '--model-file', '@p.json', '--data', '@d.csv'], files: { 'd.csv': iris, 'p.json': { fifo: true } }, code: 1, err: /p\.json: is not a regular file/ },
  { name: 'a FIFO as --images', args: [...TRAIN, '--data', 'idx', '--images', '@p', '--labels', '@l'], files: { p: { fifo: true }, l: 'y' }, code: 1, err: /p: is not a regular file/ },
  { name: 'a folder as --data', args: [...TRAIN, '--data', '@f.csv', '--target', 'y'], files: { 'f.csv': { dir: true } }, code: 1, err: /f\.csv: is a folder/ },
  { name: 'a folder as --model-file', args: [...PREDICT, '--model-file', '@f', '--data', '@d.csv'], files: { f: { dir: true }, 'd.csv': iris }, code: 1, err: /f: is a folder/ },
  { name: 'gzip as CSV (train)', args: [...TRAIN, '--data', '@z.csv', '--target', 'y'], files: { 'z.csv': gzipSync('a,y\n1,2\n') }, code: 1, err: /z\.csv: is gzip-compressed/ },
  { name: 'gzip as CSV (predict)', args: [...PREDICT, '--model-file', '@m.json', '--data', '@z.csv'], files: { 'm.json': model, 'z.csv': gzipSync('a,y\n1,2\n') }, code: 1, err: /z\.csv: is gzip-compressed/ },
  { name: '--workers 0', args: ['experiment', 'pruning', '--quick', '--workers', '0'], code: 2, err: /--workers must be an integer ≥ 1/ },
  { name: '--workers 999 is capped at the points of the shard', args: ['experiment', 'pruning', '--quick', '--backend', 'cpu', '--workers', '999', '--shard', '3/3', '--out', '@o'], code: 0, err: /^$/, out: /--workers 999 capped at 1/, creates: ['o'] },
  { name: 'a FIFO as experiment --file', args: ['experiment', 'tabular', '--quick', '--backend', 'cpu', '--file', '@p.csv', '--target', 'y', '--out', '@o'], files: { 'p.csv': { fifo: true } }, code: 1, err: /p\.csv: is not a regular file/ },
  { name: 'a truncated IDX images file names the file', args: [...TRAIN, '--data', 'idx', '--images', '@i', '--labels', '@l'], files: { i: new Uint8Array([0, 0, 8, 3, 0, 0, 0, 2]), l: new Uint8Array([0, 0, 8, 1, 0, 0, 0, 1, 1]) }, code: 1, err: /\/i: IDX: header declares 3 dims/ },
  { name: 'an IDX labels file claiming 200k labels names the file', args: [...TRAIN, '--data', 'idx', '--images', '@i', '--labels', '@l'], files: { i: new Uint8Array([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 5]), l: new Uint8Array([0, 0, 8, 1, 0, 3, 0x0d, 0x40]) }, code: 1, err: /\/l: IDX: expected 200000 bytes/ },
  { name: 'bench --sizes too large', args: ['bench', '--backend', 'cpu', '--sizes', '100000'], code: 2, err: /--sizes: 100000 is over the largest size/ },
  { name: 'an empty table to score', args: [...PREDICT, '--model-file', '@m.json', '--data', '@d.csv'], files: { 'm.json': model, 'd.csv': 'sepal length,sepal width,petal length,petal width\n' }, code: 1, err: /d\.csv: no data rows/ },
  { name: 'a damaged run.json in report', args: ['report', '@r'], files: { r: { dir: true }, 'r/run.json': '{"experiment":"prun' }, code: 1, err: /run\.json: not a run record: the JSON is damaged/ },
  // 4. damaged model files: one line naming the file
  { name: 'a truncated model file', args: [...PREDICT, '--model-file', '@m.json', '--data', '@d.csv'], files: { 'm.json': '{"format":"psilon-model","version":2,"config":{"ar', 'd.csv': iris }, code: 1, err: /m\.json: not a saved model: the JSON is damaged/ },
  { name: 'an empty model file', args: [...PREDICT, '--model-file', '@m.json', '--data', '@d.csv'], files: { 'm.json': '', 'd.csv': iris }, code: 1, err: /m\.json: not a saved model/ },
  { name: 'a model file holding null', args: [...PREDICT, '--model-file', '@m.json', '--data', '@d.csv'], files: { 'm.json': 'null', 'd.csv': iris }, code: 1, err: /m\.json: .*not a saved psilon model/ },
  { name: 'a deeply nested model file', args: [...PREDICT, '--model-file', '@m.json', '--data', '@d.csv'], files: { 'm.json': '['.repeat(200_000) + ']'.repeat(200_000), 'd.csv': iris }, code: 1, err: /m\.json: / },
  { name: 'a model without preprocessing', args: [...PREDICT, '--model-file', '@m.json', '--data', '@d.csv'], files: { 'm.json': { fixture: 'model.json' }, 'd.csv': iris }, code: 1, err: /m\.json: the model was saved without its preprocessing/, ...strip('preprocessing') },
  { name: 'a model whose preprocessing is damaged', args: [...PREDICT, '--model-file', '@m.json', '--data', '@d.csv'], files: { 'm.json': model, 'd.csv': iris }, code: 1, err: /m\.json: preprocessing\.features must be an array of column names/, ...damage((p) => { p.features = 'x'; }) },
  { name: 'a model whose preprocessing std has a null', args: [...PREDICT, '--model-file', '@m.json', '--data', '@d.csv'], files: { 'm.json': model, 'd.csv': iris }, code: 1, err: /m\.json: preprocessing\.std\[0\] is null, not a positive finite number/, ...damage((p) => { (p.std as unknown[])[0] = null; }) },
  { name: 'a model whose classes do not fit its outputs', args: [...PREDICT, '--model-file', '@m.json', '--data', '@d.csv'], files: { 'm.json': model, 'd.csv': iris }, code: 1, err: /m\.json: preprocessing\.classes must be 3 distinct class names for this multiclass model/, ...damage((p) => { p.classes = ['a', 'b']; }) },
  // 4. scoring a file that does not fit the model
  { name: 'evaluate without the target column', args: [...EVALUATE, '--model-file', '@m.json', '--data', '@d.csv'], files: { 'm.json': model, 'd.csv': 'sepal length,sepal width,petal length,petal width\n1,2,3,4\n' }, code: 1, err: /d\.csv has no target column 'species'/ },
  { name: 'predict without a feature column', args: [...PREDICT, '--model-file', '@m.json', '--data', '@d.csv'], files: { 'm.json': model, 'd.csv': 'sepal length,sepal width,petal length\n1,2,3\n' }, code: 1, err: /d\.csv lacks the feature column\(s\) petal width that the model was trained on$/ },
  { name: 'predict with text in a numeric feature', args: [...PREDICT, '--model-file', '@m.json', '--data', '@d.csv'], files: { 'm.json': model, 'd.csv': 'sepal length,sepal width,petal length,petal width\n1,2,3,4\n1,2,3,wide\n' }, code: 1, err: /d\.csv: .*petal width.*'wide' is not a number/ },
  // 5. the schedule: fails before the data is read, naming the fix
  { name: '--epochs below what OneCycle needs', args: ['train', '--data', '@missing.csv', '--target', 'y', '--epochs', '3'], code: 2, err: /--epochs 3 is too few for --schedule onecycle .*--epochs 6.*--schedule constant/ },
  { name: '--schedule unknown', args: ['train', '--schedule', 'cosine'], code: 2, err: /--schedule must be constant or onecycle, got 'cosine'/ },
  { name: '--pct-start out of range', args: ['train', '--pct-start', '1.5'], code: 2, err: /--pct-start must be a number in \(0, 1\)/ },
  { name: 'λ = ∞', args: ['train', '--lambda', 'Infinity'], code: 2, err: /--lambda must be a number ≥ 0, got 'Infinity'/ },
  { name: 'a negative seed', args: ['train', '--seed=-1'], code: 2, err: /--seed must be an integer ≥ 0/ },
  { name: 'a two-character --delimiter', args: [...TRAIN, '--data', '@d.csv', '--target', 'y', '--delimiter', ';;'], files: { 'd.csv': reg }, code: 2, err: /--delimiter must be one character/ },
  { name: 'a data file without --target', args: [...TRAIN, '--data', '@d.csv'], files: { 'd.csv': reg }, code: 2, err: /--data .*d\.csv needs --target <column>/ },
  { name: 'train --save into a new folder works', args: [...TRAIN, '--data', 'iris', '--save', '@new/sub/m.json'], code: 0, err: /^$/, out: /saved to .*m\.json/, creates: ['new'] },
  // 6. usage
  { name: 'an unknown flag', args: ['train', '--frobnicate'], code: 2, err: /Unknown option '--frobnicate'.*psilon train --help/ },
  { name: 'an unknown command', args: ['frobnicate'], code: 2, err: /unknown command 'frobnicate'.*psilon --help/ },
  { name: 'a flag without its value', args: ['train', '--epochs'], code: 2, err: /--epochs/ },
  { name: '--threads 0', args: ['train', '--threads', '0'], code: 2, err: /--threads must be an integer ≥ 1/ },
  { name: '--threads with the cpu backend', args: ['bench', '--backend', 'cpu', '--threads', '2', '--sizes', '8'], code: 2, err: /--threads applies to the wasm backend/ },
  { name: 'predict without --model-file', args: ['predict', '--data', 'x.csv'], code: 2, err: /--model-file and --data are required/ },
  { name: '--data idx without --labels', args: [...TRAIN, '--data', 'idx', '--images', '@i'], files: { i: 'x' }, code: 2, err: /--data idx needs --images <file> and --labels <file>/ },
  { name: 'an unknown dataset', args: [...TRAIN, '--data', 'data.txt'], code: 2, err: /--data: unknown dataset 'data\.txt'/ },
  // columns the model does not read are not typed: whatever they hold, they cannot fail the file
  { name: 'predict: an extra column of numbers and a stray word is ignored', args: [...PREDICT, '--model-file', '@m.json', '--data', '@d.csv'], files: { 'm.json': model, 'd.csv': 'sepal length,sepal width,petal length,petal width,zip\n5.1,3.5,1.4,0.2,02134\n6.3,3.3,6,2.5,N/A\n5.9,3,4.2,1.5,10001\n' }, code: 0, err: /ignored 1 column\(s\) the model was not trained on: zip/, out: /^species_predicted,probability\n(\w+,[\d.]+\n){2}\w+,[\d.]+$/ },
  { name: 'evaluate: an extra column of numbers and a stray word is ignored', args: [...EVALUATE, '--model-file', '@m.json', '--data', '@d.csv'], files: { 'm.json': model, 'd.csv': 'sepal length,sepal width,petal length,petal width,species,zip\n5.1,3.5,1.4,0.2,setosa,02134\n6.3,3.3,6,2.5,virginica,N/A\n5.9,3,4.2,1.5,versicolor,10001\n' }, code: 0, err: /ignored 1 column\(s\)/, out: /rows\s+3/ },
  { name: 'predict: a regression model ignores its target column, whatever it holds', args: [...PREDICT, '--model-file', '@r.json', '--data', '@d.csv'], files: { 'r.json': { fixture: 'reg.json' }, 'd.csv': 'a,b,y\n1,2,3.5\n2,3,unknown\n3,4,4.5\n' }, code: 0, err: /^$/, out: /^y_predicted\n(-?[\d.e-]+\n){2}-?[\d.e-]+$/ },
  { name: 'a missing --model-file', args: [...PREDICT, '--model-file', '@nope.json', '--data', '@d.csv'], files: { 'd.csv': iris }, code: 1, err: /nope\.json: cannot read the model file \(ENOENT\)/ },
];

/** A row whose model file is the shared model with `key` removed. */
function strip(key: string): Partial<Row> & { edit: (m: Record<string, unknown>) => void } {
  return { edit: (m) => { delete m[key]; } };
}
/** A row whose model file is the shared model with its preprocessing edited. */
function damage(f: (p: Record<string, unknown>) => void): Partial<Row> & { edit: (m: Record<string, unknown>) => void } {
  return { edit: (m) => f(m.preprocessing as Record<string, unknown>) };
}

/** stderr must never show a raw JavaScript error or a stack trace. */
const RAW = /TypeError|ReferenceError|Cannot read properties|Invalid typed array|Unexpected token|Unexpected end of JSON|Maximum call stack|^\s+at |\n\s+at /;

/** Every entry under `dir` (relative paths; links not followed) with a hash of each regular file's bytes. */
function snapshot(dir: string, rel = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of readdirSync(join(dir, rel))) {
    const r = rel ? `${rel}/${name}` : name;
    const st = lstatSync(join(dir, r));
    if (st.isDirectory()) { out.set(r, 'dir'); for (const [k, v] of snapshot(dir, r)) out.set(k, v); } else if (st.isFile()) out.set(r, createHash('sha256').update(readFileSync(join(dir, r))).digest('hex'));
    else out.set(r, st.isSymbolicLink() ? 'link' : 'special');
  }
  return out;
}

function make(dir: string, files: Record<string, Fixture>, edit?: (m: Record<string, unknown>) => void): void {
  for (const [name, f] of Object.entries(files)) {
    const p = join(dir, name);
    if (typeof f === 'string' || f instanceof Uint8Array) writeFileSync(p, f);
    else if ('fifo' in f) execFileSync('mkfifo', [p]);
    else if ('dir' in f) mkdirSync(p, { recursive: true });
    else if ('symlink' in f) symlinkSync(f.symlink, p);
    else if ('hardlink' in f) linkSync(join(dir, f.hardlink), p);
    else if (f.fixture === 'model.json' && edit) { const m = JSON.parse(shared['model.json']) as Record<string, unknown>; edit(m); writeFileSync(p, JSON.stringify(m)); } else writeFileSync(p, shared[f.fixture]);
  }
}

describe('bad inputs: one line each, nothing overwritten, nothing left behind', () => {
  const root = mkdtempSync(join(tmpdir(), 'psilon-bad-'));

  beforeAll(async () => {
    const ir = loadIris();
    const lines = [[...IRIS_COLUMNS, 'species'].join(',')];
    for (let i = 0; i < ir.n; i++) lines.push([...ir.x.subarray(i * ir.d, (i + 1) * ir.d), ir.classes[ir.y[i]!]].join(','));
    shared['iris.csv'] = `${lines.join('\n')}\n`;
    shared['reg.csv'] = `a,b,y\n${Array.from({ length: 40 }, (_, i) => `${i},${(i * 7) % 5},${i * 0.5 + ((i * 3) % 4)}`).join('\n')}\n`;
    const m = join(root, 'model.json');
    const r = await runCli([...TRAIN, '--data', 'iris', '--save', m]);
    expect(r.code, r.err).toBe(0);
    shared['model.json'] = readFileSync(m, 'utf8');
    writeFileSync(join(root, 'reg.csv'), shared['reg.csv']);
    const rm = join(root, 'reg.json');
    const rr = await runCli([...TRAIN, '--data', join(root, 'reg.csv'), '--target', 'y', '--save', rm]);
    expect(rr.code, rr.err).toBe(0);
    shared['reg.json'] = readFileSync(rm, 'utf8');
  });

  for (const row of ROWS) {
    it(row.name, async () => {
      const dir = mkdtempSync(join(root, 'row-'));
      make(dir, row.files ?? {}, (row as Row & { edit?: (m: Record<string, unknown>) => void }).edit);
      const before = snapshot(dir);
      const r = await runCli(row.args.map((a) => (a.startsWith('@') ? join(dir, a.slice(1)) : a)));
      expect(r.err).not.toMatch(RAW);
      expect(r.err).toMatch(row.err);
      if (row.out) expect(r.out).toMatch(row.out);
      expect(r.code, r.err).toBe(row.code);
      if (row.code !== 0) expect(r.err.split('\n'), 'one line of stderr').toHaveLength(1);
      const after = snapshot(dir);
      for (const [k, v] of before) expect(after.get(k), `${k} unchanged`).toBe(v);
      const extra = [...after.keys()].filter((k) => !before.has(k) && !(row.creates ?? []).some((c) => k === c || k.startsWith(`${c}/`)));
      expect(extra, 'nothing left behind').toEqual([]);
    });
  }
});

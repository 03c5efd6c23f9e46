/** Reading a user's input files: regular files only, bounded size, strict UTF-8, the path in every error. */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readInputBytes, readInputText } from 'psilon';

const dir = mkdtempSync(join(tmpdir(), 'psilon-read-'));

describe('readInputBytes / readInputText', () => {
  it('reads a regular file whole', () => {
    const f = join(dir, 'ok.csv');
    writeFileSync(f, '\uFEFFa,b\n1,2\n');
    expect(readInputText(f)).toBe('a,b\n1,2\n');
    expect(readInputBytes(f).length).toBe(11);
  });

  it('refuses a FIFO at once instead of hanging, a folder, a missing file, naming the path', () => {
    const fifo = join(dir, 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    expect(() => readInputText(fifo, { what: 'data file' })).toThrow(`${fifo}: is not a regular file (a FIFO, device or socket); give the data file as a file`);
    expect(() => readInputText(dir, { what: 'model file' })).toThrow(`${dir}: is a folder, not a model file`);
    expect(() => readInputText(join(dir, 'nope.csv'))).toThrow(/nope\.csv: cannot read the file \(ENOENT\)/);
  });

  it('checks the size before reading', () => {
    const f = join(dir, 'big.csv');
    writeFileSync(f, 'x'.repeat(1000));
    expect(() => readInputBytes(f, { maxBytes: 999, what: 'data file' })).toThrow(`${f}: the data file has 1000 bytes, over the limit of 999 bytes`);
  });

  it('refuses gzip and invalid UTF-8, naming the line', () => {
    const gz = join(dir, 'data.csv');
    writeFileSync(gz, gzipSync('a,b\n1,2\n'));
    expect(() => readInputText(gz)).toThrow(`${gz}: is gzip-compressed; decompress it first (gunzip)`);
    const bad = join(dir, 'latin1.csv');
    writeFileSync(bad, Buffer.concat([Buffer.from('a,b\nx,1\n'), Buffer.from([0x63, 0x61, 0x66, 0xe9]), Buffer.from(',2\n')]));
    expect(() => readInputText(bad)).toThrow(`${bad}: line 3 is not valid UTF-8 (save the file as UTF-8)`);
  });
});

/**
 * Reading a user's input files: regular files only (a FIFO, a device or a folder is refused
 * before anything is read), a size limit checked from `fstat` before reading, and the file's
 * path in every error. Text is strict UTF-8: an invalid byte sequence is an error naming its line.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** The largest input file read by default (512 MiB): bigger files are refused before reading. */
export const MAX_INPUT_BYTES = 512 * 2 ** 20;

/** Options of {@link readInputBytes} and {@link readInputText}. */
export interface ReadInputOptions {
  /** What the file is, for messages ("data file", "model file", …; default "file"). */
  what?: string;
  /** Refuse files larger than this many bytes (default {@link MAX_INPUT_BYTES}). */
  maxBytes?: number;
}

const errno = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/**
 * The bytes of the regular file at `path`. Opens without blocking (so a FIFO cannot hang the
 * call), checks the type and size with `fstat` on the open descriptor, then reads.
 */
export function readInputBytes(path: string, options: ReadInputOptions = {}): Uint8Array {
  const what = options.what ?? 'file';
  const max = options.maxBytes ?? MAX_INPUT_BYTES;
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw new Error(`${path}: cannot read the ${what} (${errno(e)})`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new Error(`${path}: is a folder, not a ${what}`);
    if (!st.isFile()) throw new Error(`${path}: is not a regular file (a FIFO, device or socket); give the ${what} as a file`);
    if (st.size > max) throw new Error(`${path}: the ${what} has ${st.size} bytes, over the limit of ${max} bytes`);
    const buf = new Uint8Array(st.size);
    let off = 0;
    while (off < buf.length) {
      const n = readSync(fd, buf, off, buf.length - off, off);
      if (n === 0) break;
      off += n;
    }
    return off === buf.length ? buf : buf.subarray(0, off);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code) throw new Error(`${path}: cannot read the ${what} (${errno(e)})`);
    throw e;
  } finally {
    closeSync(fd);
  }
}

/** True when byte `i` ends a line: LF, or a CR not followed by LF (CRLF ends at its LF). */
const endsLine = (bytes: Uint8Array, i: number) => bytes[i] === 0x0a || (bytes[i] === 0x0d && bytes[i + 1] !== 0x0a);

/**
 * The text of the file at `path`, decoded as strict UTF-8 (a byte-order mark is dropped).
 * A gzip file is refused with a hint; an invalid UTF-8 sequence is an error naming its line.
 */
export function readInputText(path: string, options: ReadInputOptions = {}): string {
  const bytes = readInputBytes(path, options);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) throw new Error(`${path}: is gzip-compressed; decompress it first (gunzip)`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    // a fatal decode error is a TypeError; anything else (a string too long for the engine) is named as it is
    if (!(e instanceof TypeError)) throw new Error(`${path}: cannot decode the ${options.what ?? 'file'} (${(e as Error).message})`);
    // find the first line that does not decode (lines end with LF, CRLF or a lone CR)
    const dec = new TextDecoder('utf-8', { fatal: true });
    let start = 0, line = 1;
    for (let i = 0; i <= bytes.length; i++) {
      if (i === bytes.length || endsLine(bytes, i)) {
        try { dec.decode(bytes.subarray(start, i)); } catch {
          throw new Error(`${path}: line ${line} is not valid UTF-8 (save the file as UTF-8)`);
        }
        start = i + 1;
        line++;
      }
    }
    throw new Error(`${path}: is not valid UTF-8 (save the file as UTF-8)`);
  }
}

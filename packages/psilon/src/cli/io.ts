/** Where the CLI writes: stdout for results, stderr for notes and errors (injectable for tests). */

/** The CLI's two output streams. */
export interface Io {
  /** Writes text to stdout as is. */
  stdout(text: string): void;
  /** Writes text to stderr as is. */
  stderr(text: string): void;
}

/** The process's own streams. */
export const processIo: Io = {
  stdout: (t) => { process.stdout.write(t); },
  stderr: (t) => { process.stderr.write(t); },
};

/** A line on stdout. */
export const say = (io: Io, line: string): void => io.stdout(`${line}\n`);
/** A line on stderr. */
export const note = (io: Io, line: string): void => io.stderr(`${line}\n`);

#!/usr/bin/env node
/**
 * The `psilon` command: train a model, run an experiment, score a saved model, or benchmark
 * the kernels. `psilon <command> --help` describes each command's options (cli/: one module
 * per command, declared as data in cli/args.ts's form).
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { main } from './cli/main.js';

export { main };

/** True when this file is the program (run directly or through the `psilon` bin link), not imported. */
function isMain(): boolean {
  try {
    return Boolean(process.argv[1]) && realpathSync(process.argv[1]!) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}
/**
 * A reader that closed its end (`psilon … | head`) ends the command quietly, as SIGPIPE
 * ends a C program: exit status 128 + 13, no message. Files are written synchronously and
 * atomically (experiments/files.ts), so ending between two writes leaves none half-written.
 */
function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(141);
    // any other failure of an output stream: one line on the other stream (if it still works), exit 1
    const other = stream === process.stdout ? process.stderr : process.stdout;
    try { other.write(`psilon: cannot write to ${stream === process.stdout ? 'stdout' : 'stderr'} (${e.code ?? e.message})\n`); } catch { /* both are gone */ }
    process.exit(1);
  });
}
if (isMain()) {
  endQuietlyOnClosedPipe(process.stdout);
  endQuietlyOnClosedPipe(process.stderr);
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}

/** The `psilon` command: the command table, the generated usage, and the one error handler. */
import { EXPERIMENTS } from '../experiments/index.js';
import { HelpRequested, parseCommand, UsageError, type CommandDecl } from './args.js';
import { benchCommand } from './bench.js';
import { experimentCommand, reportCommand } from './experiment.js';
import { note, processIo, say, type Io } from './io.js';
import { evaluateCommand, predictCommand } from './score.js';
import { trainCommand } from './train.js';

/** Every command, in the order the usage lists them. */
export const COMMANDS: readonly CommandDecl[] = [trainCommand, experimentCommand, reportCommand, predictCommand, evaluateCommand, benchCommand];

/** The top-level usage, generated from the commands. */
export function usage(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length)) + 3;
  return [
    'psilon — PSiLON Net / PSiLON ResNet (arXiv 2404.19112)', '', 'Usage: psilon <command> [options]', '', 'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}${c.summary}`),
    '', `Experiments: ${Object.keys(EXPERIMENTS).join(', ')}.`,
    "Run 'psilon <command> --help' for the usage and options of a command.",
  ].join('\n');
}

/** Errors of JavaScript itself: reaching the user, they are bugs of psilon, not bad input. */
const RAW_ERRORS = [TypeError, RangeError, SyntaxError, ReferenceError];

/**
 * Runs `psilon <argv>` and returns the exit code: 0 on success, 2 for a usage error, 1 for any
 * other error. Every error is one line on stderr, `psilon: <message>`.
 */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') { say(io, usage()); return cmd ? 0 : 1; }
    const c = COMMANDS.find((k) => k.name === cmd);
    if (!c) throw new UsageError(`unknown command '${cmd}' ('psilon --help' lists the commands)`);
    const { values, positionals } = parseCommand(c, rest);
    await c.run(values, positionals, io, rest);
    return 0;
  } catch (e) {
    if (e instanceof HelpRequested) { say(io, e.message); return 0; }
    const err = e instanceof Error ? e : new Error(String(e));
    const line = err.message.split('\n')[0]!.trim();
    const raw = RAW_ERRORS.some((k) => err.constructor === k);
    note(io, `psilon: ${raw ? `internal error (${err.name}: ${line}); please report it with the command that caused it` : line}`);
    return e instanceof UsageError ? 2 : 1;
  }
}

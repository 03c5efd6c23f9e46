/**
 * The CLI as data: each command is declared once (its options with their help text and
 * defaults, and its `run`); parsing and the help text are derived from the declaration.
 */
import { parseArgs } from 'node:util';
import type { Io } from './io.js';

/** A usage error: a bad flag or value. Exit code 2. */
export class UsageError extends Error {}
/** `--help` on a command: print its help and exit 0 (thrown so that `main` alone decides the exit code). */
export class HelpRequested extends Error {}

/** One option of a command. */
export interface OptionDecl {
  /** Default 'string'. */
  type?: 'string' | 'boolean';
  /** The value's placeholder in the help (default `<x>` for strings). */
  arg?: string;
  help: string;
  /** The default value (shown in the help unless `helpDefault` says otherwise). */
  default?: string;
  /** How the help shows the default (e.g. "every core"); '' shows none. */
  helpDefault?: string;
  short?: string;
}

/** A command's options by flag name (without the dashes). */
export type OptionDecls = Record<string, OptionDecl>;

/** Parsed option values. */
export type Values = Record<string, string | boolean | undefined>;

/** A command: its name, one-line summary, usage lines, description, options and what it runs. */
export interface CommandDecl {
  name: string;
  /** What follows `psilon <name>` in the usage line (e.g. `[options]`, `<run-folder>...`). */
  synopsis: string;
  summary: string;
  /** Paragraphs between the usage and the options. */
  description?: string;
  options: OptionDecls;
  /** Positional arguments allowed (default 0). */
  positionals?: { min: number; max: number };
  run(values: Values, positionals: string[], io: Io, argv: string[]): Promise<void>;
}

/** The `--help` flag every command has. */
export const HELP: OptionDecls = { help: { type: 'boolean', short: 'h', help: 'show this help' } };

/** The `--seed` option of the commands that draw random numbers. */
export const SEED: OptionDecls = { seed: { arg: '<n>', default: '0', help: 'seed of initialisation, splits and shuffles' } };

/** The help text of a command, generated from its declaration. */
export function helpOf(c: CommandDecl): string {
  const lines = [`psilon ${c.name}: ${c.summary}`, '', `Usage: psilon ${c.name} ${c.synopsis}`];
  if (c.description) lines.push('', c.description);
  const flags = Object.entries(c.options).map(([name, o]) => {
    const flag = `--${name}${o.short ? `, -${o.short}` : ''}${(o.type ?? 'string') === 'string' ? ` ${o.arg ?? '<x>'}` : ''}`;
    const def = o.helpDefault ?? (o.default !== undefined ? o.default : '');
    return [flag, `${o.help}${def ? ` (default ${def})` : ''}`] as const;
  });
  const w = Math.max(...flags.map(([f]) => f.length)) + 2;
  lines.push('', 'Options:', ...flags.map(([f, h]) => `  ${f.padEnd(w)}${h}`));
  return lines.join('\n');
}

/** Strict option parsing: an unknown option or a missing value is a usage error naming the command's help. */
export function parseCommand(c: CommandDecl, argv: string[]): { values: Values; positionals: string[] } {
  const options = Object.fromEntries(Object.entries(c.options).map(([name, o]) => [name, {
    type: o.type ?? 'string', ...(o.short ? { short: o.short } : {}), ...(o.default !== undefined ? { default: o.default } : {}),
  }])) as NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>['options']>;
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split('\n')[0]} ('psilon ${c.name} --help' lists the options)`);
  }
  const values = parsed.values as Values;
  if (values.help) throw new HelpRequested(helpOf(c));
  const { min, max } = c.positionals ?? { min: 0, max: 0 };
  if (parsed.positionals.length > max) throw new UsageError(`${c.name}: unexpected argument '${parsed.positionals[max]}' ('psilon ${c.name} --help' lists the options)`);
  if (parsed.positionals.length < min) throw new UsageError(`${c.name}: usage: psilon ${c.name} ${c.synopsis}`);
  return { values, positionals: parsed.positionals };
}

/** A numeric option's value, checked: finite, an integer when `int`, at least `min`. */
export function num(name: string, v: unknown, { int = false, min = -Infinity } = {}): number {
  const x = Number(v);
  if (v === undefined || String(v).trim() === '' || !Number.isFinite(x) || (int && !Number.isInteger(x)) || x < min) {
    throw new UsageError(`--${name} must be ${int ? 'an integer' : 'a number'}${min > -Infinity ? ` ≥ ${min}` : ''}, got '${String(v)}'`);
  }
  return x;
}

/** A comma-separated list option (trimmed; `keepEmpty` keeps '' entries, as `--na ''` needs). */
export function list(v: unknown, keepEmpty = false): string[] | undefined {
  if (v === undefined) return undefined;
  const items = String(v).split(',').map((s) => s.trim());
  return keepEmpty ? items : items.filter(Boolean);
}

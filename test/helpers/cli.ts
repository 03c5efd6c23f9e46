/** Runs the `psilon` CLI's `main` in this process, capturing what it prints. */
import { main } from '../../packages/psilon/src/cli.js';

/** Runs `psilon <args>`: its exit code and what it wrote to stdout and stderr (a trailing newline dropped). */
export async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const [log, error] = [console.log, console.error];
  // the CLI writes through `io`; console is captured too, for anything a library prints
  console.log = (...a: unknown[]) => { out.push(`${a.join(' ')}\n`); };
  console.error = (...a: unknown[]) => { err.push(`${a.join(' ')}\n`); };
  const io = { stdout: (s: string) => { out.push(s); }, stderr: (s: string) => { err.push(s); } };
  try {
    const code = await (main as (argv: string[], io?: unknown) => Promise<number>)(args, io);
    return { code, out: out.join('').replace(/\n$/, ''), err: err.join('').replace(/\n$/, '') };
  } finally {
    [console.log, console.error] = [log, error];
  }
}

/** Writing result files so that a crash or Ctrl-C never leaves one half written. */
import { renameSync, writeFileSync } from 'node:fs';

/** Writes `text` to `path` atomically: a temporary file in the same folder, then a rename over `path`. */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** {@link writeFileAtomic} of `data` as JSON. */
export function writeJsonAtomic(path: string, data: unknown): void {
  writeFileAtomic(path, JSON.stringify(data));
}

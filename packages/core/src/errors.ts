/** Formats a shape for error messages: `[2, 3]`. */
export const fmt = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/**
 * Throws when `options` has a key outside `allowed`, naming the function and the key.
 * Every public function taking an options object calls this, so typos never pass silently.
 */
export function checkOptions(where: string, options: object | undefined, allowed: readonly string[]): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null) throw new Error(`${where}: options must be an object`);
  for (const k of Object.keys(options)) {
    if (!allowed.includes(k)) throw new Error(`${where}: unknown option '${k}' (allowed: ${allowed.join(', ') || 'none'})`);
  }
}

/**
 * Runs a kernel call for op `op`; a raw JavaScript RangeError from inside it (an
 * array too long to allocate, an invalid length) is rethrown naming the op and shapes.
 */
export function named<T>(op: string, shapes: readonly (readonly number[])[], f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RangeError) {
      throw new RangeError(`${op} on ${shapes.map((s) => fmt(s)).join(', ')}: ${e.message} (too large for this backend?)`);
    }
    throw e;
  }
}

/**
 * A loss (or objective) that is NaN or ±∞, thrown by a training loop after it reads the
 * value back (psilon's `trainStep`, naming the epoch and step). The ops and losses never
 * read back, so they return NaN as a value instead.
 */
export class NonFiniteLossError extends Error {
  constructor(
    /** The loss value that was not finite (NaN or ±Infinity). */
    readonly value: number,
    /** Where it happened (e.g. `train: epoch 3, step 17`). */
    readonly where: string,
    hint: string,
  ) {
    super(`${where}: the loss is ${value} (non-finite); ${hint}`);
    this.name = 'NonFiniteLossError';
  }
}

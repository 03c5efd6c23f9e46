/**
 * Tiny shape checks for JSON read back from run folders: a point file's result must
 * have the shape its grid expects before it is mixed into a table. Each check
 * returns what is wrong (naming the path inside the value) or `undefined`.
 */

/** A check of a JSON value: `undefined` when it fits, else what is wrong. */
export type Check = (v: unknown, path: string) => string | undefined;

const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

/** A number (NaN and ±Infinity included: point files keep them, see grid.ts). */
export const num: Check = (v, path) => (typeof v === 'number' ? undefined : `${path} is ${typeName(v)}, not a number`);

/** A string. */
export const str: Check = (v, path) => (typeof v === 'string' ? undefined : `${path} is ${typeName(v)}, not a string`);

/** Exactly `value`. */
export const is = (value: string | number | boolean): Check => (v, path) =>
  (Object.is(v, value) ? undefined : `${path} is ${JSON.stringify(v)}, not ${JSON.stringify(value)}`);

/** An array whose every element passes `item`. */
export const arrayOf = (item: Check): Check => (v, path) => {
  if (!Array.isArray(v)) return `${path} is ${typeName(v)}, not an array`;
  for (let i = 0; i < v.length; i++) { const e = item(v[i], `${path}[${i}]`); if (e) return e; }
  return undefined;
};

/** An array of exactly these elements. */
export const tuple = (...items: Check[]): Check => (v, path) => {
  if (!Array.isArray(v) || v.length !== items.length) return `${path} is ${Array.isArray(v) ? `an array of ${v.length}` : typeName(v)}, not an array of ${items.length}`;
  for (let i = 0; i < items.length; i++) { const e = items[i]!(v[i], `${path}[${i}]`); if (e) return e; }
  return undefined;
};

/** An object with at least these fields, each passing its check. */
export const obj = (fields: Record<string, Check>): Check => (v, path) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return `${path} is ${typeName(v)}, not an object`;
  for (const [k, check] of Object.entries(fields)) {
    if (!Object.hasOwn(v, k)) return `${path}.${k} is missing`;
    const e = check((v as Record<string, unknown>)[k], `${path}.${k}`);
    if (e) return e;
  }
  return undefined;
};

/**
 * Checks every options object of the model and training layers shares: the list of
 * allowed keys, typed against the options interface, and positive integers.
 * Internal (not exported from the package entry).
 */

/** The keys of `T` that `K` leaves out (never when `K` lists them all). */
type Missing<T, K extends readonly PropertyKey[]> = Exclude<keyof T, K[number]>;

/**
 * The allowed keys of an options interface `T`, for core's `checkOptions`, checked at
 * compile time both ways: each listed key is a key of `T` and every key of `T` is listed
 * (a key added to the interface and forgotten here is a type error naming it).
 *
 *   const TRAIN_KEYS = optionKeys<TrainOptions>()(['epochs', …]);
 */
export function optionKeys<T>() {
  return <const K extends readonly (keyof T & string)[]>(keys: K & ([Missing<T, K>] extends [never] ? unknown : { missingKeys: Missing<T, K> })): K => keys;
}

/** Throws unless `value` is an integer ≥ 1: `${where}: ${name} must be a positive integer, got ${value}`. */
export function checkPositiveInteger(value: unknown, where: string, name: string): asserts value is number {
  if (!Number.isInteger(value) || (value as number) < 1) throw new Error(`${where}: ${name} must be a positive integer, got ${String(value)}`);
}

/**
 * Memory scopes. Every tensor created while a scope is open is recorded in it;
 * `tidy(fn)` disposes all of them except what `fn` returns and what was `keep()`-ed.
 * Tensors made outside any scope live until `dispose()` (or until garbage
 * collection releases their storage, a safety net, not a plan).
 */
/** What a scope tracks: anything that frees its storage on `dispose()` (tensors). */
export interface Disposable {
  /** Frees the storage. */
  dispose(): void;
}

const scopes: Set<Disposable>[] = [];
/** Every object ever tracked, so a returned value can be recognised without knowing its class. */
const tracked = new WeakSet<object>();

/** Called by the Tensor constructor. */
export function track(t: Disposable): void {
  tracked.add(t);
  scopes[scopes.length - 1]?.add(t);
}

/** Removes `t` from every open scope, so it outlives them. Returns `t`. */
export function keep<T extends Disposable>(t: T): T {
  for (const s of scopes) s.delete(t);
  return t;
}

/**
 * Finds every tracked object in a returned value: arrays, Maps (keys and values), Sets,
 * plain objects and class instances (own enumerable properties), to any depth.
 */
function collect(x: unknown, out: Set<Disposable>, seen = new Set<object>()): void {
  if (!x || typeof x !== 'object' || seen.has(x)) return;
  seen.add(x);
  if (tracked.has(x)) { out.add(x as Disposable); return; }
  if (x instanceof Promise) throw new Error('tidy: the function must be synchronous (it returned a Promise)');
  const parts: unknown[] = x instanceof Map ? [...x.keys(), ...x.values()] : x instanceof Set || Array.isArray(x) ? [...x] : Object.values(x);
  for (const v of parts) collect(v, out, seen);
}

/**
 * Runs `fn` in a new scope and disposes every tensor it created, except the
 * ones it returns (moved to the enclosing scope) and the ones kept with `keep()`.
 * Like `tf.tidy`; `fn` must be synchronous.
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Disposable>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
    if (result instanceof Promise) throw new Error('tidy: the function must be synchronous (it returned a Promise)');
  } catch (e) {
    scopes.pop();
    for (const t of scope) t.dispose();
    throw e;
  }
  scopes.pop();
  const survivors = new Set<Disposable>();
  collect(result, survivors);
  for (const t of scope) {
    if (survivors.has(t)) scopes[scopes.length - 1]?.add(t);
    else t.dispose();
  }
  return result;
}

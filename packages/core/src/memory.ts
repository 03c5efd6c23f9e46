/**
 * Memory scopes. Every tensor created while a scope is open is recorded in it;
 * `tidy(fn)` disposes all of them except what `fn` returns and what was `keep()`-ed.
 * Tensors made outside any scope live until `dispose()` (or until garbage
 * collection releases their storage, a safety net, not a plan).
 */
import type { Tensor } from './tensor.js';

const scopes: Set<Tensor>[] = [];

/** Called by the Tensor constructor. */
export function track(t: Tensor): void {
  scopes[scopes.length - 1]?.add(t);
}

/** Removes `t` from every open scope, so it outlives them. Returns `t`. */
export function keep<T extends Tensor>(t: T): T {
  for (const s of scopes) s.delete(t);
  return t;
}

function collect(x: unknown, out: Set<Tensor>, isTensor: (v: unknown) => v is Tensor): void {
  if (isTensor(x)) out.add(x);
  else if (Array.isArray(x)) for (const v of x) collect(v, out, isTensor);
  else if (x && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype) {
    for (const v of Object.values(x)) collect(v, out, isTensor);
  }
}

let tensorCheck: (v: unknown) => v is Tensor = (_v): _v is Tensor => false;
/** Wired by tensor.ts (avoids an import cycle at load time). */
export function setTensorCheck(f: (v: unknown) => v is Tensor): void { tensorCheck = f; }

/**
 * Runs `fn` in a new scope and disposes every tensor it created, except the
 * ones it returns (moved to the enclosing scope) and the ones kept with `keep()`.
 * Like `tf.tidy`; `fn` must be synchronous.
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Tensor>();
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
  const survivors = new Set<Tensor>();
  collect(result, survivors, tensorCheck);
  for (const t of scope) {
    if (survivors.has(t)) scopes[scopes.length - 1]?.add(t);
    else t.dispose();
  }
  return result;
}

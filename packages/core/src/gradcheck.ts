/**
 * Central-difference gradient checking in float64 (Flashlight's jacobianTestImpl idea):
 * the backward pass's gradient against (f(x + ε) − f(x − ε)) / 2ε for every input element.
 */
import { checkOptions, fmt } from './errors.js';
import { tensor } from './create.js';
import { mul, sum } from './ops.js';
import { backward, noGrad } from './tape.js';
import { tidy } from './memory.js';
import { RNG } from './random.js';
import { Tensor } from './tensor.js';

/** Options of {@link checkGrad}. */
export interface CheckGradOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Seed of the random projection used when `fn` returns a non-scalar (default 0). */
  seed?: number;
}

/** What {@link checkGrad} found. */
export interface CheckGradResult {
  /** The worst relative error over all inputs and elements. */
  maxRelError: number;
  /** Per input: the worst relative error. */
  perInput: number[];
  /** Where the worst error occurred: input index and flat element index. */
  worst: {
    /** Index of the input tensor in `inputs` (−1 when no element was checked). */
    input: number;
    /** Flat row-major element index within that input. */
    index: number;
    /** The gradient element from backward(). */
    analytic: number;
    /** The central-difference estimate of the same element. */
    numeric: number;
  };
}

/**
 * Compares the autodiff gradient of `fn` with central differences. The inputs
 * must be float64 tensors (they are copied, never mutated). A non-scalar output
 * is reduced to Σ out·R with a fixed random R, which tests the full Jacobian
 * against one random direction per call.
 *
 * The relative error of an element is max(0, |a − n| − noise) / max(|a|, |n|, 1e-3·scale),
 * where scale is the largest |n| of that input and noise = 10·ε_machine·max(1, |f(x)|)/eps
 * is the rounding floor of a central difference, so entries that are 0 in exact
 * arithmetic are not judged by rounding noise alone.
 * @param fn the function to check: tensors in, one tensor out (a non-scalar output is reduced by a seeded random projection)
 * @param inputs the float64 tensors to differentiate with respect to
 * @param options `eps` (the finite-difference step; default 1e-6) and `seed` (of the projection; default 0)
 */
export function checkGrad(fn: (...xs: Tensor[]) => Tensor, inputs: readonly Tensor[], options: CheckGradOptions = {}): CheckGradResult {
  checkOptions('checkGrad', options, ['eps', 'seed']);
  const eps = options.eps ?? 1e-6;
  inputs.forEach((t, i) => {
    if (t.dtype !== 'float64') throw new Error(`checkGrad: input ${i} ${fmt(t.shape)} is ${t.dtype}; gradient checks need float64`);
  });
  const values = inputs.map((t) => Float64Array.from(t.dataSync()));
  const shapes = inputs.map((t) => t.shape);
  const be = inputs[0]!.backend;
  let proj: Float64Array | undefined;

  const scalar = (xs: Tensor[]): Tensor => {
    const out = fn(...xs);
    if (out.size === 1) return out;
    proj ??= Float64Array.from({ length: out.size }, ((r) => () => r.uniform() * 2 - 1)(new RNG(options.seed ?? 0)));
    return sum(mul(out, tensor(proj, out.shape, { dtype: 'float64', backend: be })));
  };
  const evalAt = (vals: Float64Array[]): number => tidy(() => noGrad(() =>
    scalar(vals.map((v, i) => tensor(v, shapes[i], { dtype: 'float64', backend: be }))).dataSync()[0]!));

  // analytic
  const analytic = tidy(() => {
    const xs = values.map((v, i) => tensor(v, shapes[i], { dtype: 'float64', backend: be, requiresGrad: true }));
    backward(scalar(xs));
    return xs.map((x) => (x.grad ? Float64Array.from(x.grad.dataSync()) : new Float64Array(x.size)));
  });

  const noise = (10 * Number.EPSILON * Math.max(1, Math.abs(evalAt(values)))) / eps;
  const perInput: number[] = [];
  let worst = { input: -1, index: -1, analytic: 0, numeric: 0 };
  let maxRel = 0;
  values.forEach((v, i) => {
    const numeric = new Float64Array(v.length);
    for (let k = 0; k < v.length; k++) {
      // perturb our private copy in place, then restore it
      const orig = v[k]!;
      v[k] = orig + eps;
      const fPlus = evalAt(values);
      v[k] = orig - eps;
      const fMinus = evalAt(values);
      v[k] = orig;
      numeric[k] = (fPlus - fMinus) / (2 * eps);
    }
    const scale = numeric.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    let worstHere = 0;
    for (let k = 0; k < v.length; k++) {
      const a = analytic[i]![k]!, n = numeric[k]!;
      const rel = Math.max(0, Math.abs(a - n) - noise) / Math.max(Math.abs(a), Math.abs(n), 1e-3 * scale, 1e-12);
      if (rel > worstHere) worstHere = rel;
      if (worst.input < 0 || rel > maxRel) { maxRel = rel; worst = { input: i, index: k, analytic: a, numeric: n }; }
    }
    perInput.push(worstHere);
  });
  return { maxRelError: maxRel, perInput, worst };
}

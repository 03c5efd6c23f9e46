/**
 * Column-wise weight normalization as custom ops (docs/math.md §2, §3, §5): the
 * norms, W = g·V/n, and the closed-form backward ∂L/∂V = (g·G − g·c·∂n/∂V)/n,
 * ∂L/∂g = c with c_j = Σ_i G_ij V_ij / n_j, with no division by g. Each runs as the
 * backend's fused kernel when it has one, else as the reference composition below,
 * written once from primitives.
 */
import type { NormKind, WeightNormSpec } from '@psilon/kernels';
import { customOp } from './custom.js';
import { checkOptions, fmt } from './errors.js';
import { tidy } from './memory.js';
import { abs, add, div, maximum, mul, reshape, sign, sqrt, square, sub, sum } from './ops.js';
import { Tensor } from './tensor.js';

/** Options of {@link weightNorm} and {@link pairWeightNorm}. */
export interface WeightNormOptions {
  /** `l1` (PSiLON, default) or `l2` (Standard Net baseline). */
  kind?: NormKind;
}

function specFor(v: Tensor, g: Tensor, kind: NormKind, where: string): WeightNormSpec {
  if (v.rank !== 2) throw new Error(`${where}: V must be 2-D [in, out], got ${fmt(v.shape)}`);
  const [inDim, outDim] = v.shape as [number, number];
  if (!(g.size === 1 || (g.rank === 1 && g.size === outDim))) {
    throw new Error(`${where}: g must have 1 element (shared) or shape [${outDim}] (one per column), got ${fmt(g.shape)}`);
  }
  return { inDim, outDim, kind, shared: g.size === 1 };
}

/** Ṽ of docs/math.md §5: |V|, or max(|V⁺|, |V⁻|) for the CReLU pair. */
const magnitude = (vs: readonly Tensor[]): Tensor => (vs.length === 2 ? maximum(abs(vs[0]!), abs(vs[1]!)) : abs(vs[0]!));

/** Reference forward from primitives: n_j = Σ_i Ṽ_ij (L1) or √Σ_i Ṽ_ij² (L2), W = V·(g/n). */
function composeForward(vs: readonly Tensor[], g: Tensor, spec: WeightNormSpec): { w: Tensor[]; norms: Tensor } {
  const mag = magnitude(vs);
  const norms = spec.kind === 'l1' ? sum(mag, 0) : sqrt(sum(square(mag), 0));
  const scale = div(g, norms);
  return { w: vs.map((v) => mul(v, scale)), norms };
}

/** The share of `a` in max(a, b): 1, ½ on ties, 0 (the op table's `winShare`, docs/math.md §5). */
const winShare = (a: Tensor, b: Tensor): Tensor => new Tensor(a.backend.binary('winShare', a.buffer, a.shape, b.buffer, b.shape, a.shape), a.shape, a.backend);

/**
 * Reference backward from primitives: c = Σ_pair Σ_i G·V / n, ∂n/∂V = sign(v)·π (L1) or
 * (Ṽ/n)·sign(v)·π (L2) with π the tie-splitting share of v in the pair's max (1 alone),
 * ∂L/∂V = (G − c·∂n/∂V)·g/n, ∂L/∂g = c (summed when g is shared).
 */
function composeBackward(gradW: readonly Tensor[], vs: readonly Tensor[], g: Tensor, norms: Tensor, spec: WeightNormSpec): { dv: Tensor[]; dg: Tensor } {
  const c = div(gradW.map((gw, t) => sum(mul(gw, vs[t]!), 0)).reduce((a, b) => add(a, b)), norms);
  const scale = div(g, norms);
  const mag = spec.kind === 'l2' ? div(magnitude(vs), norms) : undefined;
  const dv = vs.map((v, t) => {
    let dn = sign(v);
    if (vs.length === 2) dn = mul(dn, winShare(abs(v), abs(vs[1 - t]!)));
    if (mag) dn = mul(dn, mag);
    return mul(sub(gradW[t]!, mul(c, dn)), scale);
  });
  return { dv, dg: spec.shared ? reshape(sum(c), [1]) : c };
}

/** The saved state: the spec and the column norms n computed by the forward pass. */
interface Saved { spec: WeightNormSpec; norms: Tensor }

const ops = new Map<string, (...t: Tensor[]) => Tensor[]>();

/** The custom op for one (norm kind, single or pair) combination, built once. Inputs: V (or V⁺, V⁻), then g. */
function opFor(kind: NormKind, pair: boolean): (...t: Tensor[]) => Tensor[] {
  const name = `${pair ? 'pairWeightNorm' : 'weightNorm'}(${kind})`;
  let op = ops.get(name);
  if (op) return op;
  const split = (inputs: Tensor[]) => ({ vs: inputs.slice(0, pair ? 2 : 1), g: inputs[inputs.length - 1]! });
  op = customOp<Saved>({
    name,
    forward(inputs) {
      const { vs, g } = split(inputs);
      const spec = specFor(vs[0]!, g, kind, name);
      const be = g.backend;
      if (!be.weightNorm) {
        const { w, norms } = tidy(() => composeForward(vs, g, spec));
        return { outputs: w, saved: { spec, norms } };
      }
      const { w, norms } = be.weightNorm(vs.map((v) => v.buffer), g.buffer, spec);
      return { outputs: w.map((b) => new Tensor(b, vs[0]!.shape, be)), saved: { spec, norms: new Tensor(norms, [spec.outDim], be) } };
    },
    backward(gradW, { spec, norms }, inputs) {
      const { vs, g } = split(inputs);
      const be = g.backend;
      if (!be.weightNormBackward) {
        const { dv, dg } = tidy(() => composeBackward(gradW, vs, g, norms, spec));
        return [...dv, reshape(dg, g.shape)];
      }
      const { dv, dg } = be.weightNormBackward(gradW.map((t) => t.buffer), vs.map((v) => v.buffer), g.buffer, norms.buffer, spec);
      return [...dv.map((b) => new Tensor(b, vs[0]!.shape, be)), new Tensor(dg, g.shape, be)];
    },
  });
  ops.set(name, op);
  return op;
}

/** Validates a norm kind (`l1` or `l2`, default `l1`), naming the caller: the one check every layer uses. */
export function checkNormKind(kind: unknown, where: string): NormKind {
  const k = kind ?? 'l1';
  if (k !== 'l1' && k !== 'l2') throw new Error(`${where}: unknown norm '${String(k)}' (l1 or l2)`);
  return k;
}

function kindOf(options: WeightNormOptions, where: string): NormKind {
  checkOptions(where, options, ['kind']);
  return checkNormKind(options.kind, where);
}

/**
 * W = g·V / n column-wise, n_j = ‖V[:, j]‖₁ (or ‖·‖₂), docs/math.md §2. `g` has one
 * element (shared across columns, PSiLON's hidden layers) or one per column.
 */
export function weightNorm(v: Tensor, g: Tensor, options: WeightNormOptions = {}): Tensor {
  return opFor(kindOf(options, 'weightNorm'), false)(v, g)[0]!;
}

/**
 * The CReLU pair (docs/math.md §5): W± = g·V± / n with one normalizer
 * n_j = Σ_i max(|V⁺_ij|, |V⁻_ij|) (or its L2 version) for both; the backward
 * splits ties of the max ½-½. Returns [W⁺, W⁻].
 */
export function pairWeightNorm(vp: Tensor, vn: Tensor, g: Tensor, options: WeightNormOptions = {}): [Tensor, Tensor] {
  const kind = kindOf(options, 'pairWeightNorm');
  if (vp.shape.length !== vn.shape.length || vp.shape.some((d, i) => d !== vn.shape[i])) {
    throw new Error(`pairWeightNorm: V⁺ ${fmt(vp.shape)} and V⁻ ${fmt(vn.shape)} must have the same shape`);
  }
  const [wp, wn] = opFor(kind, true)(vp, vn, g);
  return [wp!, wn!];
}

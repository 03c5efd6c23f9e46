/**
 * Column-wise weight normalization as custom ops over the backend's fused
 * kernels (docs/math.md §2, §3, §5): one column pass for the norms, one
 * elementwise pass for W, and the closed-form backward
 * ∂L/∂V = (g·G − (Gᵀw)·∂n/∂V)/n, ∂L/∂g = Σ_i G_ij V_ij / n_j, with no division by g.
 */
import type { NormKind, WeightNormSpec } from '@psilon/kernels';
import { customOp } from './custom.js';
import { checkOptions, fmt } from './errors.js';
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
      const { w, norms } = be.weightNorm(vs.map((v) => v.buffer), g.buffer, spec);
      return { outputs: w.map((b) => new Tensor(b, vs[0]!.shape, be)), saved: { spec, norms: new Tensor(norms, [spec.outDim], be) } };
    },
    backward(gradW, { spec, norms }, inputs) {
      const { vs, g } = split(inputs);
      const be = g.backend;
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

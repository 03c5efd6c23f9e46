/**
 * Custom ops: a forward computed by any means (fused kernels, host code) plus a
 * hand-written backward. PSiLON's fused L1 weight normalization and its
 * closed-form path-norm gradients plug into the tape this way.
 */
import { noGrad, record } from './tape.js';
import { Tensor } from './tensor.js';

/** Definition of a custom op. `S` is whatever the forward saves for the backward. */
export interface CustomOpSpec<S> {
  /** Shown in errors and on the tape. */
  name: string;
  /** Computes the outputs (gradients are not recorded inside). */
  forward(inputs: Tensor[]): {
    /** The op's results. */
    outputs: Tensor[];
    /** What the backward needs, passed to it as `saved`. */
    saved: S;
  };
  /**
   * Maps ∂L/∂outputs to ∂L/∂inputs (one entry per input, null for none).
   * Runs with recording off; the returned shapes must match the inputs'.
   */
  backward(gradOutputs: Tensor[], saved: S, inputs: Tensor[]): (Tensor | null)[];
}

/** Builds a differentiable function from a forward and a hand-written backward. */
export function customOp<S>(spec: CustomOpSpec<S>): (...inputs: Tensor[]) => Tensor[] {
  return (...inputs: Tensor[]) => {
    for (const t of inputs) {
      if (!(t instanceof Tensor)) throw new Error(`${spec.name}: every input must be a Tensor`);
    }
    const { outputs, saved } = noGrad(() => spec.forward(inputs));
    return record(spec.name, inputs, outputs, (g) => {
      const grads = spec.backward(g, saved, inputs);
      if (!Array.isArray(grads) || grads.length !== inputs.length) {
        throw new Error(`custom op '${spec.name}' returned ${Array.isArray(grads) ? grads.length : 'no'} gradient(s) for ${inputs.length} inputs (one per input, null for none)`);
      }
      return grads;
    });
  };
}

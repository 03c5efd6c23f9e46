/**
 * τ of the projection onto the unit L1 sphere (docs/math.md §7) as a differentiable
 * op over the backend's kernel, so pruning runs where the weights live (on the
 * device for the `webgpu` backend): forward τ_j per column of a non-negative
 * [in, out] matrix Ṽ, backward ∂τ_j/∂Ṽ_ij = 1[i ∈ S_j]/ρ_j (S_j the support, ρ_j its size).
 */
import { customOp } from './custom.js';
import { fmt } from './errors.js';
import { mul } from './ops.js';
import { Tensor } from './tensor.js';

const op = customOp<Tensor>({
  name: 'sphereTau',
  forward([y]) {
    if (y!.rank !== 2) throw new Error(`sphereTau: Ṽ must be 2-D [in, out], got ${fmt(y!.shape)}`);
    const [inDim, outDim] = y!.shape as [number, number];
    const be = y!.backend;
    const { tau, weight } = be.sphereTau(y!.buffer, inDim, outDim);
    return { outputs: [new Tensor(tau, [1, outDim], be)], saved: new Tensor(weight, [inDim, outDim], be) };
  },
  backward([g], weight) {
    return [mul(weight, g!)];
  },
});

/**
 * τ per column of a non-negative [in, out] matrix Ṽ, shape [1, out]: the threshold with
 * Σ_i relu(Ṽ_ij − τ_j) = 1 chosen by the sort rule of docs/math.md §7. Differentiable.
 */
export function sphereTau(y: Tensor): Tensor {
  return op(y)[0]!;
}

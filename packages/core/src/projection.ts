/**
 * τ of the projection onto the unit L1 sphere (docs/math.md §7) as a differentiable
 * op, so pruning runs where the weights live (on the device for the `webgpu` backend):
 * forward τ_j per column of a non-negative [in, out] matrix Ṽ, backward
 * ∂τ_j/∂Ṽ_ij = 1[i ∈ S_j]/ρ_j (S_j the support, ρ_j its size). It runs as the backend's
 * fused kernel when it has one, else as the reference composition below.
 */
import { customOp } from './custom.js';
import { fmt } from './errors.js';
import { tidy } from './memory.js';
import { concat, div, greaterEqual, less, mul, reshape, slice, sub, sum, zerosLike } from './ops.js';
import { Tensor } from './tensor.js';

/** Elements of the [in, in, cols] comparison block the composition builds at once (16 MiB of float32). */
const BLOCK_ELEMENTS = 1 << 22;

/**
 * Reference composition of τ and ∂τ/∂Ṽ from primitives, sort-free. For entry i of a column,
 * K_i = #{r : y_r ≥ y_i} and S_i = Σ_{r : y_r ≥ y_i} y_r are the rank and prefix sum of the
 * sort rule at i's tie group's last rank; the rule's test c_k < u_k, i.e. (S − 1)/K < y, holds
 * for all of a tie group or none of it (it does not depend on the rank within the group), so
 * the support is {i : (S_i − 1)/K_i < y_i}, ρ its size, τ = (Σ_support y − 1)/ρ. O(in²) per
 * column, built in column blocks of at most BLOCK_ELEMENTS.
 */
function composeSphereTau(y: Tensor): { tau: Tensor; weight: Tensor } {
  const [inDim, outDim] = y.shape as [number, number];
  if (inDim === 0 || outDim === 0) return { tau: new Tensor(y.backend.fill(outDim, 0, y.dtype), [1, outDim], y.backend), weight: zerosLike(y) };
  const width = Math.max(1, Math.min(outDim, Math.floor(BLOCK_ELEMENTS / (inDim * inDim))));
  const taus: Tensor[] = [], weights: Tensor[] = [];
  for (let j = 0; j < outDim; j += width) {
    const w = Math.min(width, outDim - j);
    const yb = w === outDim ? y : slice(y, [0, j], [inDim, w]);
    const yr = reshape(yb, [inDim, 1, w]);
    const ge = greaterEqual(yr, reshape(yb, [1, inDim, w])); // [r, i, col]: y_r ≥ y_i
    const inside = less(div(sub(sum(mul(ge, yr), 0), 1), sum(ge, 0)), yb);
    const rho = sum(inside, 0, true);
    taus.push(div(sub(sum(mul(inside, yb), 0, true), 1), rho));
    weights.push(div(inside, rho));
  }
  return taus.length === 1 ? { tau: taus[0]!, weight: weights[0]! } : { tau: concat(taus, 1), weight: concat(weights, 1) };
}

const op = customOp<Tensor>({
  name: 'sphereTau',
  forward([y]) {
    if (y!.rank !== 2) throw new Error(`sphereTau: Ṽ must be 2-D [in, out], got ${fmt(y!.shape)}`);
    const [inDim, outDim] = y!.shape as [number, number];
    const be = y!.backend;
    if (!be.sphereTau) {
      const { tau, weight } = tidy(() => composeSphereTau(y!));
      return { outputs: [tau], saved: weight };
    }
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

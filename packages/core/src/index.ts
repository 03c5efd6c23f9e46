/**
 * @psilon/core — a small reverse-mode autodiff tensor engine. Ops compute
 * through the active backend of @psilon/kernels; gradients come from the op
 * table in ops.ts; custom ops plug hand-written backward passes in.
 */
import * as ops from './ops.js';
import { backward, type BackwardOptions } from './tape.js';
import { Tensor } from './tensor.js';

export { Tensor, type NestedArray, fromBuffer } from './tensor.js';
export * from './ops.js';
export { backward, noGrad, isGradEnabled, record, type BackwardFn, type BackwardOptions, type Node } from './tape.js';
export { tidy, keep, type Disposable } from './memory.js';
export { tensor, full, zeros, ones, rand, randn, orthogonal, type CreateOptions, type RandomOptions } from './create.js';
export { RNG, orthogonalMatrix } from './random.js';
export { customOp, type CustomOpSpec } from './custom.js';
export { mse, bceWithLogits, softmaxCrossEntropy } from './losses.js';
export { SGD, Adam, type Optimizer, type SGDOptions, type AdamOptions } from './optim.js';
export { OneCycle, type OneCycleOptions } from './schedule.js';
export { checkGrad, type CheckGradOptions, type CheckGradResult } from './gradcheck.js';
export { weightNorm, pairWeightNorm, checkNormKind, type WeightNormOptions } from './weightnorm.js';
export { sphereTau } from './projection.js';
export { checkOptions, NonFiniteLossError } from './errors.js';
export {
  getBackend, setBackend, initBackend, createBackend, CpuBackend, WasmBackend, WebGpuBackend, GpuJsBackend,
  projectColumn, type ColumnProjection, type Backend, type DType, type BackendName, type NormKind,
} from '@psilon/kernels';

type T = ops.TensorLike;

/** Method forms of the ops, so `x.matmul(w).add(b).relu()` reads left to right. */
declare module './tensor.js' {
  interface Tensor {
    /** {@link backward} from this tensor: fills `.grad` of every leaf it depends on. */
    backward(seed?: Tensor, options?: BackwardOptions): void;
    /** {@link ops.add}: this + b, broadcast. */
    add(b: T): Tensor;
    /** {@link ops.sub}: this − b, broadcast. */
    sub(b: T): Tensor;
    /** {@link ops.mul}: this · b, broadcast. */
    mul(b: T): Tensor;
    /** {@link ops.div}: this / b, broadcast. */
    div(b: T): Tensor;
    /** {@link ops.pow}: this ^ b, broadcast. */
    pow(b: T): Tensor;
    /** {@link ops.maximum}: max(this, b), ties split the gradient ½-½. */
    maximum(b: T): Tensor;
    /** {@link ops.minimum}: min(this, b), ties split the gradient ½-½. */
    minimum(b: T): Tensor;
    /** {@link ops.neg}: −this. */
    neg(): Tensor;
    /** {@link ops.abs}: |this|. */
    abs(): Tensor;
    /** {@link ops.sign}: sign(this), sign(0) = 0. */
    sign(): Tensor;
    /** {@link ops.relu}: max(this, 0). */
    relu(): Tensor;
    /** {@link ops.exp}: e^this. */
    exp(): Tensor;
    /** {@link ops.log}: ln this. */
    log(): Tensor;
    /** {@link ops.sqrt}: √this. */
    sqrt(): Tensor;
    /** {@link ops.square}: this². */
    square(): Tensor;
    /** {@link ops.sum} over `axis` (all when omitted). */
    sum(axis?: number | readonly number[], keepDims?: boolean): Tensor;
    /** {@link ops.mean} over `axis` (all when omitted). */
    mean(axis?: number | readonly number[], keepDims?: boolean): Tensor;
    /** {@link ops.max} over `axis` (all when omitted). */
    max(axis?: number | readonly number[], keepDims?: boolean): Tensor;
    /** {@link ops.matmul}: this · b (either transposed on request). */
    matmul(b: Tensor, options?: ops.MatmulOptions): Tensor;
    /** {@link ops.reshape}: the same data under a new shape. */
    reshape(shape: readonly number[]): Tensor;
    /** {@link ops.transpose}: permuted axes (reversed by default). */
    transpose(perm?: readonly number[]): Tensor;
  }
}

const P = Tensor.prototype;
P.backward = function (this: Tensor, seed?: Tensor, options?: BackwardOptions) { backward(this, seed, options); };
P.add = function (b) { return ops.add(this, b); };
P.sub = function (b) { return ops.sub(this, b); };
P.mul = function (b) { return ops.mul(this, b); };
P.div = function (b) { return ops.div(this, b); };
P.pow = function (b) { return ops.pow(this, b); };
P.maximum = function (b) { return ops.maximum(this, b); };
P.minimum = function (b) { return ops.minimum(this, b); };
P.neg = function () { return ops.neg(this); };
P.abs = function () { return ops.abs(this); };
P.sign = function () { return ops.sign(this); };
P.relu = function () { return ops.relu(this); };
P.exp = function () { return ops.exp(this); };
P.log = function () { return ops.log(this); };
P.sqrt = function () { return ops.sqrt(this); };
P.square = function () { return ops.square(this); };
P.sum = function (axis, keepDims) { return ops.sum(this, axis, keepDims); };
P.mean = function (axis, keepDims) { return ops.mean(this, axis, keepDims); };
P.max = function (axis, keepDims) { return ops.max(this, axis, keepDims); };
P.matmul = function (b, options) { return ops.matmul(this, b, options); };
P.reshape = function (shape) { return ops.reshape(this, shape); };
P.transpose = function (perm) { return ops.transpose(this, perm); };

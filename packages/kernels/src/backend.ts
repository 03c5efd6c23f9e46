import type { DType, Shape, TypedArray } from './types.js';
import type { BinaryOp, NormKind, ReduceOp, UnaryOp } from './ops.js';

/**
 * An opaque handle to memory owned by a backend. Only the backend that made it
 * may read it; `size` is the element count and `dtype` the element type.
 */
export interface BackendBuffer {
  /** Number of elements. */
  readonly size: number;
  /** Element type. */
  readonly dtype: DType;
  /** Name of the owning backend, checked on every kernel call. */
  readonly backend: string;
}

/** A backend's own buffer class: a {@link BackendBuffer} with the `freed` flag the buffer contract needs. */
export interface OwnedBuffer extends BackendBuffer { freed: boolean }

/**
 * The buffer contract's check, for every backend: `buf` must be one of `backend`'s own
 * buffers (an instance of `cls`) and not freed. Returns it typed as the backend's class.
 */
export function ownBuffer<T extends OwnedBuffer>(buf: BackendBuffer, cls: abstract new (...args: never[]) => T, backend: string): T {
  if (!(buf instanceof cls)) throw new Error(`${backend} backend: got a buffer of backend '${buf.backend}'`);
  if (buf.freed) throw new Error(`${backend} backend: buffer used after it was freed`);
  return buf;
}

/** `free`'s half of the contract: marks the buffer freed, refusing a second free and a foreign buffer. */
export function releaseBuffer<T extends OwnedBuffer>(buf: BackendBuffer, cls: abstract new (...args: never[]) => T, backend: string): T {
  if (buf instanceof cls && buf.freed) throw new Error(`${backend} backend: buffer freed twice`);
  const b = ownBuffer(buf, cls, backend);
  b.freed = true;
  return b;
}

/** A tiny kernel run end to end (square of [1, 2, 3]), so a GPU backend that starts but cannot really compute is rejected at start. */
export async function selfTest(be: Backend): Promise<void> {
  const a = be.upload([1, 2, 3], 'float32');
  const b = be.unary('square', a);
  const got = await be.read(b);
  be.free(a);
  be.free(b);
  if (got[0] !== 1 || got[1] !== 4 || got[2] !== 9) throw new Error(`${be.name}: self-test computed [${Array.from(got).join(', ')}]`);
}

/** Result of column-wise weight normalization: W and the column norms n (docs/math.md §2). */
export interface WeightNormResult {
  /** W = g·V / n, shape [in, out] (two of them for the CReLU pair). */
  w: BackendBuffer[];
  /** n_j, the norm of column j, shape [out]; saved for the backward pass. */
  norms: BackendBuffer;
}

/** Gradients of column-wise weight normalization (docs/math.md §3 and §5). */
export interface WeightNormGrads {
  /** ∂L/∂V, one per raw matrix (V, or V⁺ and V⁻). */
  dv: BackendBuffer[];
  /** ∂L/∂g: shape [1] for a shared g, [out] otherwise. */
  dg: BackendBuffer;
}

/** Shapes and options of a column-wise weight normalization call. */
export interface WeightNormSpec {
  /** Rows of V (fan-in). */
  inDim: number;
  /** Columns of V (output units). */
  outDim: number;
  /** `l1` divides by Σ|v| (PSiLON), `l2` by ‖v‖₂ (Standard Net baseline). */
  kind: NormKind;
  /** True when g is one scalar shared by all columns (shape [1]); else g has shape [out]. */
  shared: boolean;
}

/** τ of the L1-sphere projection per column, and its derivative (docs/math.md §7). */
export interface SphereTauResult {
  /** τ_j, shape [out]. */
  tau: BackendBuffer;
  /** ∂τ_j/∂Ṽ_ij = 1[i ∈ S_j]/ρ_j, shape [in, out]: the support's indicator over its size. */
  weight: BackendBuffer;
}

/**
 * Hyperparameters of one Adam step (PyTorch's update). `bc1 = 1 − β₁ᵗ` and
 * `bc2 = 1 − β₂ᵗ` are the bias corrections of step t.
 */
export interface AdamHyper {
  /** Learning rate of this step. */
  lr: number;
  /** First-moment decay β₁. */
  beta1: number;
  /** Second-moment decay β₂. */
  beta2: number;
  /** ε added to √v̂ in the denominator. */
  eps: number;
  /** L2 weight decay added to the gradient (0: none). */
  weightDecay: number;
  /** Bias correction 1 − β₁ᵗ of step t. */
  bc1: number;
  /** Bias correction 1 − β₂ᵗ of step t. */
  bc2: number;
}

/**
 * The primitives every backend implements: memory, the elementwise ops of the op
 * table (ops.ts), reductions, matmul and data movement. Everything the engine
 * computes can be written from these alone; the fused kernels ({@link FusedKernels})
 * only make some of it faster. Shapes are passed with every call, buffers are
 * flat and row-major. Every method returns a new buffer and never writes into its inputs.
 *
 * The buffer contract, which every backend keeps (test/kernels.backends.test.ts):
 * a buffer of another backend, a buffer used after `free` and a second `free` of
 * one buffer are errors; gather, scatter and one-hot indices outside their range
 * are errors on every synchronous backend (asynchronous ones cannot look at them
 * without waiting); a dtype the backend lacks is an error naming the backend to use.
 */
export interface BackendPrimitives {
  /** `cpu`, `wasm`, `webgpu` or `gpujs`. */
  readonly name: string;
  /** The mode that actually runs: the backend's name, or for gpujs the gpu.js mode. */
  readonly mode: string;
  /** One line saying what runs and, where it fell back, why. */
  readonly description: string;
  /** True when `readSync` can return data without waiting (every mode but webgpu). */
  readonly synchronous: boolean;
  /** True when buffers of `dtype` can be made (float64 exists only on `cpu`). */
  supportsDType(dtype: DType): boolean;

  // --- memory ---------------------------------------------------------------
  /** A new buffer holding `data` (converted to `dtype`). */
  upload(data: ArrayLike<number>, dtype: DType): BackendBuffer;
  /** A new buffer of `size` elements, all `value`. */
  fill(size: number, value: number, dtype: DType): BackendBuffer;
  /** A host copy of the buffer, once every kernel writing it has run. */
  read(buf: BackendBuffer): Promise<TypedArray>;
  /** Synchronous read-back; throws on asynchronous modes. */
  readSync(buf: BackendBuffer): TypedArray;
  /** Releases the buffer; using it afterwards, or freeing it again, is an error. */
  free(buf: BackendBuffer): void;
  /** Buffers allocated and not yet freed (for leak tests). */
  liveBuffers(): number;
  /** Waits for queued work, frees device resources; the backend is unusable afterwards. */
  dispose(): Promise<void>;

  // --- elementwise, from the op table -------------------------------------------
  /** A copy of `a` converted to `dtype`. */
  cast(a: BackendBuffer, dtype: DType): BackendBuffer;
  /** out = op(a) elementwise (ops.ts defines each op). */
  unary(op: UnaryOp, a: BackendBuffer): BackendBuffer;
  /** out = op(a, b) with NumPy broadcasting of aShape and bShape to outShape. */
  binary(op: BinaryOp, a: BackendBuffer, aShape: Shape, b: BackendBuffer, bShape: Shape, outShape: Shape): BackendBuffer;
  /** out = cond ≠ 0 ? a : b, all three broadcast to outShape. */
  where(cond: BackendBuffer, cShape: Shape, a: BackendBuffer, aShape: Shape, b: BackendBuffer, bShape: Shape, outShape: Shape): BackendBuffer;

  // --- reductions and matmul ------------------------------------------------------
  /** Reduces the given axes away (output shape = shape without them). */
  reduce(op: ReduceOp, a: BackendBuffer, shape: Shape, axes: readonly number[]): BackendBuffer;
  /** C[m,n] = op(A)·op(B): A is [m,k] ([k,m] when transA), B is [k,n] ([n,k] when transB). */
  matmul(a: BackendBuffer, b: BackendBuffer, m: number, k: number, n: number, transA: boolean, transB: boolean): BackendBuffer;

  // --- data movement ----------------------------------------------------------------
  /** out[idx] = a[offset + Σ idx_i·strides_i]: transpose, slice and broadcast in one kernel. */
  strided(a: BackendBuffer, outShape: Shape, strides: readonly number[], offset: number): BackendBuffer;
  /** Zero-padding: out has outShape, with `a` (shape aShape) placed at `begin`, zeros elsewhere. */
  pad(a: BackendBuffer, aShape: Shape, begin: readonly number[], outShape: Shape): BackendBuffer;
  /** Concatenates along `axis`. */
  concat(parts: readonly BackendBuffer[], shapes: readonly Shape[], axis: number): BackendBuffer;
  /** Rows of a [n, d] matrix picked by integer-valued `indices` (length r): out is [r, d]. */
  gatherRows(a: BackendBuffer, n: number, d: number, indices: BackendBuffer): BackendBuffer;
  /** Adjoint of gatherRows: out [n, d], out[indices[i]] += a[i]. */
  scatterAddRows(a: BackendBuffer, n: number, d: number, indices: BackendBuffer): BackendBuffer;
  /** One-hot rows: out [r, depth], out[i, indices[i]] = 1. */
  oneHot(indices: BackendBuffer, depth: number, dtype: DType): BackendBuffer;
}

/**
 * Fused kernels: accelerations, not obligations, so every member is optional. Each is one op of @psilon/core that
 * core also writes once from the primitives (its reference composition, used when a
 * backend lacks the method); a backend offering one must agree with that composition
 * to rounding (test/core.fused.test.ts checks every backend on odd shapes).
 */
export interface FusedKernels {
  /** Softmax (or log-softmax) of each row of a [rows, cols] matrix, max-shifted for stability. */
  softmax?(a: BackendBuffer, rows: number, cols: number, log: boolean): BackendBuffer;

  /**
   * One fused Adam step for a parameter p with gradient g and moments m, v:
   * g' = g + wd·p, m' = β₁m + (1−β₁)g', v' = β₂v + (1−β₂)g'², p' = p − (lr/bc1)·m'/(√v'/√bc2 + ε).
   * Returns [p', m', v'].
   */
  adamStep?(p: BackendBuffer, g: BackendBuffer, m: BackendBuffer, v: BackendBuffer, h: AdamHyper): [BackendBuffer, BackendBuffer, BackendBuffer];
  /**
   * The same update written over p, m and v (the one method that writes its
   * inputs): no allocation per step. Core prefers it to `adamStep`.
   */
  adamStepInPlace?(p: BackendBuffer, g: BackendBuffer, m: BackendBuffer, v: BackendBuffer, h: AdamHyper): void;

  // --- weight normalization (docs/math.md §2, §3, §5) -----------------------------
  /**
   * W = g·V/n column-wise. With two matrices (the CReLU pair, docs/math.md §5) one
   * normalizer n_j = Σ_i max(|V⁺_ij|, |V⁻_ij|) (or its L2 version) serves both.
   */
  weightNorm?(v: readonly BackendBuffer[], g: BackendBuffer, spec: WeightNormSpec): WeightNormResult;
  /**
   * Closed-form backward of weightNorm: ∂L/∂V = (g·G − g·c·∂n/∂V)/n with
   * c_j = Σ_i G_ij V_ij / n_j, and ∂L/∂g = c (summed over columns when shared).
   */
  weightNormBackward?(
    gradW: readonly BackendBuffer[], v: readonly BackendBuffer[], g: BackendBuffer, norms: BackendBuffer, spec: WeightNormSpec,
  ): WeightNormGrads;

  /**
   * τ of the projection onto the unit L1 sphere for each column of a non-negative
   * [in, out] matrix Ṽ (docs/math.md §7): with u the column sorted descending,
   * c_k = (Σ_{r≤k} u_r − 1)/k, ρ = #{k : c_k < u_k} and τ = c_ρ.
   */
  sphereTau?(y: BackendBuffer, inDim: number, outDim: number): SphereTauResult;
}

/** The names of the fused kernels, each optional on a backend. */
export const FUSED_KERNELS = ['softmax', 'adamStep', 'adamStepInPlace', 'weightNorm', 'weightNormBackward', 'sphereTau'] as const satisfies readonly (keyof FusedKernels)[];

/**
 * The interface the tensor engine computes through: the required primitives
 * (`BackendPrimitives`) and any of the optional fused kernels (`FusedKernels`). A backend
 * moves buffers and runs kernels; it knows nothing of tensors or gradients.
 */
export interface Backend extends BackendPrimitives, FusedKernels {}

/**
 * The same backend with every fused kernel hidden, so the engine computes through
 * its primitives alone (core's reference compositions). Buffers are shared with `be`;
 * disposing either disposes both. For tests and for checking a new backend.
 */
export function withoutFused(be: Backend): Backend {
  const hidden = new Set<PropertyKey>(FUSED_KERNELS);
  return new Proxy(be, {
    get(target, key) {
      if (hidden.has(key)) return undefined;
      const v: unknown = Reflect.get(target, key, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
    has: (target, key) => !hidden.has(key) && Reflect.has(target, key),
  });
}

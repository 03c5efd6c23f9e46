import { getBackend, sizeOf, type Backend, type BackendBuffer, type DType, type TypedArray } from '@psilon/kernels';
import { fmt } from './errors.js';
import { track } from './memory.js';

/** A nested array of numbers, as `toArray()` returns. */
export type NestedArray = number | NestedArray[];

/** Maps the gradients of a node's outputs to the gradients of its inputs (null = no gradient). */
export type BackwardFn = (gradOutputs: Tensor[]) => (Tensor | null)[];

/** A recorded op on the tape: its inputs, outputs and backward rule. */
export interface Node {
  /** The op's name (shown in errors). */
  readonly name: string;
  /** The tensors the op read. */
  readonly inputs: readonly Tensor[];
  /** The tensors the op made. */
  readonly outputs: readonly Tensor[];
  /** Null once the graph was freed by a backward pass. */
  backward: BackwardFn | null;
  /** The inputs' versions when the op ran; backward checks that none changed since. */
  readonly versions: readonly number[];
}

/**
 * Device storage shared by tensors that view the same data (a reshape shares
 * its input's storage). Freed when the last tensor holding it is disposed.
 */
class Storage {
  refs = 1;
  constructor(readonly buf: BackendBuffer, readonly backend: Backend) {}
  release(): void {
    if (--this.refs === 0) this.backend.free(this.buf);
  }
}

/** Frees storage of tensors that were garbage-collected without dispose(). */
const finalizer = new FinalizationRegistry<Storage>((s) => s.release());

let nextId = 0;

/**
 * An n-dimensional array living on a backend, with an optional gradient.
 *
 * Ops are synchronous and may only queue work (gpujs webgpu mode); reading
 * values back is `await t.data()`, or `t.dataSync()` on synchronous backends.
 */
export class Tensor {
  /** A number unique to this tensor in the process (creation order). */
  readonly id = nextId++;
  /** The dimensions, outermost first ([] for a scalar). */
  readonly shape: readonly number[];
  /** Element type, `float32` or `float64`. */
  readonly dtype: DType;
  /** True when gradients flow to (or through) this tensor. */
  requiresGrad: boolean;
  /** ∂loss/∂this after `backward()`, for tensors created with `requiresGrad`. Accumulates across calls. */
  grad: Tensor | null = null;
  /** The op that produced this tensor (null for leaves and constants). */
  node: Node | null = null;
  /** Bumped by every in-place change (`assign`): the tape refuses a backward through changed inputs. */
  version = 0;
  /** Which output of `node` this tensor is. */
  outputIndex = 0;
  private storage: Storage | null;

  /** Internal: wraps a backend buffer. Use the creation functions (`tensor`, `zeros`, …) instead. */
  constructor(buf: BackendBuffer, shape: readonly number[], backend: Backend, requiresGrad = false) {
    if (buf.size !== sizeOf(shape)) throw new Error(`Tensor: buffer of ${buf.size} elements does not fit shape ${fmt(shape)}`);
    this.shape = Object.freeze(shape.slice());
    this.dtype = buf.dtype;
    this.requiresGrad = requiresGrad;
    this.storage = new Storage(buf, backend);
    finalizer.register(this, this.storage, this);
    track(this);
  }

  /** A new tensor sharing this one's storage under another shape (no copy). */
  static view(src: Tensor, shape: readonly number[]): Tensor {
    const s = src.live();
    const t = Object.create(Tensor.prototype) as Tensor;
    Object.assign(t, {
      id: nextId++, shape: Object.freeze(shape.slice()), dtype: src.dtype, requiresGrad: false, grad: null, node: null, outputIndex: 0, version: 0, storage: s,
    });
    s.refs++;
    finalizer.register(t, s, t);
    track(t);
    return t;
  }

  private live(): Storage {
    if (!this.storage) throw new Error(`Tensor ${fmt(this.shape)} was used after dispose()`);
    return this.storage;
  }

  /** The backend buffer (for ops and custom ops). */
  get buffer(): BackendBuffer { return this.live().buf; }
  /** The backend holding the data. */
  get backend(): Backend { return this.live().backend; }
  /** Number of elements. */
  get size(): number { return sizeOf(this.shape); }
  /** Number of axes. */
  get rank(): number { return this.shape.length; }
  /** True after `dispose()`. */
  get isDisposed(): boolean { return this.storage === null; }
  /** True when no other tensor views this one's storage (so writing it in place is invisible to others). */
  get ownsStorage(): boolean { return this.live().refs === 1; }

  /** Reads the values back to the host (waits for queued kernels). */
  data(): Promise<TypedArray> { return this.backend.read(this.buffer); }
  /** Synchronous read-back; throws on asynchronous backends (gpujs webgpu). */
  dataSync(): TypedArray { return this.backend.readSync(this.buffer); }
  /** The values as nested arrays. */
  async toArray(): Promise<NestedArray> { return nest(await this.data(), this.shape); }
  /** Synchronous `toArray()`. */
  arraySync(): NestedArray { return nest(this.dataSync(), this.shape); }
  /** The single value of a one-element tensor. */
  async item(): Promise<number> { this.checkScalar('item'); return (await this.data())[0]!; }
  /** Synchronous `item()`. */
  itemSync(): number { this.checkScalar('itemSync'); return this.dataSync()[0]!; }
  private checkScalar(what: string): void {
    if (this.size !== 1) throw new Error(`${what}: tensor of shape ${fmt(this.shape)} has ${this.size} elements, expected 1`);
  }

  /** Frees the storage (when no other view holds it). Idempotent. Disposes the gradient too. */
  dispose(): void {
    if (!this.storage) return;
    finalizer.unregister(this);
    this.storage.release();
    this.storage = null;
    if (this.grad) { this.grad.dispose(); this.grad = null; }
  }

  /**
   * Replaces this tensor's values with `src`'s, in place (same shape and dtype).
   * Optimizers use it to update parameters; `src` may be disposed afterwards.
   */
  assign(src: Tensor): this {
    if (src.dtype !== this.dtype || src.shape.length !== this.shape.length || src.shape.some((d, i) => d !== this.shape[i])) {
      throw new Error(`assign: cannot assign ${src.dtype} ${fmt(src.shape)} to ${this.dtype} ${fmt(this.shape)}`);
    }
    const s = src.live();
    s.refs++;
    this.version++;
    this.live().release();
    finalizer.unregister(this);
    this.storage = s;
    finalizer.register(this, s, this);
    return this;
  }

  /** A tensor with the same storage and no gradient history. */
  detach(): Tensor { return Tensor.view(this, this.shape); }

  /** `Tensor(float32 [2, 3])`, with `requiresGrad` when set. */
  toString(): string { return `Tensor(${this.dtype} ${fmt(this.shape)}${this.requiresGrad ? ', requiresGrad' : ''})`; }
}


function nest(data: TypedArray, shape: readonly number[]): NestedArray {
  if (shape.length === 0) return data[0]!;
  const build = (off: number, ax: number): NestedArray[] => {
    const n = shape[ax]!;
    const inner = sizeOf(shape.slice(ax + 1));
    const out: NestedArray[] = [];
    for (let i = 0; i < n; i++) out.push(ax === shape.length - 1 ? data[off + i]! : build(off + i * inner, ax + 1));
    return out;
  };
  return build(0, 0);
}

/** Wraps a freshly made backend buffer as a tensor on the active (or given) backend. */
export function fromBuffer(buf: BackendBuffer, shape: readonly number[], backend: Backend = getBackend()): Tensor {
  return new Tensor(buf, shape, backend);
}

/**
 * Memory of the `wasm` backend: one WebAssembly.Memory that every kernel (and
 * every worker thread) addresses, carved into blocks by a size-class allocator.
 *
 * A block holds n float32 values plus 16 bytes of slack, so a SIMD kernel may
 * read a whole vector at a row's end (wat.ts). Freed blocks go to a free list
 * per size class and are reused by the next request of that class; classes step
 * by at most 25% (four per power of two), so a training loop's fixed shapes reuse
 * the same blocks every step and changing shapes waste at most a quarter.
 */

/** Bytes per Wasm page. */
const PAGE = 65536;
/** The largest memory a wasm32 module can address (65536 pages). */
export const MAX_BYTES = 4 * 1024 ** 3;
/** Bytes reserved at address 0 (null pointer guard, thread control block). */
export const RESERVED_BYTES = 64 * 1024;

/** The size class (in bytes, a multiple of 64) of a block holding `elems` float32s plus slack. */
export function sizeClass(elems: number): number {
  const need = elems * 4 + 16;
  if (need <= 256) return Math.ceil(need / 64) * 64;
  const e = 2 ** Math.floor(Math.log2(need));
  const step = e / 4;
  return Math.ceil(need / step) * step;
}

export class WasmHeap {
  readonly memory: WebAssembly.Memory;
  /** float32 view of the whole memory, rebuilt after every growth. */
  f32: Float32Array;
  private top = RESERVED_BYTES;
  private readonly free = new Map<number, number[]>();
  private liveBlocks = 0;

  constructor(shared: boolean, initialBytes = 16 * 1024 * 1024) {
    const initial = Math.ceil(initialBytes / PAGE);
    this.memory = new WebAssembly.Memory({ initial, maximum: MAX_BYTES / PAGE, shared } as WebAssembly.MemoryDescriptor);
    this.f32 = new Float32Array(this.memory.buffer);
  }

  /** Bytes the memory spans now (it only grows). */
  get bytes(): number { return this.memory.buffer.byteLength; }
  /** Blocks handed out and not yet released. */
  get live(): number { return this.liveBlocks; }

  /** A block for `elems` float32 values; returns its byte address (16-byte aligned). */
  alloc(elems: number, what = 'buffer'): number {
    const cls = sizeClass(elems);
    this.liveBlocks++;
    const list = this.free.get(cls);
    if (list?.length) return list.pop()!;
    const ptr = this.top;
    if (ptr + cls > MAX_BYTES) {
      this.liveBlocks--;
      throw new Error(`wasm backend: cannot allocate ${what} of ${elems} float32 values: the Wasm heap is limited to 4 GiB (${(this.top / 2 ** 20).toFixed(0)} MiB in use)`);
    }
    this.top += cls;
    if (this.top > this.bytes) {
      const grow = Math.max(Math.ceil((this.top - this.bytes) / PAGE), Math.ceil(this.bytes / PAGE / 4));
      this.memory.grow(Math.min(grow, MAX_BYTES / PAGE - this.bytes / PAGE));
      this.f32 = new Float32Array(this.memory.buffer);
    }
    return ptr;
  }

  /** Returns a block to its size class's free list. */
  release(ptr: number, elems: number): void {
    const cls = sizeClass(elems);
    let list = this.free.get(cls);
    if (!list) this.free.set(cls, (list = []));
    list.push(ptr);
    this.liveBlocks--;
  }

  /**
   * A float32 view of `elems` values at `ptr`, valid until the next `alloc`: growing an
   * unshared memory detaches every earlier view, so a kernel allocates first, then takes views.
   */
  view(ptr: number, elems: number): Float32Array {
    return this.f32.subarray(ptr >>> 2, (ptr >>> 2) + elems);
  }
}

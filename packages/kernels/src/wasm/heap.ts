/**
 * Memory of the `wasm` backend: one WebAssembly.Memory that every kernel (and
 * every worker thread) addresses, carved into blocks by a size-class allocator (arena.ts).
 *
 * A block holds n float32 values plus 16 bytes of slack, so a SIMD kernel may
 * read a whole vector at a row's end (wat.ts). Freed blocks go to a free list
 * per size class and are reused by the next request of that class; classes step
 * by at most 25% (four per power of two), so a training loop's fixed shapes reuse
 * the same blocks every step and changing shapes waste at most a quarter.
 */

import { Arena, quarterStep } from '../arena.js';

/** Bytes per Wasm page. */
const PAGE = 65536;
/** The largest memory a wasm32 module can address (65536 pages). */
export const MAX_BYTES = 4 * 1024 ** 3;
/** Bytes reserved at address 0 (null pointer guard, thread control block). */
export const RESERVED_BYTES = 64 * 1024;

/** The size class (in bytes, a multiple of 64) of a block holding `elems` float32s plus slack. */
export function sizeClass(elems: number): number {
  return quarterStep(elems * 4 + 16, 64);
}

export class WasmHeap {
  readonly memory: WebAssembly.Memory;
  /** float32 view of the whole memory, rebuilt after every growth. */
  f32: Float32Array;
  private readonly arena = new Arena(sizeClass, RESERVED_BYTES);

  constructor(shared: boolean, initialBytes = 16 * 1024 * 1024) {
    const initial = Math.ceil(initialBytes / PAGE);
    this.memory = new WebAssembly.Memory({ initial, maximum: MAX_BYTES / PAGE, shared } as WebAssembly.MemoryDescriptor);
    this.f32 = new Float32Array(this.memory.buffer);
  }

  /** Bytes the memory spans now (it only grows). */
  get bytes(): number { return this.memory.buffer.byteLength; }
  /** Blocks handed out and not yet released. */
  get live(): number { return this.arena.live; }

  /** A block for `elems` float32 values; returns its byte address (16-byte aligned). */
  alloc(elems: number, what = 'buffer'): number {
    const ptr = this.arena.alloc(elems, MAX_BYTES);
    if (ptr < 0) {
      throw new Error(`wasm backend: cannot allocate ${what} of ${elems} float32 values: the Wasm heap is limited to 4 GiB (${(this.arena.top / 2 ** 20).toFixed(0)} MiB in use)`);
    }
    const top = this.arena.top;
    if (top > this.bytes) {
      const grow = Math.max(Math.ceil((top - this.bytes) / PAGE), Math.ceil(this.bytes / PAGE / 4));
      this.memory.grow(Math.min(grow, MAX_BYTES / PAGE - this.bytes / PAGE));
      this.f32 = new Float32Array(this.memory.buffer);
    }
    return ptr;
  }

  /** Returns a block to its size class's free list. */
  release(ptr: number, elems: number): void {
    this.arena.release(ptr, elems);
  }

  /**
   * A float32 view of `elems` values at `ptr`, valid until the next `alloc`: growing an
   * unshared memory detaches every earlier view, so a kernel allocates first, then takes views.
   */
  view(ptr: number, elems: number): Float32Array {
    return this.f32.subarray(ptr >>> 2, (ptr >>> 2) + elems);
  }
}

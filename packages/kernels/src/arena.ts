/**
 * Size-class block allocation over a linear address space, shared by the `wasm`
 * backend's memory (addresses in bytes) and the `webgpu` backend's device heap
 * (offsets in float32 elements): blocks of a few size classes per power of two (so a
 * training loop's fixed shapes reuse the same blocks every step, and changing shapes
 * waste at most a quarter), a free list per class, and a top that only grows.
 */
export class Arena {
  /** End of the highest block handed out (in the caller's units). */
  top: number;
  private readonly free = new Map<number, number[]>();
  private blocks = 0;

  /**
   * @param classOf the block size, in the caller's units, that serves a request of n elements
   * @param start the first address handed out (space below it is reserved)
   */
  constructor(private readonly classOf: (n: number) => number, start = 0) {
    this.top = start;
  }

  /** Blocks handed out and not yet released. */
  get live(): number { return this.blocks; }

  /**
   * The address of a block for `n` elements, or -1, with nothing changed, when a new block
   * would end past `limit`.
   */
  alloc(n: number, limit = Infinity): number {
    const cls = this.classOf(n);
    const list = this.free.get(cls);
    let at: number;
    if (list?.length) {
      at = list.pop()!;
    } else {
      if (this.top + cls > limit) return -1;
      at = this.top;
      this.top += cls;
    }
    this.blocks++;
    return at;
  }

  /** Returns the block at `at` (allocated for `n` elements) to its class's free list. */
  release(at: number, n: number): void {
    const cls = this.classOf(n);
    let list = this.free.get(cls);
    if (!list) this.free.set(cls, (list = []));
    list.push(at);
    this.blocks--;
  }
}

/** Rounds `need` up to its class: multiples of `quantum` up to 4 quanta, then quarter steps between powers of two. */
export function quarterStep(need: number, quantum: number): number {
  const q = Math.max(quantum, Math.ceil(need / quantum) * quantum);
  if (q <= 4 * quantum) return q;
  const step = 2 ** Math.floor(Math.log2(q)) / 4;
  return Math.ceil(q / step) * step;
}

/**
 * Block allocation inside the `webgpu` backend's device heap: blocks of 256-byte size
 * classes (quarter steps between powers of two, so fixed shapes reuse the same blocks
 * every step and changing shapes waste at most a quarter), free lists per class, and
 * a top that only grows. Offsets and sizes are in float32 elements.
 */

/** Elements per 256 bytes: blocks start at multiples of it. */
const ALIGN = 64;

/** The class (in elements, a multiple of 64) of a block holding `elems` values. */
export function blockClass(elems: number): number {
  const need = Math.max(ALIGN, Math.ceil(elems / ALIGN) * ALIGN);
  if (need <= 4 * ALIGN) return need;
  const step = 2 ** Math.floor(Math.log2(need)) / 4;
  return Math.ceil(need / step) * step;
}

export class Arena {
  /** End of the highest block handed out, in elements. */
  top = 0;
  private readonly free = new Map<number, number[]>();

  /**
   * The offset of a block of at least `elems` values (its class is `blockClass(elems)`),
   * or -1, with nothing changed, when a new block would end past `limit`.
   */
  alloc(elems: number, limit = Infinity): number {
    const cls = blockClass(elems);
    const list = this.free.get(cls);
    if (list?.length) return list.pop()!;
    if (this.top + cls > limit) return -1;
    const at = this.top;
    this.top += cls;
    return at;
  }

  /** Returns the block at `offset` (allocated for `elems` values) to its class's free list. */
  release(offset: number, elems: number): void {
    const cls = blockClass(elems);
    let list = this.free.get(cls);
    if (!list) this.free.set(cls, (list = []));
    list.push(offset);
  }
}

/**
 * The `webgpu` backend's device memory: a heap of chunks, each one storage buffer of at
 * most the device's largest storage binding, carved into blocks by a size-class
 * allocator (arena.ts). Tensors are addressed by (chunk, offset), offsets travel in the
 * kernels' parameters, so one bind group per set of chunks serves every dispatch (a bind
 * group per dispatch cost more than all the rest of recording one). A chunk that fills
 * is replaced by one twice its size — contents copied on the device, offsets unchanged —
 * until it reaches the binding limit; then a new chunk opens. A kernel whose operands
 * live in several chunks binds each once (a buffer bound twice, once writable, aliases).
 */
import { Arena, quarterStep } from '../arena.js';
import { COMPUTE, USAGE, type GBuffer, type GDevice, type LayoutEntry } from './gpu.js';
import { SLOT } from './recorder.js';

/** One device buffer of the heap; `generation` counts its replacements by larger ones. */
export interface Chunk { id: number; buffer: GBuffer; arena: Arena; generation: number; /** its bind group alone (the common case) */ group?: unknown }

/** Blocks start at multiples of 64 elements (256 bytes) and come in quarter-step classes. */
const blockClass = (elems: number): number => quarterStep(elems, 64);
/** A chunk's first size, in float32 elements (16 MiB). */
const INITIAL_CHUNK = 1 << 22;

/** The bind-group and pipeline layouts of kernels binding `n` chunks. */
interface Layouts { group: unknown; pipeline: unknown }

export class DeviceHeap {
  private readonly chunks: Chunk[] = [];
  private readonly layouts = new Map<number, Layouts>();
  /** Bind groups by the chunks (and generations) they bind, in binding order. */
  private readonly groups = new Map<string, unknown>();
  /** Largest chunk, in floats: one storage binding on this device. */
  readonly maxElements: number;

  /**
   * @param params the uniform buffer of parameter slots (binding 0 of every kernel)
   * @param move records a device-side copy of a full chunk into its larger replacement
   *   (in order with the recorded kernels) and retires the old buffer
   */
  constructor(private readonly device: GDevice, private readonly params: GBuffer, private readonly move: (from: GBuffer, to: GBuffer) => void) {
    this.maxElements = Math.floor(device.limits.maxStorageBufferBindingSize / 4);
  }

  /** Bytes of device memory the chunks hold. */
  get bytes(): number { return this.chunks.reduce((s, c) => s + c.buffer.size, 0); }

  private chunkBuffer(elems: number): GBuffer {
    return this.device.createBuffer({ size: elems * 4, usage: USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST });
  }

  /** A block for `size` floats: in the first chunk with room (grown when its buffer is full), else in a new chunk. */
  alloc(size: number): { chunk: Chunk; offset: number } {
    if (size > this.maxElements) {
      throw new Error(`webgpu backend: a buffer of ${size} floats exceeds this device's largest storage binding (${this.maxElements} floats)`);
    }
    let chunk: Chunk | undefined;
    let offset = -1;
    for (const c of this.chunks) {
      offset = c.arena.alloc(size, this.maxElements);
      if (offset >= 0) { chunk = c; break; }
    }
    if (!chunk) {
      const elems = Math.min(this.maxElements, Math.max(INITIAL_CHUNK, blockClass(size)));
      chunk = { id: this.chunks.length, buffer: this.chunkBuffer(elems), arena: new Arena(blockClass), generation: 0 };
      this.chunks.push(chunk);
      offset = chunk.arena.alloc(size, this.maxElements);
    }
    const need = chunk.arena.top, cap = chunk.buffer.size / 4;
    if (need > cap) this.grow(chunk, Math.min(this.maxElements, Math.max(need, 2 * cap)));
    return { chunk, offset };
  }

  /** Returns a block; it is reusable at once (later commands run after earlier readers). */
  release(chunk: Chunk, offset: number, size: number): void {
    chunk.arena.release(offset, size);
  }

  private grow(chunk: Chunk, elems: number): void {
    const grown = this.chunkBuffer(elems);
    this.move(chunk.buffer, grown);
    for (const key of [...this.groups.keys()]) if (key.split('|').includes(`${chunk.id}.${chunk.generation}`)) this.groups.delete(key);
    chunk.buffer = grown;
    chunk.generation++;
    chunk.group = undefined;
  }

  /** Layouts of kernels that bind `n` chunks: binding 0 the parameter slot (dynamic offset), 1…n the chunks. */
  layoutsFor(n: number): Layouts {
    let l = this.layouts.get(n);
    if (!l) {
      const entries: LayoutEntry[] = [{ binding: 0, visibility: COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: SLOT } }];
      for (let i = 1; i <= n; i++) entries.push({ binding: i, visibility: COMPUTE, buffer: { type: 'storage' } });
      const group = this.device.createBindGroupLayout({ entries });
      l = { group, pipeline: this.device.createPipelineLayout({ bindGroupLayouts: [group] }) };
      this.layouts.set(n, l);
    }
    return l;
  }

  /** The bind group of `chunks` (in binding order), made once per chunk generation. */
  bindGroup(chunks: readonly Chunk[]): unknown {
    if (chunks.length === 1 && chunks[0]!.group) return chunks[0]!.group;
    const key = chunks.map((c) => `${c.id}.${c.generation}`).join('|');
    let g = this.groups.get(key);
    if (!g) {
      g = this.device.createBindGroup({ layout: this.layoutsFor(chunks.length).group, entries: [
        { binding: 0, resource: { buffer: this.params, offset: 0, size: SLOT } },
        ...chunks.map((c, i) => ({ binding: i + 1, resource: { buffer: c.buffer } })),
      ] });
      this.groups.set(key, g);
      if (chunks.length === 1) chunks[0]!.group = g;
    }
    return g;
  }

  destroy(): void {
    for (const c of this.chunks) c.buffer.destroy();
    this.chunks.length = 0;
    this.groups.clear();
  }
}

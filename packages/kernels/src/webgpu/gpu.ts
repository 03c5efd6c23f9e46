/**
 * The slice of the WebGPU API the `webgpu` backend uses, typed here (the packages do not
 * depend on @webgpu/types), and WebGPU's flag values as numbers, so no globals need
 * installing in Node.
 */

/** GPUBufferUsage bits. */
export const USAGE = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 } as const;
/** GPUMapMode.READ. */
export const MAP_READ = 0x1;
/** GPUShaderStage.COMPUTE. */
export const COMPUTE = 0x4;

export interface GBuffer { readonly size: number; destroy(): void; mapAsync(mode: number): Promise<void>; getMappedRange(): ArrayBuffer; unmap(): void }
export interface GPass { setPipeline(p: unknown): void; setBindGroup(i: number, g: unknown, offsets?: number[]): void; dispatchWorkgroups(x: number, y?: number): void; end(): void }
export interface GEncoder { beginComputePass(): GPass; copyBufferToBuffer(a: GBuffer, ao: number, b: GBuffer, bo: number, n: number): void; finish(): unknown }
export type LayoutEntry = { binding: number; visibility: number; buffer: { type: 'uniform' | 'storage'; hasDynamicOffset?: boolean; minBindingSize?: number } };
export interface GDevice {
  createBuffer(d: { size: number; usage: number }): GBuffer;
  createShaderModule(d: { code: string }): unknown;
  createBindGroupLayout(d: { entries: LayoutEntry[] }): unknown;
  createPipelineLayout(d: { bindGroupLayouts: unknown[] }): unknown;
  createComputePipeline(d: { layout: unknown; compute: { module: unknown; entryPoint: string } }): unknown;
  createBindGroup(d: { layout: unknown; entries: { binding: number; resource: { buffer: GBuffer; offset?: number; size?: number } }[] }): unknown;
  createCommandEncoder(): GEncoder;
  readonly limits: { maxStorageBufferBindingSize: number };
  pushErrorScope(f: 'validation' | 'out-of-memory'): void;
  popErrorScope(): Promise<{ message: string } | null>;
  queue: { submit(c: unknown[]): void; writeBuffer(b: GBuffer, off: number, data: ArrayBufferView, dataOff?: number, size?: number): void; onSubmittedWorkDone(): Promise<void> };
  destroy(): void;
}

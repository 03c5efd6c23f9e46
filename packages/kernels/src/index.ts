/**
 * @psilon/kernels — the backend interface the tensor engine computes through,
 * a hand-written CPU backend (float32 and float64), a WebAssembly SIMD backend
 * (float32, multi-threaded), a WebGPU backend of hand-written WGSL kernels and a gpu.js backend.
 */
export type { Backend, BackendPrimitives, FusedKernels, BackendBuffer, WeightNormSpec, WeightNormResult, WeightNormGrads, AdamHyper, SphereTauResult } from './backend.js';
export { FUSED_KERNELS, withoutFused } from './backend.js';
export * from './types.js';
export * from './ops.js';
export { CpuBackend } from './cpu/index.js';
export { matmulInto, gemmNN, transposeInto, gemmSource } from './cpu/gemm.js';
export { projectColumn, type ColumnProjection } from './cpu/projection.js';
export { WasmBackend, type WasmOptions } from './wasm/index.js';
export type { WasmThreadStats } from './wasm/threads.js';
export { WebGpuBackend, type WebGpuOptions } from './webgpu/index.js';
export { MATMUL_TILES, type MatmulTile, type MatmulTileName } from './webgpu/matmul.js';
export { GpuJsBackend, GPUJS_MODES, GPUJS_MAX_ELEMENTS, type GpuJsMode, type GpuJsOptions } from './gpujs/index.js';
export { getBackend, setBackend, createBackend, initBackend, type BackendName } from './registry.js';

/**
 * Adam's per-step scalars in the one layout every fused Adam kernel reads: the wasm
 * kernel's f32 parameters, the WGSL kernel's parameter slots and gpu.js's
 * hyperparameter buffer are all generated from {@link ADAM_SCALARS}, in this order.
 */
import type { AdamHyper } from './backend.js';

/** The scalars, in kernel order: step = lr/bc1, invRootBc2 = 1/√bc2 (PyTorch's update, backend.ts). */
export const ADAM_SCALARS = ['step', 'invRootBc2', 'beta1', 'beta2', 'eps', 'weightDecay'] as const;
/** The name of one of Adam's kernel scalars. */
export type AdamScalar = (typeof ADAM_SCALARS)[number];

/** The kernel scalars of one step: p' = p − step·m'/(√v'·invRootBc2 + ε). */
export function adamScalars(h: AdamHyper): Record<AdamScalar, number> {
  return { step: h.lr / h.bc1, invRootBc2: 1 / Math.sqrt(h.bc2), beta1: h.beta1, beta2: h.beta2, eps: h.eps, weightDecay: h.weightDecay };
}

/** The same scalars as a list in {@link ADAM_SCALARS} order (gpu.js's buffer, WGSL's slots). */
export function adamVector(h: AdamHyper): number[] {
  const s = adamScalars(h);
  return ADAM_SCALARS.map((k) => s[k]);
}

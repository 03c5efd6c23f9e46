/**
 * The public functions over a model's regularizer and Lipschitz bound (docs/math.md §6).
 * Each model class owns its regularizer and bound (models.ts); these are the
 * function forms, and `lipschitzBound` reads the value back.
 */
import * as C from '@psilon/core';
import type { Tensor } from '@psilon/core';
import type { ResNetBound } from '../norms/index.js';
import type { Model, NormNet, NormResNet } from './models.js';

/** The regularizer R of the model's objective L + λ·R, per its `regularizer` option. */
export const regularizer = (model: Model): Tensor => model.regularizer();

/** True when the closed forms apply: shared g, L1 normalization, no pruning blend running. */
export const hasClosedForm = (model: Model): boolean => model.hasClosedForm();

function requireClosedForm(model: Model, where: string): void {
  if (!model.hasClosedForm()) {
    throw new Error(`${where}: the closed form needs shared g and L1 normalization (model has share=${model.config.share}, norm=${model.config.norm}); use the explicit form`);
  }
}

/** PSiLON Net closed form |Π g_i|·Σ|g_K| (throws when it does not apply). */
export function pathNormClosedForm(model: NormNet): Tensor {
  requireClosedForm(model, 'pathNormClosedForm');
  return model.pathNorm();
}

/** PSiLON ResNet improved bound, closed form |g_1|·Π(1+|g_i|)·Σ|g_K| (throws when it does not apply). */
export function improvedBoundClosedForm(model: NormResNet): Tensor {
  requireClosedForm(model, 'improvedBoundClosedForm');
  return model.improvedBound();
}

/** Explicit 1-path-norm 1ᵀ|W_Kᵀ|⋯|W_1ᵀ|1 of a NormNet, any configuration. */
export const pathNormExplicit = (model: NormNet): Tensor => model.pathNormExplicit();

/** A ResNet's improved (`ib`) or original (`ob`) bound by explicit recursion. */
export const resnetBoundExplicit = (model: NormResNet, bound: ResNetBound): Tensor => model.boundExplicit(bound);

/** Σ ‖W‖²_F over every layer's normalized weights (W⁺ and W⁻ for CReLU layers): the Standard Net penalty. */
export const l2Penalty = (model: Model): Tensor => model.l2Penalty();

/** A certified Lipschitz bound and the formula that produced it. */
export interface LipschitzBound {
  /** Upper bound on Σ_o Σ_i |∂f_o/∂x_i| at every x (ℓ∞ → ℓ1 Lipschitz constant). */
  value: number;
  /** Which formula produced it (closed form or explicit recursion), naming docs/math.md §6. */
  formula: string;
}

/**
 * The certified bound of docs/math.md §6: for a NormNet the 1-path-norm, for a
 * NormResNet the improved bound; closed forms when they apply, else explicit.
 * @param model the model to bound (not changed)
 */
export async function lipschitzBound(model: Model): Promise<LipschitzBound> {
  const { value, formula } = C.tidy(() => C.noGrad(() => model.bound()));
  const v = await value.item();
  value.dispose();
  return { value: v, formula };
}

import type { Backend } from '@psilon/kernels';
import { fmt } from './errors.js';
import type { Tensor } from './tensor.js';

/** The common backend and dtype of an op's inputs; throws naming the op when they differ. */
export function getBackendOf(inputs: readonly Tensor[], op: string): Backend {
  const be = inputs[0]!.backend;
  const dt = inputs[0]!.dtype;
  for (const t of inputs) {
    if (t.backend !== be) throw new Error(`${op}: inputs live on different backends (${be.name} and ${t.backend.name})`);
    if (t.dtype !== dt) {
      throw new Error(`${op}: dtype mismatch, ${dt} ${fmt(inputs[0]!.shape)} and ${t.dtype} ${fmt(t.shape)}`);
    }
  }
  return be;
}

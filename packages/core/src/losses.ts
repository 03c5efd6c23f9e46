/**
 * Losses, composed from ops (so their gradients come from the op table), numerically stable.
 * Like every op they never read back: a non-finite prediction or target gives a NaN (or ±∞)
 * loss as a value, on every backend. Training checks the value it reads back once per step
 * (psilon's `trainStep`); a caller of these losses checks its own.
 */
import { fmt } from './errors.js';
import { abs, exp, log, logSoftmax, maximum, mean, mul, neg, oneHot, square, sub, sum, add } from './ops.js';
import { Tensor } from './tensor.js';

function sameShape(a: Tensor, b: Tensor, op: string): void {
  if (a.rank !== b.rank || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new Error(`${op}: predictions ${fmt(a.shape)} and targets ${fmt(b.shape)} must have the same shape`);
  }
}

/** Mean squared error: mean((ŷ − y)²). */
export function mse(pred: Tensor, target: Tensor): Tensor {
  sameShape(pred, target, 'mse');
  return mean(square(sub(pred, target)));
}

/**
 * Binary cross-entropy on logits z with targets y ∈ [0, 1]:
 * mean(max(z, 0) − z·y + log(1 + e^{−|z|})), stable for any |z|; ∂/∂z = σ(z) − y (also at z = 0).
 */
export function bceWithLogits(logits: Tensor, target: Tensor): Tensor {
  sameShape(logits, target, 'bceWithLogits');
  return mean(add(sub(maximum(logits, 0), mul(logits, target)), log(add(exp(neg(abs(logits))), 1))));
}

/**
 * Softmax cross-entropy: −mean_i Σ_c y_ic·log softmax(z_i)_c. `labels` is either
 * a 1-D tensor of class indices or an [n, classes] matrix of (one-hot or soft) targets.
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor): Tensor {
  if (logits.rank !== 2) throw new Error(`softmaxCrossEntropy: logits must be [n, classes], got ${fmt(logits.shape)}`);
  const [n, c] = logits.shape as [number, number];
  let y = labels;
  if (labels.rank === 1) {
    if (labels.size !== n) throw new Error(`softmaxCrossEntropy: ${labels.size} labels for ${n} rows of logits`);
    y = oneHot(labels, c, logits.dtype);
  } else sameShape(logits, labels, 'softmaxCrossEntropy');
  return neg(mean(sum(mul(y, logSoftmax(logits)), -1)));
}

/** Learning-rate schedules, stepped by the caller. */
import { checkOptions } from './errors.js';
import type { Optimizer } from './optim.js';

/** Options of {@link OneCycle}; defaults are PyTorch's `OneCycleLR` defaults. */
export interface OneCycleOptions {
  /** Peak learning rate. */
  maxLr: number;
  /** Number of `step()` calls in the whole cycle (docs/math.md §8: the number of epochs). */
  totalSteps: number;
  /** Fraction of the cycle spent increasing the lr (default 0.3; docs/math.md §8 uses 0.2). */
  pctStart?: number;
  /** Initial lr = maxLr / divFactor (default 25). */
  divFactor?: number;
  /** Final lr = initial lr / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** Cycle the momentum (Adam's β₁) inversely to the lr (default true). */
  cycleMomentum?: boolean;
  /** Momentum at the lr peak (default 0.85). */
  baseMomentum?: number;
  /** Momentum at the start and end (default 0.95). */
  maxMomentum?: number;
}

/**
 * The one-cycle policy with cosine annealing, exactly PyTorch's `OneCycleLR`
 * (anneal_strategy='cos', three_phase=False): the lr rises from maxLr/divFactor
 * to maxLr over the first pctStart·totalSteps − 1 steps, then falls to
 * initial/finalDivFactor at step totalSteps − 1, while the momentum moves
 * maxMomentum → baseMomentum → maxMomentum. Construction sets step 0's values.
 */
export class OneCycle {
  private t = 0;
  /** The lr at step 0: maxLr / divFactor. */
  readonly initialLr: number;
  /** The lr at the last step: initialLr / finalDivFactor. */
  readonly minLr: number;
  private readonly o: Required<OneCycleOptions>;

  /**
   * @param optimizer the optimizer whose `lr` (and `momentum`) the schedule writes
   * @param options the peak lr and the number of steps (required), and the shape of the cycle: see {@link OneCycleOptions}
   */
  constructor(private readonly optimizer: Optimizer, options: OneCycleOptions) {
    checkOptions('OneCycle', options, ['maxLr', 'totalSteps', 'pctStart', 'divFactor', 'finalDivFactor', 'cycleMomentum', 'baseMomentum', 'maxMomentum']);
    this.o = {
      pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4, cycleMomentum: true, baseMomentum: 0.85, maxMomentum: 0.95, ...options,
    };
    const { maxLr, totalSteps, pctStart } = this.o;
    if (!(maxLr > 0)) throw new Error(`OneCycle: maxLr must be > 0, got ${maxLr}`);
    if (!Number.isInteger(totalSteps) || totalSteps < 2) throw new Error(`OneCycle: totalSteps must be an integer ≥ 2, got ${totalSteps}`);
    if (!(pctStart > 0 && pctStart < 1)) throw new Error(`OneCycle: pctStart must be in (0, 1), got ${pctStart}`);
    if (pctStart * totalSteps - 1 <= 0) throw new Error(`OneCycle: pctStart·totalSteps must exceed 1 (got ${pctStart * totalSteps})`);
    this.initialLr = maxLr / this.o.divFactor;
    this.minLr = this.initialLr / this.o.finalDivFactor;
    this.apply();
  }

  /** Steps taken so far. */
  get stepCount(): number { return this.t; }

  /** The (lr, momentum) the schedule prescribes at step t. */
  valuesAt(t: number): {
    /** The learning rate at step t. */
    lr: number;
    /** The momentum (Adam's β₁) at step t. */
    momentum: number;
  } {
    const { totalSteps, pctStart, maxLr, baseMomentum, maxMomentum } = this.o;
    if (t > totalSteps) throw new Error(`OneCycle: stepped ${t} times, beyond totalSteps = ${totalSteps}`);
    const upEnd = pctStart * totalSteps - 1;
    const downEnd = totalSteps - 1;
    const cos = (start: number, end: number, pct: number): number => end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
    if (t <= upEnd) {
      const pct = t / upEnd;
      return { lr: cos(this.initialLr, maxLr, pct), momentum: cos(maxMomentum, baseMomentum, pct) };
    }
    const pct = (t - upEnd) / (downEnd - upEnd);
    return { lr: cos(maxLr, this.minLr, pct), momentum: cos(baseMomentum, maxMomentum, pct) };
  }

  /** Advances one step and writes the new lr (and momentum) into the optimizer. */
  step(): void {
    this.t++;
    this.apply();
  }

  private apply(): void {
    const v = this.valuesAt(this.t);
    this.optimizer.lr = v.lr;
    if (this.o.cycleMomentum) this.optimizer.momentum = v.momentum;
  }
}

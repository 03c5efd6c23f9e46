/** The messages between the page (main.ts) and its training worker (worker.ts). */
import type { LayerView } from './session.js';

/** Datasets the page offers. */
export type DataName = 'moons' | 'circles' | 'wave' | 'boston' | 'iris';

/** What a reset builds: the data, the backend, the architecture and the training settings. */
export interface Setup { data: DataName; backend: string; hidden: number; depth: number; lr: number; lambda: number }

/** Page → worker. */
export type Command =
  | { type: 'reset'; setup: Setup }
  | { type: 'train'; on: boolean }
  | { type: 'prune'; steps: number }
  | { type: 'set'; lr?: number; lambda?: number }
  | { type: 'run'; id: number; backend: string; data: DataName; steps: number; lambda: number };

/** The 2-D points of a toy set (x row-major [n, 2]), to draw. */
export interface Points { x: ArrayLike<number>; y: ArrayLike<number> }

/** One net's figures at a frame. */
export interface NetFrame {
  name: string;
  /** Losses of the steps since the previous frame: [step, train, test] each. */
  losses: [number, number, number][];
  bound: number;
  near: number;
  exact: number;
  layers: LayerView[];
  /** The output on the view's grid (logits, or predictions for regression); null off the 2-D sets. */
  grid: Float32Array | Float64Array | null;
  pruneLeft: number;
  /** True once pruned: the pruned weights stay exactly zero while training goes on. */
  pruned: boolean;
}

/** Worker → page. */
export type Report =
  | {
    type: 'ready'; backend: string; task: string; chance: number; features: number; trainN: number; testN: number;
    /** For 2-D sets: the points, and the view square [x0, x1] × [y0, y1] with the grid's size. */
    view: { train: Points; test: Points; box: [number, number, number, number]; size: number } | null;
  }
  | { type: 'frame'; step: number; nets: NetFrame[]; running: boolean; justPruned: boolean; lambda: number; lr: number }
  | { type: 'result'; id: number; losses?: number[][]; backend?: string; error?: string }
  | { type: 'error'; message: string };

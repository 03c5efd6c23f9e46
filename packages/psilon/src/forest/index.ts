/** The random forest: a hand-written baseline for the paper's Table 1 (docs/math.md, "Random forest"). */
export { fitForest, predictForest, forestScore, forestOutputs, LOG_LOSS_EPS, type ForestOptions, type RandomForest } from './forest.js';
export { binFeatures, MAX_BINS, type Binned } from './bins.js';
export { growTree, type Tree, type GrowSettings } from './tree.js';
export { saveForest, loadForest, type SavedForest } from './serialize.js';
export { PAPER_LEAF_GRID, leafGrid, selectForest } from './select.js';

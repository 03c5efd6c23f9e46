/**
 * Growing one tree of the random forest on pre-binned features (bins.ts), as docs/math.md
 * ("Random forest") writes it out: the node's rows are a segment of one index array,
 * partitioned in place at each split; a split is chosen by scanning per-bin sums
 * (histograms); with every feature a candidate, the larger child's histograms are the
 * parent's minus the smaller child's (histogram subtraction).
 */
import type { RNG } from '@psilon/core';
import type { Binned } from './bins.js';

/**
 * One tree in flat arrays, node 0 the root; a node's children come after it.
 * At an inner node, a row goes left when x[feature] ≤ threshold.
 */
export interface Tree {
  /** The split feature, −1 at a leaf. */
  feature: Int32Array;
  /** The split value per node: a row goes left when x[feature] ≤ threshold (unused at a leaf). */
  threshold: Float64Array;
  /** The left child's node index per node (unused at a leaf). */
  left: Int32Array;
  /** The right child's node index per node (unused at a leaf). */
  right: Int32Array;
  /** nodes × k: the weighted mean of the node's targets (regression) or its class frequencies. */
  value: Float64Array;
}

/** What growing a tree needs besides the binned features. */
export interface GrowSettings {
  /** Targets, n × k: the regression outputs, or one-hot classes. */
  y: Float64Array;
  k: number;
  /** Regression (MSE) or classification (Gini). */
  classify: boolean;
  minSamplesLeaf: number;
  /** Candidate features per split (all of them: d). */
  maxFeatures: number;
  /** Draw the rows with replacement (the bootstrap); false: every row once. */
  bootstrap: boolean;
}

/** Nodes with fewer rows than this find their split from the bins their rows touch, not a scan of all bins. */
const SMALL_NODE = 96;

/**
 * Grows one tree. Per bin the histograms hold S = k + 2 numbers: the number of distinct
 * rows (what minSamplesLeaf counts, as in scikit-learn), their bootstrap weight and the
 * weighted target sums. Both criteria pick the split maximising Σ_children Σ_c S_c²/W
 * (docs/math.md: equivalent to the largest drop in weighted MSE or Gini impurity).
 */
export function growTree(b: Binned, g: GrowSettings, rng: RNG): Tree {
  const { n, d, codes, nBins, offset, lo, hi, total } = b;
  const { y, k, minSamplesLeaf: minLeaf, classify } = g;
  const S = k + 2;
  // bootstrap: n draws with replacement; a row drawn c times has weight c
  const w = new Float64Array(n);
  if (g.bootstrap) for (let i = 0; i < n; i++) w[rng.int(n)]! += 1;
  else w.fill(1);
  const wy = new Float64Array(n * k);
  let m0 = 0;
  for (let i = 0; i < n; i++) {
    if (w[i]! > 0) m0++;
    for (let c = 0; c < k; c++) wy[i * k + c] = w[i]! * y[i * k + c]!;
  }
  const rows = new Int32Array(m0);
  for (let i = 0, j = 0; i < n; i++) if (w[i]! > 0) rows[j++] = i;

  const cap = 2 * m0 + 1;
  const feature = new Int32Array(cap).fill(-1), threshold = new Float64Array(cap);
  const left = new Int32Array(cap), right = new Int32Array(cap), value = new Float64Array(cap * k);
  let nodes = 1;

  const subtract = g.maxFeatures >= d; // every feature is scanned at every node, so all histograms are kept
  const pool: Float64Array[] = [];
  const takeHist = () => pool.pop()?.fill(0) ?? new Float64Array(total * S);
  const scratch = new Float64Array(256 * S); // one feature's histogram, for small nodes and drawn features
  const touched = new Int32Array(256);
  const feats = Int32Array.from({ length: d }, (_, f) => f);
  const sums = new Float64Array(k), sL = new Float64Array(k);

  /** Adds rows [s, e) of feature f into h at bin offset `base`; returns the bins first touched (when listing). */
  const accumulate = (h: Float64Array, base: number, f: number, s: number, e: number, list: boolean): number => {
    let t = 0;
    const cf = f * n;
    for (let i = s; i < e; i++) {
      const r = rows[i]!, o = (base + codes[cf + r]!) * S;
      if (list && h[o] === 0) touched[t++] = codes[cf + r]!;
      h[o]! += 1;
      h[o + 1]! += w[r]!;
      if (k === 1) h[o + 2]! += wy[r]!;
      else for (let c = 0; c < k; c++) h[o + 2 + c]! += wy[r * k + c]!;
    }
    return t;
  };
  const fullHist = (s: number, e: number): Float64Array => {
    const h = takeHist();
    for (let f = 0; f < d; f++) accumulate(h, offset[f]!, f, s, e, false);
    return h;
  };

  // the best split found so far at the current node
  let bestScore = 0, bestF = -1, bestBin = -1, bestThr = 0;
  let nodeCount = 0, nodeW = 0;

  /**
   * Scans feature f's bins in order (all `nb` bins, skipping empty ones, or the listed `t`
   * touched bins), trying each boundary between two non-empty bins. Returns false when
   * the node's rows all fall in one bin (the feature is constant there).
   */
  const scan = (h: Float64Array, base: number, f: number, list: Int32Array | null, t: number): boolean => {
    let cL = 0, wL = 0, prev = -1;
    sL.fill(0);
    const end = list ? t : nBins[f]!;
    for (let j = 0; j < end; j++) {
      const bin = list ? list[j]! : j;
      const o = (base + bin) * S;
      const cnt = h[o]!;
      if (cnt === 0) continue;
      if (prev >= 0 && cL >= minLeaf) {
        if (nodeCount - cL < minLeaf) return true;
        const wR = nodeW - wL;
        let score = 0;
        if (k === 1) { const a = sL[0]!, r = sums[0]! - a; score = (a * a) / wL + (r * r) / wR; }
        else for (let c = 0; c < k; c++) { const a = sL[c]!, r = sums[c]! - a; score += (a * a) / wL + (r * r) / wR; }
        if (score > bestScore) {
          bestScore = score; bestF = f; bestBin = prev;
          bestThr = (hi[offset[f]! + prev]! + lo[offset[f]! + bin]!) / 2;
        }
      }
      cL += cnt; wL += h[o + 1]!;
      for (let c = 0; c < k; c++) sL[c]! += h[o + 2 + c]!;
      prev = bin;
    }
    return prev >= 0 && cL > h[(base + prev) * S]!; // more than one non-empty bin
  };

  /** Scans one feature from its own histogram of the node's rows (in `scratch`). */
  const scanAlone = (f: number, s: number, e: number): boolean => {
    const small = e - s < SMALL_NODE;
    const t = accumulate(scratch, 0, f, s, e, true);
    let found: boolean;
    if (small) {
      if (t <= 24) {
        for (let i = 1; i < t; i++) { // insertion sort: cheaper than a typed-array sort call for a few bins
          const v = touched[i]!;
          let j = i - 1;
          while (j >= 0 && touched[j]! > v) { touched[j + 1] = touched[j]!; j--; }
          touched[j + 1] = v;
        }
      } else touched.subarray(0, t).sort();
      found = scan(scratch, 0, f, touched, t);
    } else found = scan(scratch, 0, f, null, 0);
    for (let j = 0; j < t; j++) scratch.fill(0, touched[j]! * S, touched[j]! * S + S);
    return found;
  };

  type Job = { node: number; s: number; e: number; hist: Float64Array | null };
  const stack: Job[] = [{ node: 0, s: 0, e: m0, hist: subtract && m0 >= SMALL_NODE ? fullHist(0, m0) : null }];
  while (stack.length) {
    const { node, s, e, hist } = stack.pop()!;
    const m = e - s;
    // the node's totals: W, S_c and (for the purity test) Σ w·y²
    nodeCount = m; nodeW = 0; sums.fill(0);
    let q = 0;
    for (let i = s; i < e; i++) {
      const r = rows[i]!;
      nodeW += w[r]!;
      for (let c = 0; c < k; c++) { sums[c]! += wy[r * k + c]!; if (!classify) q += wy[r * k + c]! * y[r * k + c]!; }
    }
    let parent = 0;
    for (let c = 0; c < k; c++) { value[node * k + c] = sums[c]! / nodeW; parent += (sums[c]! * sums[c]!) / nodeW; }
    // impurity·W: Σ w·y² − Σ S²/W (MSE) or W − Σ S²/W (Gini); a pure node is a leaf
    const impurity = (classify ? nodeW : q) - parent;
    if (m < 2 * minLeaf || impurity <= 1e-12 * (classify ? nodeW : q + nodeW)) { if (hist) pool.push(hist); continue; }

    bestScore = parent + 1e-12 * Math.abs(parent) + 1e-300; bestF = -1;
    if (hist) {
      for (let f = 0; f < d; f++) scan(hist, offset[f]!, f, null, 0);
    } else if (subtract) {
      for (let f = 0; f < d; f++) scanAlone(f, s, e);
    } else {
      // draw features without replacement until maxFeatures non-constant ones are scanned (as scikit-learn)
      let visited = 0;
      for (let j = 0; j < d && visited < g.maxFeatures; j++) {
        const pick = j + rng.int(d - j);
        const f = feats[pick]!;
        feats[pick] = feats[j]!; feats[j] = f;
        if (scanAlone(f, s, e)) visited++;
      }
    }
    if (bestF < 0) { if (hist) pool.push(hist); continue; }

    // partition rows [s, e): bins ≤ bestBin go left
    const cf = bestF * n;
    let a = s, z = e - 1;
    while (a <= z) {
      if (codes[cf + rows[a]!]! <= bestBin) a++;
      else { const tmp = rows[a]!; rows[a] = rows[z]!; rows[z] = tmp; z--; }
    }
    if (a === s || a === e) { if (hist) pool.push(hist); continue; } // never a child without rows (so growing always ends)
    const l = nodes++, r = nodes++;
    feature[node] = bestF; threshold[node] = bestThr; left[node] = l; right[node] = r;
    let hl: Float64Array | null = null, hr: Float64Array | null = null;
    if (hist) {
      const leftSmaller = a - s <= e - a;
      const [ss, se, bigRows] = leftSmaller ? [s, a, e - a] : [a, e, a - s];
      if (bigRows >= SMALL_NODE) {
        // histogram subtraction: build the smaller child's, the larger child's is the parent's minus it
        const small = fullHist(ss, se);
        for (let j = 0; j < hist.length; j++) hist[j]! -= small[j]!;
        const smallKept = se - ss >= SMALL_NODE ? small : (pool.push(small), null);
        if (leftSmaller) { hl = smallKept; hr = hist; } else { hr = smallKept; hl = hist; }
      } else pool.push(hist);
    }
    stack.push({ node: r, s: a, e, hist: hr }, { node: l, s, e: a, hist: hl });
  }
  return {
    feature: feature.slice(0, nodes), threshold: threshold.slice(0, nodes), left: left.slice(0, nodes),
    right: right.slice(0, nodes), value: value.slice(0, nodes * k),
  };
}

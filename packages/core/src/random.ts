import { matmulInto } from '@psilon/kernels';
/**
 * A seeded random number generator (xoshiro128**, seeded through splitmix32).
 * Every random initialisation in the library takes one explicitly, so the same
 * seed gives bit-identical results.
 */
export class RNG {
  private s: Uint32Array;
  private spare: number | null = null;

  /** `seed`: an integer in [0, 2⁵³); all its bits count (seeds equal modulo 2³² give different streams). */
  constructor(seed = 0) {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new Error(`RNG: seed must be an integer in [0, 2^53 − 1] (below 2^53), got ${seed}`);
    }
    this.s = new Uint32Array(4);
    const lo = seed >>> 0, hi = Math.floor(seed / 2 ** 32);
    // splitmix32 streams from the low and (when nonzero) the high 32 bits
    const mix = (word: number, i: number): number => {
      let z = (((word ^ 0x9e3779b9) >>> 0) + Math.imul(i + 1, 0x9e3779b9)) >>> 0;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    for (let i = 0; i < 4; i++) this.s[i] = (mix(lo, i) ^ (hi ? mix(hi ^ 0x5bd1e995, i) : 0)) >>> 0;
  }

  /** Next raw 32-bit value. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!; s[3]! ^= s[1]!; s[1]! ^= s[2]!; s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    return (this.nextUint32() * 2 ** 21 + (this.nextUint32() >>> 11)) / 2 ** 53;
  }

  /** Standard normal (Box–Muller, polar form). */
  normal(): number {
    if (this.spare !== null) { const v = this.spare; this.spare = null; return v; }
    let u = 0, v = 0, s = 0;
    do { u = 2 * this.uniform() - 1; v = 2 * this.uniform() - 1; s = u * u + v * v; } while (s >= 1 || s === 0);
    const m = Math.sqrt(-2 * Math.log(s) / s);
    this.spare = v * m;
    return u * m;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number { return Math.floor(this.uniform() * n); }

  /** A shuffled copy of [0, n) (Fisher–Yates). */
  permutation(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) { const j = this.int(i + 1); [p[i], p[j]] = [p[j]!, p[i]!]; }
    return p;
  }

  /** An independent generator derived from this one (for sub-streams). */
  fork(): RNG { return new RNG(this.nextUint32()); }
}

function rotl(x: number, k: number): number { return ((x << k) | (x >>> (32 - k))) >>> 0; }

/** Columns per panel of the blocked Gram–Schmidt below. */
const PANEL = 32;

/**
 * A (rows × cols) matrix with orthonormal columns (rows ≥ cols) or rows
 * (rows < cols), as `torch.nn.init.orthogonal_`: QR of a Gaussian matrix with
 * the signs of R's diagonal folded into Q, times `gain`. Row-major, float64.
 *
 * The QR is block classical Gram–Schmidt with re-orthogonalization (BCGS2): the
 * columns are taken in panels of 32; each panel is projected off the finished
 * columns twice (P ← P − Q(QᵀP), two matrix products through the CPU gemm), then
 * orthonormalized inside by modified Gram–Schmidt, twice. Twice is enough for
 * orthogonality to rounding level ("twice is enough", Giraud et al. 2005).
 */
export function orthogonalMatrix(rows: number, cols: number, rng: RNG, gain = 1): Float64Array {
  const tall = rows >= cols;
  const [m, n] = tall ? [rows, cols] : [cols, rows]; // work on the tall m × n matrix
  // Qᵀ, row j = column j of A (so every column is contiguous); Gaussian entries drawn row-major in A
  const qt = new Float64Array(n * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) qt[j * m + i] = rng.normal();
  const c = new Float64Array(n * PANEL);
  const upd = new Float64Array(PANEL * m);
  for (let p0 = 0; p0 < n; p0 += PANEL) {
    const b = Math.min(PANEL, n - p0);
    const panel = qt.subarray(p0 * m, (p0 + b) * m); // b × m: the panel's columns as rows
    if (p0 > 0) {
      const done = qt.subarray(0, p0 * m); // p0 × m: the finished columns
      for (let pass = 0; pass < 2; pass++) {
        // C = Qᵀ P (p0 × b), then Pᵀ ← Pᵀ − Cᵀ Qᵀ
        matmulInto(done, panel, c.subarray(0, p0 * b), p0, m, b, false, true);
        matmulInto(c.subarray(0, p0 * b), done, upd.subarray(0, b * m), b, p0, m, true, false);
        for (let k = 0; k < b * m; k++) panel[k] -= upd[k]!;
      }
    }
    for (let j = 0; j < b; j++) {
      const v = panel.subarray(j * m, (j + 1) * m);
      for (let pass = 0; pass < 2; pass++) {
        for (let q = 0; q < j; q++) {
          const u = panel.subarray(q * m, (q + 1) * m);
          let d = 0;
          for (let i = 0; i < m; i++) d += u[i]! * v[i]!;
          for (let i = 0; i < m; i++) v[i] -= d * u[i]!;
        }
      }
      let ss = 0;
      for (let i = 0; i < m; i++) ss += v[i]! * v[i]!;
      const norm = Math.sqrt(ss);
      for (let i = 0; i < m; i++) v[i] = v[i]! / norm; // R's diagonal is +norm, so Q·sign(diag R) = Q
    }
  }
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    const val = gain * qt[j * m + i]!;
    if (tall) out[i * cols + j] = val; else out[j * cols + i] = val;
  }
  return out;
}

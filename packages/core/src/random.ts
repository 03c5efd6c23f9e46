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

/**
 * A (rows × cols) matrix with orthonormal columns (rows ≥ cols) or rows
 * (rows < cols), as `torch.nn.init.orthogonal_`: QR of a Gaussian matrix with
 * the signs of R's diagonal folded into Q, times `gain`. Row-major, float64.
 */
export function orthogonalMatrix(rows: number, cols: number, rng: RNG, gain = 1): Float64Array {
  const tall = rows >= cols;
  const [m, n] = tall ? [rows, cols] : [cols, rows]; // work on the tall m × n matrix
  // columns of A as separate arrays, Gaussian entries
  const q: Float64Array[] = Array.from({ length: n }, () => new Float64Array(m));
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) q[j]![i] = rng.normal();
  // modified Gram–Schmidt, applied twice for orthogonality to rounding level; sign(diag R) folded in
  for (let j = 0; j < n; j++) {
    const v = q[j]!;
    let rjj = 0;
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < j; p++) {
        const u = q[p]!;
        let d = 0;
        for (let i = 0; i < m; i++) d += u[i]! * v[i]!;
        for (let i = 0; i < m; i++) v[i] -= d * u[i]!;
      }
    }
    for (let i = 0; i < m; i++) rjj += v[i]! * v[i]!;
    const norm = Math.sqrt(rjj);
    for (let i = 0; i < m; i++) v[i] = v[i]! / norm; // R's diagonal is +norm, so Q·sign(diag R) = Q
  }
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    const val = gain * q[j]![i]!;
    if (tall) out[i * cols + j] = val; else out[j * cols + i] = val;
  }
  return out;
}

/**
 * The uniform parameter block of the `webgpu` kernels, and one declaration per kernel of
 * its named parameter words. A kernel's WGSL reads a parameter through {@link Params.get}
 * and the backend packs the same names with {@link Params.words}, so the slot numbers exist
 * only here, computed from the declaration: no literal offsets in the kernels.
 */

/** Words in the uniform parameter block (64 u32 = 256 bytes, one dynamic-offset slot). */
export const PARAM_WORDS = 64;
/** Parameter word holding operand 0's offset in the heap (operand i at OPERAND_BASE + i); a kernel's own words come first. */
export const OPERAND_BASE = 48;

/** One parameter: a u32, an f32 (stored by its bits), or a table of that many u32 words. */
export type Field = 'u32' | 'f32' | number;
/** A kernel's parameters, in slot order. */
export type ParamSpec = Readonly<Record<string, Field>>;
/** Values for every parameter of a spec: a number each, a list for a table (shorter lists are zero-padded). */
export type ParamValues<S extends ParamSpec> = { readonly [K in keyof S]: S[K] extends number ? readonly number[] : number };

const f32bits = (() => {
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  return (x: number): number => { f[0] = x; return u[0]!; };
})();

/** The named parameter words of one kernel. */
export class Params<S extends ParamSpec> {
  /** The first word of each parameter. */
  readonly at: { readonly [K in keyof S]: number };
  /** Words used. */
  readonly size: number;
  private readonly names: (keyof S & string)[];

  constructor(readonly spec: S) {
    const at: Record<string, number> = {};
    let w = 0;
    this.names = Object.keys(spec) as (keyof S & string)[];
    for (const k of this.names) { at[k] = w; w += typeof spec[k] === 'number' ? spec[k] : 1; }
    if (w > OPERAND_BASE) throw new Error(`webgpu params: ${w} words overlap the operand offsets at ${OPERAND_BASE}`);
    this.at = at as { [K in keyof S]: number };
    this.size = w;
  }

  /** WGSL reading parameter `name` (`pu(…)`, or `pf(…)` for an f32); for a table, its element `index` (a WGSL u32 expression). */
  get(name: keyof S & string, index?: string): string {
    const slot = `${this.at[name]}u${index === undefined ? '' : ` + ${index}`}`;
    return this.spec[name] === 'f32' ? `pf(${slot})` : `pu(${slot})`;
  }

  /** The words of one dispatch. */
  words(values: ParamValues<S>): number[] {
    const out = new Array<number>(this.size).fill(0);
    for (const k of this.names) {
      const f = this.spec[k], v = values[k] as number | readonly number[];
      if (typeof f === 'number') {
        const t = v as readonly number[];
        if (t.length > f) throw new Error(`webgpu params: ${k} has ${t.length} entries, at most ${f}`);
        t.forEach((x, i) => { out[this.at[k] + i] = x; });
      } else out[this.at[k]] = f === 'f32' ? f32bits(v as number) : (v as number);
    }
    return out;
  }
}

/** Declares a kernel's parameters. */
export const params = <const S extends ParamSpec>(spec: S): Params<S> => new Params(spec);

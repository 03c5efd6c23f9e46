/**
 * One declaration per `wasm` kernel: its export name and its named parameters, in order,
 * with their Wasm types. wat.ts derives each kernel's `(func (export …) (param …))` header
 * from it and index.ts calls the kernel with named arguments through {@link argsOf}, so
 * the two sides cannot drift apart: there are no positional calls and no export names
 * built where a kernel is used (the {@link KERNELS} table is keyed by op and mode).
 */
import { ADAM_SCALARS } from '../adam.js';
import { BINARY_OPS, REDUCE_OPS, UNARY_OPS, type BinaryOp, type ElementwiseDef, type ReduceOp, type UnaryOp } from '../ops.js';

/** A Wasm value type a kernel parameter may have (pointers and counts are i32). */
export type WasmType = 'i32' | 'f32';
/** A kernel's parameters: name → type, in declaration order (the order of the WAT `param`s). */
export type Signature = Readonly<Record<string, WasmType>>;
/** A kernel: its export name and signature. */
export interface KernelDef<S extends Signature = Signature> {
  readonly export: string;
  readonly sig: S;
  /** The parameter names in order (the keys of `sig`, listed once). */
  readonly names: readonly (keyof S & string)[];
}
/** The named arguments of a call to a kernel of signature S. */
export type ArgsOf<S extends Signature> = { readonly [K in keyof S]: number };

const def = <S extends Signature>(name: string, sig: S): KernelDef<S> => ({ export: name, sig, names: Object.keys(sig) as (keyof S & string)[] });

/** What the WAT side needs of a kernel: its export name and signature. */
export interface KernelHead { readonly export: string; readonly sig: Signature }

/** The WAT parameter list of a kernel. */
export function paramList(k: KernelHead): string {
  return Object.entries(k.sig).map(([n, t]) => `(param $${n} ${t})`).join(' ');
}

/** The WAT function header of a kernel: `(func (export "name") (param …)…`. */
export function header(k: KernelHead): string {
  return `(func (export "${k.export}") ${paramList(k)}`;
}

/** Named arguments in the kernel's parameter order (what the Wasm call and the thread slots take). */
export function argsOf<S extends Signature>(k: KernelDef<S>, args: ArgsOf<S>): number[] {
  return k.names.map((n) => args[n]);
}

const i32s = <const N extends readonly string[]>(...names: N) => Object.fromEntries(names.map((n) => [n, 'i32'])) as { readonly [K in N[number]]: 'i32' };

/** out[i] = op(x[i]) for i in [i, end), vectors of four. */
const UNARY = i32s('x', 'o', 'i', 'end');
/** out = op(a, b) over rows [r, r1) of a rows × cols block; a row of a starts at a + r·ar (likewise b). */
const BINARY = i32s('a', 'ar', 'b', 'br', 'o', 'cols', 'r', 'r1');
/** How a binary kernel reads each input along a row: `v` a vector, `s` one value splat over it. */
export type BroadcastMode = 'vv' | 'vs' | 'sv' | 'ss';
const MODES: readonly BroadcastMode[] = ['vv', 'vs', 'sv', 'ss'];
/** Reduces [outer, red] rows to one value each, for outer indices [o, o1). */
const REDUCE_ROWS = i32s('x', 'out', 'red', 'o', 'o1');
/** Reduces [outer, red, inner] to [outer, inner] (inner > 1), for outer indices [o, o1). */
const REDUCE_MID = i32s('x', 'out', 'red', 'inner', 'o', 'o1');

const opsWithWasm = <K extends string>(table: Record<K, ElementwiseDef>): K[] => (Object.keys(table) as K[]).filter((k) => table[k].wasm !== undefined);

/** Every wasm kernel, keyed by what it computes. */
export const KERNELS = {
  /** The unary ops with a `wasm` expression in the op table (the others run as JavaScript over the heap). */
  unary: Object.fromEntries(opsWithWasm(UNARY_OPS).map((op) => [op, def(`u_${op}`, UNARY)])) as Partial<Record<UnaryOp, KernelDef<typeof UNARY>>>,
  /** The binary ops with a `wasm` expression, one kernel per broadcast mode. */
  binary: Object.fromEntries(opsWithWasm(BINARY_OPS).map((op) => [op, Object.fromEntries(MODES.map((m) => [m, def(`b_${op}_${m}`, BINARY)]))])) as
    Partial<Record<BinaryOp, Record<BroadcastMode, KernelDef<typeof BINARY>>>>,
  /** Reductions of the middle axis of [outer, red, inner]: `rows` for inner = 1, `mid` otherwise. */
  reduce: Object.fromEntries((Object.keys(REDUCE_OPS) as ReduceOp[]).map((op) => [op, { rows: def(`r_${op}_rows`, REDUCE_ROWS), mid: def(`r_${op}_mid`, REDUCE_MID) }])) as
    Record<ReduceOp, { rows: KernelDef<typeof REDUCE_ROWS>; mid: KernelDef<typeof REDUCE_MID> }>,
  /** C[i0:i1, j0:j1] = op(A)·op(B), op(A)[i,p] = A[i·ars + p·acs], op(B)[p,j] = B[p·brs + j·bcs]; ldc = C's row length. */
  gemm: def('gemm', i32s('a', 'ars', 'acs', 'b', 'brs', 'bcs', 'c', 'ldc', 'k', 'i0', 'i1', 'j0', 'j1', 'scratch')),
  /** Weight normalization's column passes over columns [j, j1) of a rows × cols matrix (wat.ts, weightNormKernels). */
  colNorm: def('wn_colnorm', i32s('v', 'w', 'pair', 'l2', 'acc', 'rows', 'cols', 'j', 'j1')),
  colDot: def('wn_coldot', i32s('g', 'v', 'acc', 'rows', 'cols', 'j', 'j1')),
  normGrad: def('wn_dv', i32s('g', 'v', 'w', 'pair', 'l2', 'alpha', 'beta', 'out', 'rows', 'cols', 'j', 'j1')),
  /** In-place Adam over elements [i, end), then the scalars of adam.ts in their one order. */
  adam: def('adam', { ...i32s('p', 'g', 'm', 'v', 'i', 'end'), ...Object.fromEntries(ADAM_SCALARS.map((n) => [n, 'f32'])) as { readonly [K in (typeof ADAM_SCALARS)[number]]: 'f32' } }),
} as const;

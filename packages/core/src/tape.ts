/**
 * The reverse-mode tape. Each op output records a {@link Node}: its inputs and
 * a backward closure mapping output gradients to input gradients. `backward()`
 * walks the nodes in reverse topological order (micrograd's engine, with
 * multi-output nodes and memory scopes).
 */
import { fmt } from './errors.js';
import { keep, tidy } from './memory.js';
import { Tensor, type BackwardFn, type Node } from './tensor.js';

export type { BackwardFn, Node };

// The tape's own arithmetic runs without recording (gradients of gradients are not built),
// so it calls the backend directly instead of the op table, which sits above the tape.
const filled = (like: Tensor, v: number): Tensor => new Tensor(like.backend.fill(like.size, v, like.dtype), like.shape, like.backend);
const plus = (a: Tensor, b: Tensor): Tensor => new Tensor(a.backend.binary('add', a.buffer, a.shape, b.buffer, b.shape, a.shape), a.shape, a.backend);

let gradEnabled = true;

/** True while operations record the tape (false inside `noGrad`). */
export function isGradEnabled(): boolean { return gradEnabled; }

/** Runs `fn` without recording gradients (results have requiresGrad = false). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try { return fn(); } finally { gradEnabled = prev; }
}

/**
 * Records `outputs` as produced by an op over `inputs`. Does nothing when no
 * input needs a gradient or recording is off. Returns the outputs.
 */
export function record(name: string, inputs: readonly Tensor[], outputs: Tensor[], backward: BackwardFn): Tensor[] {
  if (!gradEnabled || !inputs.some((t) => t.requiresGrad)) return outputs;
  const node: Node = { name, inputs, outputs, backward, versions: inputs.map((t) => t.version) };
  outputs.forEach((o, i) => { o.requiresGrad = true; o.node = node; o.outputIndex = i; });
  return outputs;
}

/** Options of `backward`. */
export interface BackwardOptions {
  /** Keep the graph so `backward` can run through it again (default false). */
  retainGraph?: boolean;
}

/**
 * Fills `.grad` of every leaf tensor with requiresGrad that `root` depends on,
 * accumulating into existing gradients. `root` must be a scalar unless `seed`
 * (∂loss/∂root) is given. Nothing is read back: a NaN root gives NaN gradients.
 */
export function backward(root: Tensor, seed?: Tensor, options: BackwardOptions = {}): void {
  if (!root.requiresGrad) throw new Error(`backward: the tensor ${fmt(root.shape)} does not require grad (no input had requiresGrad)`);
  if (!seed && root.size !== 1) throw new Error(`backward: called on a non-scalar tensor of shape ${fmt(root.shape)}; pass a gradient or reduce it first`);
  // reverse topological order of nodes reachable from root
  const order: Node[] = [];
  const seen = new Set<Node>();
  const visit = (n: Node): void => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const t of n.inputs) if (t.node) visit(t.node);
    order.push(n);
  };
  if (root.node) visit(root.node);

  tidy(() => {
    const grads = new Map<Tensor, Tensor>();
    const accumulate = (t: Tensor, g: Tensor): void => {
      const prev = grads.get(t);
      grads.set(t, prev ? plus(prev, g) : g);
    };
    accumulate(root, seed ?? filled(root, 1));
    for (let i = order.length - 1; i >= 0; i--) {
      const node = order[i]!;
      if (!node.backward) {
        throw new Error(`backward: the graph through op '${node.name}' was already freed by an earlier backward(); pass { retainGraph: true } to keep it`);
      }
      const gone = [...node.inputs, ...node.outputs].find((t) => t.isDisposed);
      if (gone) {
        throw new Error(`backward: a tensor ${fmt(gone.shape)} of op '${node.name}' was disposed before backward() (by tidy?); run backward inside the scope that built the graph`);
      }
      const changed = node.inputs.findIndex((t, k) => t.version !== node.versions[k]);
      if (changed >= 0) {
        const t = node.inputs[changed]!;
        throw new Error(`backward: input ${changed} of op '${node.name}' (a tensor ${fmt(t.shape)}) was changed in place (assign) after op '${node.name}' used it; its gradient would be wrong. Change it after backward(), or use a copy`);
      }
      const gouts = node.outputs.map((o) => grads.get(o) ?? filled(o, 0));
      const gins = noGrad(() => node.backward!(gouts));
      if (!options.retainGraph) node.backward = null;
      node.inputs.forEach((inp, k) => {
        const g = gins[k];
        if (!g || !inp.requiresGrad) return;
        if (g.shape.length !== inp.shape.length || g.shape.some((d, j) => d !== inp.shape[j])) {
          throw new Error(`backward: op '${node.name}' returned a gradient of shape ${fmt(g.shape)} for an input of shape ${fmt(inp.shape)}`);
        }
        accumulate(inp, g);
      });
    }
    // leaves: store (and keep) their gradients
    for (const [t, g] of grads) {
      if (t.node || !t.requiresGrad) continue;
      if (t.grad) {
        const sum = plus(t.grad!, g);
        t.grad.dispose();
        t.grad = keep(sum);
      } else {
        // a gradient may be the very tensor another leaf also holds; give each leaf its own view
        t.grad = keep(Tensor.view(g, g.shape));
      }
    }
  });
}

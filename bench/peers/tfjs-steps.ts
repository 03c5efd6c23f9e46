/**
 * tfjs-backend-wasm peer for bench/steps.ts: the same PSiLON model, start and batch
 * (see peers/torch_steps.py for the model), differentiated by tfjs's own autodiff
 * and stepped by tf.train.adam.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { StepResult } from '../steps.js';
import { median } from '../harness.js';

type TF = typeof import('@tensorflow/tfjs-core');
type Tensor = import('@tensorflow/tfjs-core').Tensor;
type Variable = import('@tensorflow/tfjs-core').Variable;

interface Header { arch: 'net' | 'resnet'; task: string; lambda: number; lr: number; arrays: { name: string; shape: number[]; offset: number }[] }

/**
 * tfjs-core's Node build registers no gradients; its ESM file that does is not
 * loadable by Node. Bundled by esbuild it registers them into tfjs's global
 * gradient registry, which every copy of tfjs-core shares.
 */
async function registerGradients(require: NodeRequire): Promise<void> {
  const { build } = await import('esbuild');
  const dist = join(dirname(require.resolve('@tensorflow/tfjs-core/package.json')), 'dist');
  // the gradients call chained tensor methods (x.reshape(...)): register those on the shared Tensor class too
  for (const entry of ['public/chained_ops/register_all_chained_ops.js', 'register_all_gradients.js']) {
    const out = await build({ entryPoints: [join(dist, entry)], bundle: true, format: 'esm', platform: 'node', write: false, logLevel: 'silent' });
    await import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0]!.contents).toString('base64')}`);
  }
}

let ready: Promise<TF> | undefined;
async function tfWasm(): Promise<TF> {
  ready ??= (async () => {
    const tf: TF = await import('@tensorflow/tfjs-core');
    const require = createRequire(import.meta.url);
    await registerGradients(require);
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`);
    await tf.setBackend('wasm');
    await tf.ready();
    return tf;
  })();
  return ready;
}

export async function tfjsSteps(start: string, steps: number): Promise<StepResult> {
  const tf = await tfWasm();
  const head = JSON.parse(readFileSync(`${start}.json`, 'utf8')) as Header;
  const buf = readFileSync(`${start}.bin`);
  const flat = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const arr = (name: string) => { const a = head.arrays.find((x) => x.name === name)!; return { shape: a.shape, data: flat.subarray(a.offset, a.offset + a.shape.reduce((p, d) => p * d, 1)) }; };
  const layers: { kind: string; p: Record<string, Variable> }[] = [];
  for (let i = 0; head.arrays.some((a) => a.name.startsWith(`${i}.`)); i++) {
    const names = head.arrays.filter((a) => a.name.startsWith(`${i}.`)).map((a) => a.name);
    const p: Record<string, Variable> = {};
    for (const n of names) { const a = arr(n); p[n.split('.').pop()!] = tf.variable(tf.tensor(a.data, a.shape)); }
    layers.push({ kind: names[0]!.split('.')[1]!, p });
  }
  const x = tf.tensor2d(arr('x').data, arr('x').shape as [number, number]);
  const yRaw = arr('y');
  const classes = layers[layers.length - 1]!.p.b!.shape[0]!;
  const y = head.task === 'multiclass' ? tf.oneHot(tf.tensor1d(yRaw.data, 'int32'), classes) : tf.tensor2d(yRaw.data, [yRaw.shape[0]!, 1]);

  const linear = (z: Tensor, p: Record<string, Variable>) =>
    tf.add(tf.matMul(z, tf.div(tf.mul(p.g!, p.v!), tf.sum(tf.abs(p.v!), 0, true))), p.b!);
  const crelu = (z: Tensor, p: Record<string, Variable>) => {
    const n = tf.sum(tf.maximum(tf.abs(p.v!), tf.abs(p.vneg!)), 0, true);
    return tf.add(tf.sub(tf.matMul(tf.relu(z), tf.div(tf.mul(p.g!, p.v!), n)), tf.matMul(tf.relu(tf.neg(z)), tf.div(tf.mul(p.g!, p.vneg!), n))), p.b!);
  };
  const forward = () => {
    let z = linear(x, layers[0]!.p);
    for (const l of layers.slice(1, -1)) z = head.arch === 'net' ? linear(tf.relu(z), l.p) : tf.add(z, crelu(z, l.p));
    const last = layers[layers.length - 1]!.p;
    return head.arch === 'net' ? linear(tf.relu(z), last) : crelu(z, last);
  };
  const regularizer = () => {
    const g = layers.map((l) => l.p.g!);
    const out = tf.sum(tf.abs(g[g.length - 1]!));
    if (head.arch === 'net') return tf.mul(tf.abs(tf.prod(tf.concat(g.slice(0, -1)))), out);
    return tf.mul(tf.mul(tf.sum(tf.abs(g[0]!)), tf.prod(tf.add(1, tf.abs(tf.concat(g.slice(1, -1)))))), out);
  };
  const objective = () => {
    const pred = forward();
    const loss = head.task === 'multiclass' ? tf.losses.softmaxCrossEntropy(y, pred) : tf.losses.meanSquaredError(y, pred);
    return tf.add(loss, tf.mul(regularizer(), head.lambda)) as import('@tensorflow/tfjs-core').Scalar;
  };
  const opt = tf.train.adam(head.lr, 0.9, 0.999, 1e-8);
  const times: number[] = [], objs: number[] = [];
  for (let s = 0; s < steps + 2; s++) {
    const t0 = performance.now();
    const cost = opt.minimize(objective, true)!;
    objs.push((await cost.data())[0]!);
    cost.dispose();
    times.push(performance.now() - t0);
  }
  opt.dispose();
  for (const l of layers) for (const v of Object.values(l.p)) v.dispose();
  x.dispose(); y.dispose();
  return { runner: `tfjs-backend-wasm ${tf.version_core} (tf.getBackend() = ${tf.getBackend()})`, medianMs: median(times.slice(2)), objectives: [objs[0]!, objs[1]!] };
}

/** tfjs peers for the matmul benchmark (bench-only dependencies). */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface MatmulRunner {
  label: string;
  prepare(a: Float64Array, b: Float64Array, p: { m: number; k: number; n: number; ta: boolean; tb: boolean }): unknown;
  run(prepared: unknown): Promise<ArrayLike<number>>;
  release(prepared: unknown): void;
}

type TF = typeof import('@tensorflow/tfjs-core');

/** tfjs-core with the named backend, ready; the label says which backend tfjs reports active. */
export async function tfjsRunner(which: 'tfjs-backend-cpu' | 'tfjs-backend-wasm'): Promise<MatmulRunner> {
  const tf: TF = await import('@tensorflow/tfjs-core');
  if (which === 'tfjs-backend-cpu') {
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
  } else {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    wasm.setWasmPaths(`${join(dist, 'dist')}/`);
    await tf.setBackend('wasm');
  }
  await tf.ready();
  const label = `${which} (tf.getBackend() = ${tf.getBackend()})`;
  return {
    label,
    prepare(a, b, p) {
      const A = tf.tensor2d(Float32Array.from(a), p.ta ? [p.k, p.m] : [p.m, p.k]);
      const B = tf.tensor2d(Float32Array.from(b), p.tb ? [p.n, p.k] : [p.k, p.n]);
      return { A, B, ta: p.ta, tb: p.tb };
    },
    async run(x) {
      const { A, B, ta, tb } = x as { A: import('@tensorflow/tfjs-core').Tensor2D; B: import('@tensorflow/tfjs-core').Tensor2D; ta: boolean; tb: boolean };
      const C = tf.matMul(A, B, ta, tb);
      const d = await C.data();
      C.dispose();
      return d as Float32Array;
    },
    release(x) { const { A, B } = x as { A: { dispose(): void }; B: { dispose(): void } }; A.dispose(); B.dispose(); },
  };
}

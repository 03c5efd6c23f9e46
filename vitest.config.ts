import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const src = (p: string) => fileURLToPath(new URL(`./packages/${p}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@psilon/kernels': src('kernels'),
      '@psilon/core': src('core'),
      psilon: src('psilon'),
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // separate processes: each test file that starts Dawn (WebGPU) owns its device and tears it down
    pool: 'forks',
    reporters: ['default'],
  },
});

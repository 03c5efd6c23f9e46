import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const src = (p: string, file = 'index') => fileURLToPath(new URL(`./packages/${p}/src/${file}.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@psilon\/kernels$/, replacement: src('kernels') },
      { find: /^@psilon\/core$/, replacement: src('core') },
      { find: /^psilon\/browser$/, replacement: src('psilon', 'browser') },
      { find: /^psilon$/, replacement: src('psilon') },
    ],
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

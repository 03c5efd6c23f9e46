// Bundles gpu-check.ts into .device/app/ with the Dawn addon and the PyTorch peers (peers/*.py) beside it,
// plus an xz'd node binary, for the device machine (which has no Node and no registry).
// Run from bench/: node gpu-bundle.mjs
import { build } from 'esbuild';
import { cpSync, mkdirSync, existsSync, writeFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const out = new URL('../.device/', import.meta.url).pathname;
mkdirSync(join(out, 'app/node_modules/webgpu/dist'), { recursive: true });
mkdirSync(join(out, 'app/peers'), { recursive: true });
for (const f of ['torch_steps.py', 'torch_gpu.py']) cpSync(new URL(`./peers/${f}`, import.meta.url).pathname, join(out, 'app/peers', f));
await build({
  entryPoints: ['gpu-check.ts'], bundle: true, platform: 'node', format: 'esm', target: 'node20',
  outfile: join(out, 'app/gpu-check.mjs'), external: ['webgpu', 'gl'],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
const require = createRequire(new URL('../packages/kernels/package.json', import.meta.url));
const wg = dirname(require.resolve('webgpu/package.json'));
for (const f of ['index.js', 'package.json']) cpSync(join(wg, f), join(out, 'app/node_modules/webgpu', f));
cpSync(join(wg, 'dist/linux-x64.dawn.node'), join(out, 'app/node_modules/webgpu/dist/linux-x64.dawn.node'));
// gpu.js is an optional peer the kernels import at run time (not bundled above): bundle it as its own package beside Dawn
await build({ entryPoints: [require.resolve('gpu.js')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: join(out, 'app/node_modules/gpu.js/index.js'), external: ['gl'] });
writeFileSync(join(out, 'app/node_modules/gpu.js/package.json'), JSON.stringify({ name: 'gpu.js', main: 'index.js' }));
// the Vulkan loader and its GL companions, unpacked on the device by gpu-run.sh (it has no registry)
const debs = join(out, 'debs');
if (!existsSync(debs)) {
  mkdirSync(debs);
  execSync('apt-get download libvulkan1 libglvnd0 libegl1 libgl1 libglx0 libopengl0 libgles2', { cwd: debs, stdio: 'inherit' });
}
if (!existsSync(join(out, 'node.xz'))) execSync(`xz -T2 -6 -c ${process.execPath} > ${join(out, 'node.xz')}`);
console.log(`bundled into ${out}; on the device: sh bench/gpu-run.sh (carry .device)`);

/** The CLI and every experiment at its --quick size, end to end. */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { loadModel } from 'psilon';
import { WebGpuBackend } from '@psilon/kernels';

const run = runCli;

/** Why the webgpu backend cannot start here (no Vulkan driver), or '' when it can. */
let webgpuCheck: Promise<string> | undefined;
function webgpuMissing(): Promise<string> {
  webgpuCheck ??= WebGpuBackend.create().then(async (b) => { await b.dispose(); return ''; }, (e: Error) => e.message);
  return webgpuCheck;
}

describe('psilon CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'psilon-cli-'));

  for (const name of ['tabular', 'pruning', 'figure1', 'mnist']) {
    it(`experiment ${name} --quick writes a report with its table`, async () => {
      const r = await run(['experiment', name, '--quick', '--out', dir]);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      const runDir = readdirSync(dir).find((d) => d.startsWith(`${name}-quick-`))!;
      const report = readFileSync(join(dir, runDir, 'report.md'), 'utf8');
      expect(report).toMatch(/backend: (wasm|gpujs)/); // auto: wasm without a hardware GPU
      expect(report).toMatch(/wall time: [\d.]+ s/);
      expect(report).toContain('| model |'.replace('model', name === 'mnist' ? 'variant' : 'model'));
      for (const svg of report.match(/\]\(([^)]+\.svg)\)/g) ?? []) expect(existsSync(join(dir, runDir, svg.slice(2, -1)))).toBe(true);
      if (name === 'tabular' || name === 'figure1') expect(report).toContain('.svg');
    });
  }

  // webgpu is asynchronous: an experiment that read a value synchronously would fail here (pruning once did)
  for (const name of ['tabular', 'pruning', 'figure1', 'mnist']) {
    it(`experiment ${name} --quick runs on the asynchronous webgpu backend`, async (ctx) => {
      const why = await webgpuMissing();
      if (why) {
        if (process.env.CI) throw new Error(`webgpu must run in CI: ${why}`);
        ctx.skip(`webgpu did not start: ${why}`);
        return;
      }
      const out = join(dir, 'webgpu');
      const r = await run(['experiment', name, '--quick', '--backend', 'webgpu', '--out', out]);
      expect(r.err.split('\n').filter((l) => l && !l.startsWith('Warning: ')).join('\n')).toBe('');
      expect(r.code).toBe(0);
      const runDir = readdirSync(out).find((d) => d.startsWith(`${name}-quick-`))!;
      expect(readFileSync(join(out, runDir, 'report.md'), 'utf8')).toMatch(/backend: webgpu \(WGSL\)/);
    }, 120_000);
  }

  it('experiment tabular runs on a CSV file of the user (classification: logistic regression instead of ridge)', async () => {
    const rows = ['a,b,c,label'];
    for (let i = 0; i < 60; i++) rows.push(`${i % 7},${(i * 3) % 11},${i % 2 ? 'x' : 'y'},${i % 7 > 3 ? 'hi' : 'lo'}`);
    const file = join(dir, 'mine.csv');
    writeFileSync(file, rows.join('\n'));
    const r = await run(['experiment', 'tabular', '--quick', '--file', file, '--target', 'label', '--backend', 'cpu', '--out', join(dir, 'csv')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/test log-loss/);
    expect(r.out).not.toMatch(/Ridge/);
    expect(r.out).toMatch(/Logistic regression \(L2\)/);
    expect((await run(['experiment', 'tabular', '--quick', '--file', file, '--out', dir])).err).toMatch(/--target/);
  });

  it('train saves a loadable model', async () => {
    const file = join(dir, 'm.json');
    const r = await run(['train', '--data', 'iris', '--model', 'psilon-resnet', '--hidden', '8', '--epochs', '8', '--lambda', '1e-3', '--save', file]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/test accuracy/);
    expect(r.out).toMatch(/closed form/);
    const m = loadModel(JSON.parse(readFileSync(file, 'utf8')));
    expect(m.config.arch).toBe('resnet');
  });

  it('bench prints gated timings for the chosen backend', async () => {
    const r = await run(['bench', '--sizes', '16,33', '--backend', 'cpu']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/backend: cpu/);
    expect(r.out).toMatch(/matmul 33×33·33×33 +[\d.]+ +[\d.]+/);
    expect(r.out).toMatch(/L1 weight norm fwd\+bwd 500×500/);
  });

  it('rejects bad commands and options with usage errors (exit 2)', async () => {
    expect((await run(['experiment', 'nope'])).err).toMatch(/name one of tabular/);
    expect((await run(['experiment', 'tabular', '--quik'])).err).toMatch(/Unknown option '--quik'/);
    expect((await run(['train', '--epochs', 'ten'])).err).toMatch(/--epochs must be an integer/);
    expect((await run(['train', '--model', 'resnet50'])).err).toMatch(/unknown model 'resnet50'/);
    expect((await run(['frobnicate'])).code).toBe(2);
    expect((await run(['experiment', 'mnist', '--file', 'x.csv'])).err).toMatch(/tabular experiment only/);
  });
});

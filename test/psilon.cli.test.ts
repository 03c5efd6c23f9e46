/** The CLI and every experiment at its --quick size, end to end. */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { loadIris, loadModel } from 'psilon';
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

  it('train on a regression table prints the test RMSE in the target\'s units beside the scaled one, each labelled', async () => {
    // a target in the thousands: the scaled RMSE alone would read as a near-perfect fit
    const file = join(dir, 'thousands.csv'), m = join(dir, 'thousands.json');
    writeFileSync(file, `a,b,y\n${Array.from({ length: 60 }, (_, i) => `${i},${(i * 7) % 5},${1000 * (i * 0.5 + ((i * 3) % 4))}`).join('\n')}\n`);
    const r = await run(['train', '--backend', 'cpu', '--data', file, '--target', 'y', '--hidden', '8', '--epochs', '10', '--save', m]);
    expect(r.code, r.err).toBe(0);
    const value = (label: string) => Number(new RegExp(`^${label.replace(/[()]/g, '\\$&')}\\s+(\\S+)`, 'm').exec(r.out)?.[1]);
    const loss = value('test loss (MSE, scaled target)'), scaled = value('test RMSE (scaled)'), units = value('test RMSE (target units)');
    const { halfIqr } = (JSON.parse(readFileSync(m, 'utf8')) as { preprocessing: { scale: { halfIqr: number } } }).preprocessing.scale;
    expect(halfIqr).toBeGreaterThan(100);
    expect(scaled).toBeCloseTo(Math.sqrt(loss), 2);
    expect(units / (scaled * halfIqr)).toBeCloseTo(1, 3);
  });

  describe('predict and evaluate read a file through the model (its columns, categories and classes)', () => {
    const sd = mkdtempSync(join(tmpdir(), 'psilon-score-'));
    const FAST = ['--backend', 'cpu', '--hidden', '8', '--n-hidden', '1'];
    const iris = loadIris();
    const irisCsv = (keep: (label: string, i: number) => boolean, relabel: (label: string, i: number) => string = (l) => l) => {
      const lines = ['sepal length,sepal width,petal length,petal width,species'];
      for (let i = 0; i < iris.n; i++) {
        const label = iris.classes[iris.y[i]!]!;
        if (keep(label, i)) lines.push([...iris.x.subarray(i * 4, i * 4 + 4), relabel(label, i)].join(','));
      }
      return `${lines.join('\n')}\n`;
    };
    const irisModel = join(sd, 'iris.json');
    /** The accuracy `evaluate` printed, and the share of `predict`'s labels equal to the file's known labels. */
    async function bothWays(file: string, known: string[]) {
      const ev = await run(['evaluate', '--backend', 'cpu', '--model-file', irisModel, '--data', file]);
      expect(ev.code, ev.err).toBe(0);
      const printed = Number(/accuracy[^\n]*?\s([\d.]+)\s*$/m.exec(ev.out)![1]);
      const pr = await run(['predict', '--backend', 'cpu', '--model-file', irisModel, '--data', file]);
      expect(pr.code, pr.err).toBe(0);
      const predicted = pr.out.split('\n').slice(1).map((l) => l.split(',')[0]!);
      const truth = readFileSync(file, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').at(-1)!);
      const rows = truth.map((t, i) => [t, predicted[i]] as const).filter(([t]) => known.includes(t));
      return { printed, share: rows.filter(([t, p]) => t === p).length / rows.length, ev };
    }

    it('evaluate counts by the model\'s class list: a file without setosa is scored as predict sees it', async () => {
      const t = await run(['train', '--data', 'iris', ...FAST, '--epochs', '30', '--save', irisModel]);
      expect(t.code, t.err).toBe(0);
      const file = join(sd, 'no-setosa.csv');
      writeFileSync(file, irisCsv((l) => l !== 'setosa'));
      const { printed, share } = await bothWays(file, iris.classes);
      expect(share).toBeGreaterThan(0.3); // the model is not useless, so the old 0 was wrong
      expect(printed).toBeCloseTo(share, 3); // 4 significant digits printed
    });

    it('predict --out - writes the CSV to stdout (no file named -)', async () => {
      const file = join(sd, 'dash.csv');
      writeFileSync(file, irisCsv(() => true));
      const viaDash = await run(['predict', '--backend', 'cpu', '--model-file', irisModel, '--data', file, '--out', '-']);
      const plain = await run(['predict', '--backend', 'cpu', '--model-file', irisModel, '--data', file]);
      expect(viaDash.code, viaDash.err).toBe(0);
      expect(viaDash.out).toBe(plain.out);
      expect(existsSync('-')).toBe(false);
    });

    it('evaluate reports labels the model never saw and scores the known ones', async () => {
      const file = join(sd, 'martian.csv');
      writeFileSync(file, irisCsv(() => true, (l, i) => (i % 10 === 0 ? 'martian' : l)));
      const { printed, share, ev } = await bothWays(file, iris.classes);
      expect(printed).toBeCloseTo(share, 3); // 4 significant digits printed
      expect(ev.out).toMatch(/rows with a known label +135/);
      expect(ev.out).toMatch(/accuracy \(over the known labels\)/);
      expect(ev.out).toMatch(/15 row\(s\) hold label\(s\) the model never saw: martian \(15\)/);
    });

    it('a binary model scores a file that holds one class', async () => {
      const rows = ['a,b,y'];
      for (let i = 0; i < 60; i++) rows.push(`${i % 9},${(i * 5) % 7},${i % 9 > 4 ? 'yes' : 'no'}`);
      const train = join(sd, 'bin.csv'), one = join(sd, 'bin-yes.csv'), m = join(sd, 'bin.json');
      writeFileSync(train, rows.join('\n'));
      writeFileSync(one, [rows[0], ...rows.slice(1).filter((r) => r.endsWith('yes'))].join('\n'));
      expect((await run(['train', '--data', train, '--target', 'y', ...FAST, '--epochs', '20', '--save', m])).code).toBe(0);
      const ev = await run(['evaluate', '--backend', 'cpu', '--model-file', m, '--data', one]);
      expect(ev.err).toBe('');
      expect(ev.code).toBe(0);
      const acc = Number(/accuracy +([\d.]+)/.exec(ev.out)![1]);
      const pr = await run(['predict', '--backend', 'cpu', '--model-file', m, '--data', one]);
      const labels = pr.out.split('\n').slice(1).map((l) => l.split(',')[0]);
      expect(acc).toBeCloseTo(labels.filter((l) => l === 'yes').length / labels.length, 3);
    });

    it('one-hot categories are matched by value whatever the other rows hold; a missing column is an error; predict writes only CSV to stdout', async () => {
      const rows = ['a,c,y'];
      const cats = ['x', 'y', '3'];
      for (let i = 0; i < 60; i++) rows.push(`${i % 7},${cats[i % 3]},${(i % 7) * 0.5 + (i % 3) * 2 + (i % 5) * 0.1}`);
      const train = join(sd, 'cat.csv'), threes = join(sd, 'threes.csv'), m = join(sd, 'cat.json');
      writeFileSync(train, rows.join('\n'));
      const threeRows = rows.slice(1).filter((r) => r.split(',')[1] === '3');
      // the same rows, written as 3.0, and one row with a value training never saw
      writeFileSync(threes, ['a,c', ...threeRows.map((r) => r.split(',').slice(0, 2).join(',').replace(/,3$/, ',3.0')), '1,zzz'].join('\n'));
      expect((await run(['train', '--data', train, '--target', 'y', ...FAST, '--epochs', '10', '--save', m])).code).toBe(0);
      const all = await run(['predict', '--backend', 'cpu', '--model-file', m, '--data', train]);
      const sub = await run(['predict', '--backend', 'cpu', '--model-file', m, '--data', threes]);
      expect(sub.code, sub.err).toBe(0);
      const allLines = all.out.split('\n');
      expect(allLines).toHaveLength(61); // header + one line per row: nothing else on stdout
      expect(allLines[0]).toBe('y_predicted');
      expect(all.err).toBe(''); // the target column is not 'ignored'
      const want = rows.slice(1).map((r, i) => [r, allLines[i + 1]] as const).filter(([r]) => r.split(',')[1] === '3').map(([, p]) => Number(p));
      const got = sub.out.split('\n').slice(1).map(Number);
      expect(got.slice(0, -1)).toEqual(want);
      expect(sub.err).toMatch(/column 'c': 1 row\(s\) hold 1 value\(s\) unseen in training \(zzz\)/);
      // a file whose every value of c looks numeric: still the categories of training, not a numeric column
      const only = join(sd, 'only-threes.csv');
      writeFileSync(only, ['a,c', ...threeRows.map((r) => r.split(',').slice(0, 2).join(','))].join('\n'));
      const o = await run(['predict', '--backend', 'cpu', '--model-file', m, '--data', only]);
      expect(o.err).toBe('');
      expect(o.out.split('\n').slice(1).map(Number)).toEqual(want);
      // evaluate's RMSE is the RMSE of predict's values against the file's target, in the target's units
      const ev = await run(['evaluate', '--backend', 'cpu', '--model-file', m, '--data', train]);
      const ys = rows.slice(1).map((r) => Number(r.split(',')[2]));
      const rmse = Math.sqrt(ys.reduce((a, y, i) => a + (Number(allLines[i + 1]) - y) ** 2, 0) / ys.length);
      expect(Number(/RMSE \(target units\) +([\d.e-]+)/.exec(ev.out)![1])).toBeCloseTo(rmse, 2); // the table prints 4 significant digits
      const noC = join(sd, 'no-c.csv');
      writeFileSync(noC, 'a\n1\n2\n');
      const r = await run(['predict', '--backend', 'cpu', '--model-file', m, '--data', noC]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/no-c\.csv lacks the feature column\(s\) c that the model was trained on$/);
    });
  });

  it('every flag a help text names is an option of its command (the help is generated from the declarations)', async () => {
    const commands = ['train', 'experiment', 'report', 'predict', 'evaluate', 'bench'];
    const helps = new Map<string, string>();
    for (const cmd of commands) {
      const r = await run([cmd, '--help']);
      expect(r.code).toBe(0);
      helps.set(cmd, r.out);
    }
    const declared = (cmd: string) => new Set([...helps.get(cmd)!.matchAll(/^ {2}--([a-z-]+)/gm)].map((m) => m[1]));
    for (const cmd of commands) {
      // 'psilon other --flag' names another command's flag; any other --flag is this command's
      const text = helps.get(cmd)!.replace(/psilon (\w+) --([a-z-]+)/g, (_, other: string, flag: string) => {
        expect(declared(other).has(flag), `psilon ${cmd} --help names psilon ${other} --${flag}`).toBe(true);
        return '';
      });
      for (const [, flag] of text.matchAll(/--([a-z][a-z-]*)/g)) expect(declared(cmd).has(flag), `psilon ${cmd} --help names --${flag}`).toBe(true);
      for (const flag of declared(cmd)) expect((await run([cmd, `--${flag}`, ...(flag === 'help' || flag === 'quick' || flag === 'force' ? [] : ['x']), '--help'])).err).not.toMatch(/Unknown option/);
    }
  });

  it('train --schedule constant runs fewer epochs than OneCycle needs; --threads sets the wasm threads', async () => {
    const r = await run(['train', '--data', 'iris', '--hidden', '4', '--n-hidden', '1', '--epochs', '2', '--schedule', 'constant', '--backend', 'wasm', '--threads', '1']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/with wasm: .*, 1 thread \(float32\)/);
    expect(r.out).toMatch(/test accuracy/);
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

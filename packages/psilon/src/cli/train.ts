/** `psilon train`: train one model and print its test metrics. */
import { lipschitzBound, MODELS, saveModel } from '../nn/index.js';
import { evaluate, formatSeconds, train, type Schedule } from '../train/index.js';
import { textTable } from '../experiments/index.js';
import { HELP, num, SEED, UsageError, type CommandDecl, type Values } from './args.js';
import { BACKEND_OPTIONS, threadsOf, withBackend } from './backend.js';
import { checkDataFlag, DATA_FLAGS, dataInputs, loadData, type Loaded } from './data.js';
import { say } from './io.js';
import { checkFileOutput, writeOutput } from './paths.js';

/** OneCycle's default warm-up fraction. */
const PCT_START = 0.2;

/**
 * The schedule of `--schedule`/`--pct-start`, checked against `epochs` now, before any data is
 * read: OneCycle needs pctStart·epochs > 1 (its warm-up must span more than one step).
 */
export function scheduleOf(o: Values, epochs: number): Schedule {
  const kind = String(o.schedule);
  if (kind !== 'onecycle' && kind !== 'constant') throw new UsageError(`--schedule must be constant or onecycle, got '${kind}'`);
  if (kind === 'constant') {
    if (o['pct-start'] !== undefined) throw new UsageError('--pct-start applies to --schedule onecycle');
    return { kind };
  }
  const pct = o['pct-start'] === undefined ? PCT_START : num('pct-start', o['pct-start']);
  if (!(pct > 0 && pct < 1)) throw new UsageError(`--pct-start must be a number in (0, 1), got '${String(o['pct-start'])}'`);
  const least = Math.floor(1 / pct) + 1;
  if (!(pct * epochs > 1)) {
    throw new UsageError(`--epochs ${epochs} is too few for --schedule onecycle with --pct-start ${pct} (it needs pct-start·epochs > 1): use --epochs ${least} or more, or --schedule constant`);
  }
  return { kind, pctStart: pct };
}

/**
 * The test rows of the table: for regression the loss is the MSE of the scaled target
 * (y − median)/(IQR/2) the net was trained on, so the RMSE is given scaled and, times
 * IQR/2, in the target's units.
 */
function metricRows(d: Loaded, test: { loss: number; metric: number }): [string, number][] {
  if (d.test.task !== 'regression') return [['test loss (cross-entropy)', test.loss], ['test accuracy', test.metric]];
  const rows: [string, number][] = [['test loss (MSE, scaled target)', test.loss], ['test RMSE (scaled)', test.metric]];
  if (d.halfIqr !== undefined) rows.push(['test RMSE (target units)', test.metric * d.halfIqr]);
  return rows;
}

export const trainCommand: CommandDecl = {
  name: 'train',
  synopsis: '[options]',
  summary: 'train one model and print its test metrics',
  options: {
    data: { arg: '<name|file>', default: 'boston', help: "boston, iris, mnist, a .csv or .arff file, or 'idx' with --images/--labels" },
    target: { arg: '<column>', help: 'target column of a CSV/ARFF file' },
    ...DATA_FLAGS,
    images: { arg: '<file>', help: 'IDX images (e.g. Fashion-MNIST train-images-idx3-ubyte), with --data idx' },
    labels: { arg: '<file>', help: 'IDX labels, with --data idx' },
    model: { arg: '<name>', default: 'psilon-net', help: `psilon-net, standard-net, psilon-resnet, or a ResNet variant: ${[...MODELS.keys()].slice(3).join(', ')}` },
    hidden: { arg: '<n>', default: '128', help: 'hidden width' },
    'n-hidden': { arg: '<n>', default: '3', help: 'K − 1 = embedder + hidden blocks' },
    epochs: { arg: '<n>', default: '100', help: 'epochs' },
    'batch-size': { arg: '<n>', help: 'mini-batch size', helpDefault: 'a fifth of the training rows' },
    lr: { arg: '<x>', default: '2e-3', help: 'peak learning rate of OneCycle, or the constant learning rate' },
    schedule: { arg: '<s>', default: 'onecycle', help: 'learning-rate schedule: onecycle (needs pct-start·epochs > 1) or constant' },
    'pct-start': { arg: '<x>', help: "OneCycle's warm-up fraction of the epochs, in (0, 1)", helpDefault: String(PCT_START) },
    lambda: { arg: '<x>', default: '1e-3', help: 'regularization strength λ' },
    'prune-steps': { arg: '<n>', help: 'blend in the L1-sphere projection over the last n steps, then prune' },
    save: { arg: '<file>', help: 'save the trained model as JSON (written atomically; checked before training: writable, not an input file)' },
    force: { type: 'boolean', help: 'save even a run that diverged (its training loss grew past 1000× its start)' },
    ...BACKEND_OPTIONS,
    ...SEED,
    ...HELP,
  },
  async run(o, _positionals, io) {
    // every flag is checked before any data is read or backend started
    const seed = num('seed', o.seed, { int: true, min: 0 });
    const hidden = num('hidden', o.hidden, { int: true, min: 1 }), nHidden = num('n-hidden', o['n-hidden'], { int: true, min: 1 });
    const epochs = num('epochs', o.epochs, { int: true, min: 1 });
    const schedule = scheduleOf(o, epochs);
    const batchSize = o['batch-size'] ? num('batch-size', o['batch-size'], { int: true, min: 1 }) : undefined;
    const lr = num('lr', o.lr, { min: 0 }), lambda = num('lambda', o.lambda, { min: 0 });
    const pruneSteps = o['prune-steps'] ? num('prune-steps', o['prune-steps'], { int: true, min: 1 }) : undefined;
    const make = MODELS.get(String(o.model));
    if (!make) throw new UsageError(`--model: unknown model '${String(o.model)}' (${[...MODELS.keys()].join(', ')})`);
    threadsOf(o);
    checkDataFlag(o);
    if (o.save) checkFileOutput({ flag: '--save', path: String(o.save) }, dataInputs(o));
    await withBackend(o, async (backend) => {
      const d = loadData(o, seed, io);
      const outDim = d.train.task === 'binary' ? 1 : d.train.outputs;
      const model = make({ inDim: d.train.d, hidden, outDim, nHidden, seed });
      try {
        say(io, `training ${String(o.model)} on ${d.name} (${d.train.n} train / ${d.validation.n} validation / ${d.test.n} test) with ${backend.description}`);
        const res = await train(model, d.train, {
          epochs, batchSize: batchSize ?? Math.ceil(d.train.n / 5), lr, lambda, seed, validation: d.validation, schedule, pruneSteps,
          divergenceFactor: o.force ? Infinity : undefined,
        });
        const test = await evaluate(model, d.test);
        const bound = await lipschitzBound(model);
        say(io, textTable({
          headers: ['metric', 'value'],
          rows: [
            ...metricRows(d, test),
            ['near-sparsity', res.nearSparsity], ['exact sparsity', res.exactSparsity], ['Lipschitz bound', bound.value], ['bound formula', bound.formula],
            ['wall time', formatSeconds(res.seconds)],
          ],
        }));
        if (o.save) {
          writeOutput(String(o.save), JSON.stringify(await saveModel(model, d.preprocessing)));
          say(io, `saved to ${String(o.save)}`);
        }
      } finally {
        model.dispose();
      }
    });
  },
};

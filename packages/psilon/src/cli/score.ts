/** `psilon predict` and `psilon evaluate`: score a saved model on a table file. The library predicts; this only formats. */
import { readInputText, tableForModel, type Preprocessing, type Table } from '../data/index.js';
import { loadModel } from '../nn/index.js';
import { predict, scorePredictions, type Predictions } from '../train/index.js';
import { textTable } from '../experiments/index.js';
import { HELP, UsageError, type CommandDecl, type OptionDecls, type Values } from './args.js';
import { BACKEND_OPTIONS, threadsOf, withBackend } from './backend.js';
import { DATA_FLAGS, notes, readModelFile, tableOptions } from './data.js';
import { note, say, type Io } from './io.js';
import { checkFileOutput, writeOutput } from './paths.js';

const SCORE_DESCRIPTION = `The file needs the feature columns the model was trained on (matched by name; a missing one is an
error), read through the model's own preprocessing: its standardization, its one-hot categories (matched
by value, whatever the file's other rows hold; an unseen value is all zeros and reported) and its class list
(a label the model never saw is counted and reported, and the accuracy is over the known labels).
Columns the model does not read are ignored, whatever they hold. Notes go to stderr.`;

const scoreOptions = (extra: OptionDecls): OptionDecls => ({
  'model-file': { arg: '<m.json>', help: "a model saved by 'psilon train --save' from a table" },
  data: { arg: '<file>', help: 'the .csv or .arff file to score' },
  ...extra,
  na: DATA_FLAGS.na!, delimiter: DATA_FLAGS.delimiter!,
  ...BACKEND_OPTIONS,
  ...HELP,
});

/** Model, table and predictions of a score command, every input checked before the backend starts. */
async function score(o: Values, mode: 'predict' | 'evaluate', io: Io, out: (p: Predictions, ctx: { prep: Preprocessing; table: Table; file: string }) => void): Promise<void> {
  if (!o['model-file'] || !o.data) throw new UsageError(`${mode}: --model-file and --data are required ('psilon ${mode} --help')`);
  const modelFile = String(o['model-file']), file = String(o.data);
  threadsOf(o);
  const t = tableOptions(o);
  if (o.out === '') throw new UsageError("--out: an empty path (leave out --out, or give '-', to write to stdout)");
  if (o.out !== undefined && o.out !== '-') checkFileOutput({ flag: '--out', path: String(o.out) }, [{ flag: '--data', path: file }, { flag: '--model-file', path: modelFile }]);
  const saved = readModelFile(modelFile);
  const prep = saved.preprocessing;
  const table = tableForModel(prep, readInputText(file, { what: 'data file' }), { file, na: t.na, categorical: t.categorical, delimiter: t.delimiter, withTarget: mode === 'evaluate' });
  if (mode === 'evaluate' && !table.columns.includes(prep.target)) throw new Error(`evaluate: ${file} has no target column '${prep.target}'`);
  notes(io, table.notes ?? []);
  await withBackend(o, async () => {
    let model;
    try { model = loadModel(saved); } catch (e) { throw new Error(`${modelFile}: ${(e as Error).message}`); }
    try {
      const p = await predict(model, prep, table, file);
      notes(io, p.notes);
      out(p, { prep, table, file });
    } finally {
      model.dispose();
    }
  });
}

export const predictCommand: CommandDecl = {
  name: 'predict',
  synopsis: '--model-file <m.json> --data <file.csv|.arff> [--out <predictions.csv>]',
  summary: 'write one prediction per row of a table file',
  description: `${SCORE_DESCRIPTION}\nEach row: the prediction in the target's units (regression) or the class and its probability;\nthe CSV on stdout holds nothing else.`,
  options: scoreOptions({ out: { arg: '<file>', help: "write the CSV to this file, atomically, never over an input file ('-': stdout)", helpDefault: 'stdout' } }),
  async run(o, _p, io) {
    await score(o, 'predict', io, (p, { prep }) => {
      const rows = p.task === 'regression'
        ? Array.from(p.values!, String)
        : p.labels!.map((l, i) => `${csvCell(l)},${p.probability![i]!.toPrecision(6)}`);
      const header = p.task === 'regression' ? `${csvCell(`${prep.target}_predicted`)}` : `${csvCell(`${prep.target}_predicted`)},probability`;
      const csv = `${[header, ...rows].join('\n')}\n`;
      if (o.out !== undefined && o.out !== '-') { writeOutput(String(o.out), csv); note(io, `wrote ${p.n} predictions to ${String(o.out)}`); } else io.stdout(csv);
    });
  },
};

/** A CSV cell, quoted when it holds a comma, a quote or a line break. */
function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const evaluateCommand: CommandDecl = {
  name: 'evaluate',
  synopsis: '--model-file <m.json> --data <file.csv|.arff>',
  summary: "score a saved model against a table file's target column",
  description: `${SCORE_DESCRIPTION}\nPrints RMSE and MAE in the target's units (regression), or accuracy and log-loss (classification).`,
  options: scoreOptions({}),
  async run(o, _p, io) {
    await score(o, 'evaluate', io, (p, { prep, table, file }) => {
      const s = scorePredictions(p, prep, table, file);
      if (s.task === 'regression') {
        say(io, textTable({ headers: ['metric', 'value'], rows: [['rows', s.rows], ['RMSE (target units)', s.rmse!], ['MAE (target units)', s.mae!]] }));
        return;
      }
      const unseen = [...s.unseen!].map(([l, c]) => `${l} (${c})`);
      if (!s.known) throw new Error(`evaluate: no row of ${file} has a label the model knows (${prep.classes!.join(', ')}); it holds ${unseen.join(', ')}`);
      const over = s.known < s.rows ? ' (over the known labels)' : '';
      say(io, textTable({
        headers: ['metric', 'value'],
        rows: [['rows', s.rows], ['rows with a known label', s.known], [`accuracy${over}`, s.accuracy!], [`log-loss${over}`, s.logLoss!]],
      }));
      if (unseen.length) say(io, `note: ${s.rows - s.known} row(s) hold label(s) the model never saw: ${unseen.slice(0, 5).join(', ')}${unseen.length > 5 ? ', …' : ''}; accuracy and log-loss are over the ${s.known} rows with known labels`);
    });
  },
};

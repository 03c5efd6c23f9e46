/**
 * Bad inputs to the library get one line naming what was wrong (issue 18, items 4–7 and 9):
 * a data-driven table of files and options (one row per case), then the cases that need code.
 * Every row failed, or passed with a wrong result or a raw JavaScript error, before its fix.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as C from '@psilon/core';
import {
  fitStandardizer, fitTargetScaler, idxToDataset, loadModel, loadTableFile, parseARFF, parseCSV, parseIDX, prepareTabular, psilonNet,
  saveModel, standardize, tableToDataset, train, type Dataset, type TableFileOptions,
} from 'psilon';

const dir = mkdtempSync(join(tmpdir(), 'psilon-refuse-'));
let fileNo = 0;
function file(ext: string, content: string | Uint8Array): string {
  const f = join(dir, `f${fileNo++}.${ext}`);
  writeFileSync(f, content);
  return f;
}
/** `n` rows of a header `a,b,y` with numeric cells. */
const rows = (n: number, cell: (i: number, j: number) => string | number = (i, j) => (i * (j + 3)) % 11) =>
  Array.from({ length: n }, (_, i) => [0, 1, 2].map((j) => cell(i, j)).join(','));

/** One row per bad (or tricky) table file: its text, the options, and the one line expected. */
const BAD_TABLES: { name: string; ext?: string; content: string | Uint8Array; options?: TableFileOptions; error: RegExp }[] = [
  { name: 'a gzip file read as CSV', content: gzipSync('a,b,y\n1,2,3\n'), error: /is gzip-compressed; decompress it first/ },
  { name: 'invalid UTF-8 (distinct bytes would merge into one category)', content: Buffer.concat([Buffer.from('a,b,y\n1,2,3\n4,'), Buffer.from([0xff, 0xfe]), Buffer.from(',5\n')]), error: /line 3 is not valid UTF-8/ },
  { name: 'invalid UTF-8 in a CR-only file names its line', content: Buffer.concat([Buffer.from('a,b,y\r1,2,3\r4,'), Buffer.from([0xc3, 0x28]), Buffer.from(',5\r')]), error: /line 3 is not valid UTF-8/ },
  { name: 'CR-only line endings with a ragged row (the line is named)', content: ['a,b,y', ...rows(24), '1,2'].join('\r'), error: /line 26: 2 fields, the header has 3/ },
  { name: 'a quoted field spanning lines, then a bad cell on the next physical line', content: ['a,b,y', '"n\nm",1,2', ...rows(20, (i, j) => (j === 0 ? `n${i}` : i % 5)), 'k,x,2', ...rows(20, (i, j) => (j === 0 ? `m${i}` : i % 3))].join('\n'), error: /line 24, column 'b': 'x' is not a number/ },
  { name: 'an unterminated quote names the line it opened on', content: ['a,b,y', ...rows(22), '1,"2,3', '4,5,6'].join('\n'), error: /line 24: unterminated quoted field/ },
  { name: 'text after a closing quote', content: ['a,b,y', '1,"2"x,3', ...rows(22)].join('\n'), error: /line 2: text after the closing quote/ },
  { name: 'a quote inside an unquoted field', content: ['a,b,y', '1,2"x,3', ...rows(22)].join('\n'), error: /line 2: a quote inside an unquoted field/ },
  { name: 'a tab-separated file read with the default delimiter', content: ['a\tb\ty', ...rows(22).map((r) => r.replaceAll(',', '\t'))].join('\n'), options: { target: 'y' }, error: /target column 'y' is not one of: a\tb\ty.*--delimiter/ },
  { name: 'a delimiter that cannot separate fields', content: 'a,b,y\n1,2,3\n', options: { target: 'y', delimiter: '"' }, error: /delimiter must be one character other than a quote or a line break/ },
  { name: 'a one-hot name that collides with a real column', content: ['c,c=x,y', ...Array.from({ length: 24 }, (_, i) => `${'xy'[i % 2]},${i},${i % 5}`)].join('\n'), options: { target: 'y', task: 'regression' }, error: /one-hot column 'c=x' \(column 'c', value 'x'\) has the name of another feature column/ },
  { name: 'a 50,000-value categorical column', content: ['id,b,y', ...Array.from({ length: 50_000 }, (_, i) => `u${i},${i % 7},${i % 3}`)].join('\n'), error: /column 'id' has 50000 distinct values, over the one-hot limit of 1000 .*drop the column/ },
  { name: 'a constant target', content: ['a,b,y', ...rows(24, (i, j) => (j === 2 ? 5 : i * (j + 1)))].join('\n'), error: /target 'y' is constant \(every row is 5\)/ },
  { name: 'a single-class target', content: ['a,b,y', ...rows(24, (i, j) => (j === 2 ? 'yes' : i * (j + 1)))].join('\n'), error: /target 'y' has the single value 'yes': classification needs at least 2 classes/ },
  { name: 'ARFF: a nominal value outside the declared set (quoted, with a comma)', ext: 'arff', content: `@relation r\n@attribute c {'a,b', c}\n@attribute y numeric\n@data\n'a,c',1\n`, error: /ARFF line 5: 'a,c' is not a declared value of 'c'/ },
  { name: 'ARFF: an unterminated quoted value', ext: 'arff', content: `@relation r\n@attribute c {'a,b', c}\n@attribute y numeric\n@data\n'a,b,1\n`, error: /f\d+\.arff: ARFF line 5: unterminated quoted value/ },
];

describe('bad table files: one line naming the file and the problem', () => {
  for (const t of BAD_TABLES) {
    it(t.name, () => {
      const f = file(t.ext ?? 'csv', t.content);
      let message = '';
      try { loadTableFile(f, t.options ?? { target: 'y' }); } catch (e) { message = (e as Error).message; }
      expect(message).toMatch(t.error);
      expect(message).toContain(f);
      expect(message.split('\n')).toHaveLength(1);
    });
  }
});

describe('RFC 4180 CSV and ARFF quoting', () => {
  it('quoted fields may hold line breaks, delimiters and "" escapes; CRLF, CR-only and LF give the same table', () => {
    const lines = ['name,note,y', '"Smith, J","said ""hi""\nthen left",1', 'Lee,"",2', 'Ng,plain,3'];
    const lf = parseCSV(lines.join('\n'), { na: [''] });
    for (const eol of ['\r\n', '\r']) expect(parseCSV(lines.join(eol).replace('hi""\n', `hi""${eol}`), { na: [''] }).rows.length).toBe(2);
    expect(lf.rows).toEqual([['Smith, J', 'said "hi"\nthen left', 1], ['Ng', 'plain', 3]]);
    expect(parseCSV(lines.join('\r').replace('hi""\n', 'hi""\r'), { na: [''] }).rows[0]![1]).toBe('said "hi"\rthen left');
  });

  it('a delimiter option: tab and semicolon files parse as their comma twins', () => {
    const comma = 'a,b,y\n1,2.5,x\n3,4,z\n';
    for (const delimiter of ['\t', ';', '|']) {
      expect(parseCSV(comma.replaceAll(',', delimiter), { delimiter })).toEqual(parseCSV(comma));
    }
    const f = file('csv', ['a;b;y', ...rows(22).map((r) => r.replaceAll(',', ';'))].join('\n'));
    expect(loadTableFile(f, { target: 'y', delimiter: ';' }).d).toBe(2);
    expect(parseCSV('a;b\n"1;2";3\n', { delimiter: ';', categorical: ['a'] }).rows).toEqual([['1;2', 3]]);
  });

  it('a byte-order mark before the header is dropped', () => {
    expect(parseCSV('\uFEFFa,b\n1,2\n').columns).toEqual(['a', 'b']);
  });

  it('spaces around a quoted field are ignored; inside it they are kept', () => {
    expect(parseCSV('a,b\n "x y " , 2\n').rows).toEqual([['x y ', 2]]);
  });

  it('one-hot names that collide are refused (two categorical columns too)', () => {
    const t = parseCSV('a,a=b,y\nb=c,c,1\nd,e,2\n');
    expect(() => tableToDataset(t, { target: 'y' })).toThrow(/one-hot column 'a=b=c' \(column 'a', value 'b=c'\) has the name of another feature column \(column 'a=b', value 'c'\); rename a column/);
  });

  it('ARFF: quoted nominal values may hold commas and spaces, in the header and the data', () => {
    const t = parseARFF(`@relation r\n@attribute 'c' {'a,b', "x y", c}\n@attribute y numeric\n@data\n'a,b',1\n"x y",2\nc , 3\n'a\\'s',4\n`.replace("'a\\'s',4\n", ''));
    expect(t.rows).toEqual([['a,b', 1], ['x y', 2], ['c', 3]]);
    const q = parseARFF(`@relation r\n@attribute s string\n@attribute y numeric\n@data\n'it\\'s, ok',1\n`);
    expect(q.rows).toEqual([["it's, ok", 1]]);
  });

  it('ARFF: CR-only line endings', () => {
    expect(parseARFF('@relation r\r@attribute x numeric\r@attribute y {a,b}\r@data\r1,a\r2,b\r').rows).toEqual([[1, 'a'], [2, 'b']]);
  });
});

describe('one-hot width is bounded before allocating', () => {
  it('the per-column limit names the column and its count, and is checked before x is built', () => {
    const table = { columns: ['id', 'y'], rows: Array.from({ length: 5000 }, (_, i) => [`u${i}`, i % 2]), categorical: new Set(['id']) };
    expect(() => tableToDataset(table, { target: 'y' })).toThrow(/column 'id' has 5000 distinct values, over the one-hot limit of 1000 per column/);
  });
  it('the total width is bounded too', () => {
    const cols = Array.from({ length: 12 }, (_, j) => `c${j}`);
    const table = { columns: [...cols, 'y'], rows: Array.from({ length: 999 }, (_, i) => [...cols.map((c) => `${c}${i}`), i % 2]), categorical: new Set(cols) };
    expect(() => tableToDataset(table, { target: 'y' })).toThrow(/one-hot encoding gives \d+ feature columns, over the limit of 10000/);
  });
});

describe('statistics are finite or refused', () => {
  const ds = (col: number[], extra: Partial<Dataset> = {}): Dataset => ({ x: Float64Array.from(col), y: Float64Array.from(col, (_, i) => i), n: col.length, d: 1, task: 'regression', outputs: 1, features: ['big'], ...extra });

  it('one huge finite cell (1e308) gives a finite mean and std, so training and predictions stay finite', () => {
    const col = [1e308, ...Array.from({ length: 19 }, (_, i) => i)];
    const s = fitStandardizer(ds(col));
    expect(Number.isFinite(s.std[0]!) && s.std[0]! > 0).toBe(true);
    expect(Number.isFinite(s.mean[0]!)).toBe(true);
    expect(Array.from(standardize(ds(col), s).x).every(Number.isFinite)).toBe(true);
    const two = fitStandardizer(ds([1.7e308, 1.7e308, -1.7e308, 0, 1]));
    expect(two.mean[0]).toBeCloseTo(1.7e308 / 5, -300);
    expect(Number.isFinite(two.std[0]!)).toBe(true);
  });

  it('a target whose quartiles are far apart is scaled without overflow', () => {
    const s = fitTargetScaler({ ...ds([0, 0, 0, 0]), y: Float64Array.from([-1.7e308, -1.7e308, 1.7e308, 1.7e308]) });
    expect(Number.isFinite(s.halfIqr)).toBe(true);
  });

  it('a value that standardizes to ±∞ is refused naming the feature', () => {
    const s = fitStandardizer(ds([0, 1e-300, 2e-300, 0, 1e-300]));
    expect(() => standardize(ds([1.7e308, 0, 0]), s)).toThrow(/feature 'big': the value 1\.7e\+308 in row 0 is too far from the training data to standardize/);
  });

  it('prepareTabular refuses a target value that scales to ±∞, naming the row', () => {
    const n = 40;
    const data: Dataset = { x: Float64Array.from({ length: n }, (_, i) => i), y: Float64Array.from({ length: n }, (_, i) => (i === 7 ? 1.7e308 : (i % 4) * 1e-3)), n, d: 1, task: 'regression', outputs: 1 };
    expect(() => prepareTabular(data, 0)).toThrow(/the target value 1\.7e\+308 .* too far from the median to scale/);
  });
});

describe('degenerate problems are refused before training', () => {
  const rng = new C.RNG(3);
  const x = Float64Array.from({ length: 80 }, () => rng.normal());
  const base = { x, n: 40, d: 2, features: ['p', 'q'] };
  const reg: Dataset = { ...base, y: Float64Array.from({ length: 40 }, (_, i) => x[2 * i]!), task: 'regression', outputs: 1 };
  const multi: Dataset = { ...base, y: Float64Array.from({ length: 40 }, (_, i) => i % 3), task: 'multiclass', outputs: 3 };
  const opts = { epochs: 6, batchSize: 20, lr: 1e-2, lambda: 1e-3, progress: false };
  const CASES: { name: string; data: Dataset; outDim?: number; options?: object; error: RegExp }[] = [
    { name: 'a constant regression target', data: { ...reg, y: new Float64Array(40).fill(2) }, error: /train: the target is constant \(every row is 2\)/ },
    { name: 'a single-class binary target', data: { ...reg, task: 'binary', y: new Float64Array(40).fill(1) }, error: /train: every row has class 1: classification needs at least 2 classes/ },
    { name: 'a single-class multiclass target', outDim: 3, data: { ...multi, y: new Float64Array(40).fill(2) }, error: /train: every row has class 2/ },
    { name: 'a label equal to the class count', outDim: 3, data: { ...multi, y: Float64Array.from(multi.y, (v, i) => (i === 5 ? 3 : v)) }, error: /train: the label of row 5 is 3; a multiclass task with 3 classes needs integers 0…2/ },
    { name: 'a negative label', outDim: 3, data: { ...multi, y: Float64Array.from(multi.y, (v, i) => (i === 1 ? -1 : v)) }, error: /row 1 is -1/ },
    { name: 'a fractional label', outDim: 3, data: { ...multi, y: Float64Array.from(multi.y, (v, i) => (i === 2 ? 0.5 : v)) }, error: /row 2 is 0\.5/ },
    { name: 'a binary label of 2', data: { ...reg, task: 'binary', y: Float64Array.from({ length: 40 }, (_, i) => i % 3) }, error: /train: the label of row 2 is 2; a binary task needs labels 0 or 1/ },
    { name: 'λ = ∞', data: reg, options: { lambda: Infinity }, error: /train: lambda must be a finite number ≥ 0, got Infinity/ },
    { name: 'λ = NaN', data: reg, options: { lambda: Number.NaN }, error: /train: lambda must be a finite number ≥ 0, got NaN/ },
    { name: 'a NaN feature', data: { ...reg, x: Float64Array.from(x, (v, i) => (i === 9 ? Number.NaN : v)) }, error: /train: feature value at row 4, column 1 is NaN/ },
    { name: 'an infinite target', data: { ...reg, y: Float64Array.from(reg.y, (v, i) => (i === 3 ? Infinity : v)) }, error: /train: target 3 is Infinity/ },
    { name: 'a validation set of another task', data: reg, options: { validation: { ...reg, task: 'binary', y: Float64Array.from(reg.y, (v) => (v > 0 ? 1 : 0)) } }, error: /train: the validation set is a binary task, the training set a regression task/ },
    { name: 'a validation set of another width', data: reg, options: { validation: { ...reg, d: 1, x: x.slice(0, 40), features: ['p'] } }, error: /train: the validation set has 1 features, the training set 2/ },
    { name: 'a validation set with other classes', outDim: 3, data: multi, options: { validation: { ...multi, y: Float64Array.from(multi.y, () => 3), outputs: 4 } }, error: /train: the validation set has 4 outputs, the training set 3/ },
    { name: 'a validation label out of range', outDim: 3, data: multi, options: { validation: { ...multi, y: Float64Array.from(multi.y, (v, i) => (i === 4 ? 7 : v)) } }, error: /train \(validation\): the label of row 4 is 7/ },
  ];
  for (const c of CASES) {
    it(c.name, async () => {
      const net = psilonNet({ inDim: 2, hidden: 4, outDim: c.outDim ?? 1, seed: 1 });
      let epochs = 0;
      try {
        await expect(train(net, c.data, { ...opts, ...c.options, onEpoch: () => { epochs++; } })).rejects.toThrow(c.error);
        expect(epochs).toBe(0);
      } finally { net.dispose(); }
    });
  }
  it('a missing dataset or options object is one line, not a TypeError', async () => {
    const net = psilonNet({ inDim: 2, hidden: 4, outDim: 1, seed: 1 });
    await expect(train(net, undefined as never, opts)).rejects.toThrow(/train: data must be a Dataset/);
    await expect(train(net, reg, undefined as never)).rejects.toThrow(/train: options must be an object/);
    net.dispose();
  });
  it('a well-posed problem still trains (the checks do not refuse good data)', async () => {
    const net = psilonNet({ inDim: 2, hidden: 4, outDim: 3, seed: 1 });
    const r = await train(net, multi, { ...opts, validation: multi });
    expect(r.history).toHaveLength(6);
    net.dispose();
  });
});

describe('damaged model files', () => {
  const netFile = async () => {
    const net = psilonNet({ inDim: 3, hidden: 4, outDim: 1, seed: 1 });
    const saved = JSON.parse(JSON.stringify(await saveModel(net)));
    net.dispose();
    return saved;
  };
  const CASES: { name: string; damage: (s: any) => void; error: RegExp }[] = [
    { name: 'no parameters array', damage: (s) => { s.parameters = { 0: 1 }; }, error: /loadModel: the file has no parameters array/ },
    { name: 'a null parameter', damage: (s) => { s.parameters[1] = null; }, error: /loadModel: parameters\[1\] is not an object/ },
    { name: 'a parameter without values', damage: (s) => { delete s.parameters[0].values; }, error: /loadModel: 'embedder.weight' has no values array/ },
    { name: 'a truncated values array', damage: (s) => { s.parameters[0].values.length = 5; }, error: /loadModel: 'embedder.weight' has 5 values, its shape \[3, 4\] needs 12/ },
    { name: 'a null value (a NaN saved as JSON)', damage: (s) => { s.parameters[2].values[0] = null; }, error: /loadModel: 'embedder.bias' value 0 is null, not a finite number/ },
    { name: 'a string shape', damage: (s) => { s.parameters[0].shape = '3x4'; }, error: /loadModel: 'embedder.weight' has shape 3x4, expected \[3, 4\]/ },
    { name: 'a wrong dtype', damage: (s) => { s.parameters[0].dtype = 'int8'; }, error: /loadModel: 'embedder.weight' has dtype int8, the config says float32/ },
    { name: 'an unknown config dtype', damage: (s) => { s.config.dtype = 'float16'; }, error: /loadModel: config.dtype must be float32 or float64, got float16/ },
    { name: 'a string config.share', damage: (s) => { s.config.share = 'yes'; }, error: /loadModel: config.share must be true or false, got "yes"/ },
    { name: 'an unknown regularizer', damage: (s) => { s.config.regularizer = 'l7'; }, error: /loadModel: config.regularizer 'l7' is not one of/ },
    { name: 'an unknown norm', damage: (s) => { s.config.norm = 'l3'; }, error: /loadModel: config.norm/ },
    { name: 'a string inDim', damage: (s) => { s.config.inDim = '3'; }, error: /loadModel: config.inDim must be a positive integer, got "3"/ },
    { name: 'a huge depth with few parameters', damage: (s) => { s.config.nHidden = 1e9; }, error: /loadModel: config.nHidden 1000000000 needs at least \d+ parameter arrays, the file has 12/ },
    { name: 'a huge width', damage: (s) => { s.config.hidden = 1e6; }, error: /loadModel: .* has 2\.00e\+12 parameters, over the limit of 2\.68e\+8/ },
    { name: 'preprocessing with a null std (an overflowed statistic)', damage: (s) => { s.preprocessing = { features: ['a', 'b', 'c'], mean: [0, 0, 0], std: [1, null, 1], task: 'regression', target: 'y', scale: { median: 0, halfIqr: 1 } }; }, error: /loadModel: preprocessing.std\[1\] is null, not a positive finite number/ },
    { name: 'preprocessing of another width', damage: (s) => { s.preprocessing = { features: ['a', 'b'], mean: [0, 0], std: [1, 1], task: 'regression', target: 'y', scale: { median: 0, halfIqr: 1 } }; }, error: /loadModel: preprocessing has 2 features, the model's inDim is 3/ },
    { name: 'preprocessing of a regression model without its scale', damage: (s) => { s.preprocessing = { features: ['a', 'b', 'c'], mean: [0, 0, 0], std: [1, 1, 1], task: 'regression', target: 'y' }; }, error: /loadModel: preprocessing.scale/ },
  ];
  for (const c of CASES) {
    it(c.name, async () => {
      const s = await netFile();
      c.damage(s);
      const t0 = performance.now();
      let message = '';
      try { loadModel(s).dispose(); } catch (e) { message = (e as Error).message; }
      expect(message).toMatch(c.error);
      expect(message.split('\n')).toHaveLength(1);
      expect(performance.now() - t0).toBeLessThan(2000);
    });
  }
  it('readSavedModel names the file: truncated JSON, a damaged key, a folder', async () => {
    const { readSavedModel } = await import('psilon');
    const text = JSON.stringify(await netFile());
    const cut = file('json', text.slice(0, text.length - 40));
    expect(() => readSavedModel(cut)).toThrow(new RegExp(`^${cut}: not a saved model: the JSON is damaged or truncated \\(`));
    const s = await netFile();
    s.parameters[3].shape = [4, 5];
    const bad = file('json', JSON.stringify(s));
    expect(() => readSavedModel(bad)).toThrow(new RegExp(`^${bad}: 'representer.0.linear.weight' has shape \\[4, 5\\], expected \\[4, 4\\]`));
    expect(() => readSavedModel(dir)).toThrow(/is a folder, not a model file/);
    expect(readSavedModel(file('json', text)).config.hidden).toBe(4);
  });

  it('an undamaged file still loads (with its preprocessing)', async () => {
    const s = await netFile();
    s.preprocessing = { features: ['a', 'b', 'c'], mean: [0, 0, 0], std: [1, 1, 1], task: 'regression', target: 'y', scale: { median: 0, halfIqr: 1 } };
    loadModel(s).dispose();
  });
});

describe('IDX files', () => {
  const idx = (type: number, dims: number[], data: number[]) => {
    const head = Buffer.alloc(4 + 4 * dims.length);
    head[2] = type; head[3] = dims.length;
    dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
    return new Uint8Array(Buffer.concat([head, Buffer.from(data)]));
  };
  it('200,000 labels do not overflow the call stack', () => {
    const n = 200_000;
    const ds = idxToDataset(parseIDX(idx(8, [n, 1, 1], Array.from({ length: n }, (_, i) => i % 256))), parseIDX(idx(8, [n], Array.from({ length: n }, (_, i) => i % 10))));
    expect(ds.outputs).toBe(10);
  });
  it('images whose dims overflow and labels of another count name the problem', () => {
    expect(() => parseIDX(idx(8, [65536, 65536, 65536], [1]))).toThrow(/IDX: dims \[65536, 65536, 65536\] declare 2\.81e\+14 values/);
    expect(() => idxToDataset(parseIDX(idx(8, [3, 1, 1], [1, 2, 3])), parseIDX(idx(8, [2], [0, 1])))).toThrow(/IDX: 3 images but 2 labels/);
    expect(() => idxToDataset(parseIDX(idx(8, [2, 1, 1], [1, 2])), parseIDX(idx(0x0e, [2], [])))).toThrow(/IDX/);
  });
  it('loadIdxFiles names which file is wrong and why', async () => {
    const { loadIdxFiles } = await import('psilon');
    const images = file('idx', idx(8, [3, 2, 2], Array.from({ length: 12 }, (_, i) => i)));
    const labels = file('idx', idx(8, [2], [0, 1]));
    expect(() => loadIdxFiles(images, labels)).toThrow(new RegExp(`${labels}: 2 labels, but ${images} has 3 images`));
    const magic = file('idx', new Uint8Array([1, 0, 8, 1, 0, 0, 0, 0]));
    expect(() => loadIdxFiles(images, magic)).toThrow(new RegExp(`${magic}: IDX: bad magic number`));
    const cut = file('idx', idx(8, [3, 2, 2], [1, 2, 3]));
    expect(() => loadIdxFiles(cut, labels)).toThrow(new RegExp(`${cut}: IDX: expected 12 bytes of data for dims \\[3, 2, 2\\], found 3`));
    expect(() => loadIdxFiles(images, labels.replace('.idx', '.missing'))).toThrow(/cannot read the IDX labels file \(ENOENT\)/);
    const flat = file('idx', idx(8, [3, 4], Array.from({ length: 12 }, (_, i) => i)));
    expect(() => loadIdxFiles(flat, labels)).toThrow(new RegExp(`${flat}: IDX images must be 3-D`));
    const good = file('idx', idx(8, [3], [0, 1, 2]));
    expect(loadIdxFiles(images, good).n).toBe(3);
  });
  it('fractionSplits of 400,000 rows of one class does not overflow the call stack', async () => {
    const { fractionSplits } = await import('psilon');
    const n = 400_000;
    const s = fractionSplits({ x: new Float64Array(n), y: new Float64Array(n), n, d: 1, task: 'regression', outputs: 1 }, [0.5, 0.25, 0.25], 0);
    expect([s.train.n, s.validation.n, s.test.n]).toEqual([200_000, 100_000, 100_000]);
  });
  it('labels must be class indices', () => {
    expect(() => idxToDataset(parseIDX(idx(8, [2, 1, 1], [1, 2])), { dims: [2], data: Float64Array.from([0, 1.5]) })).toThrow(/IDX labels: label 1 is 1\.5, not a class index/);
  });
});

describe('tensor creation names the op and the shape', () => {
  const CASES: [string, () => unknown, RegExp][] = [
    ['zeros, a negative dimension', () => C.zeros([2, -1]), /zeros: invalid shape \[2, -1\]/],
    ['ones, a fractional dimension', () => C.ones([1.5]), /ones: invalid shape \[1\.5\]/],
    ['full, a NaN dimension', () => C.full([Number.NaN, 2], 3), /full: invalid shape \[NaN, 2\]/],
    ['randn, a negative dimension', () => C.randn([-3], { rng: new C.RNG(1) }), /randn: invalid shape \[-3\]/],
    ['rand, a fractional dimension', () => C.rand([2, 0.5], { rng: new C.RNG(1) }), /rand: invalid shape \[2, 0\.5\]/],
    ['zeros, not an array', () => C.zeros(3 as never), /zeros: the shape must be an array of non-negative integers, got 3/],
    ['tensor, a negative reshape', () => C.tensor([1, 2], [-2]), /tensor: invalid shape \[-2\]/],
  ];
  for (const [name, f, error] of CASES) it(name, () => expect(f).toThrow(error));
});

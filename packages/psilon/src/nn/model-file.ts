/** Reading a saved model file (Node only: the browser entry leaves it out). */
import { readInputText } from '../data/index.js';
import { checkSavedModel, type SavedModel } from './serialize.js';

/**
 * Reads and checks a saved model file ({@link checkSavedModel}), through `readInputText` (a regular
 * file, bounded size, strict UTF-8). Every error is one line naming the file; build it with `loadModel`.
 */
export function readSavedModel(path: string): SavedModel {
  const text = readInputText(path, { what: 'model file' });
  if (text.trim() === '') throw new Error(`${path}: not a saved model: the file is empty`);
  let saved: unknown;
  try {
    saved = JSON.parse(text);
  } catch (e) {
    if (e instanceof RangeError) throw new Error(`${path}: not a saved model: the JSON is nested too deeply`);
    const at = /position (\d+)/.exec((e as Error).message)?.[1];
    throw new Error(`${path}: not a saved model: the JSON is damaged or truncated (${at ? `at character ${at}` : `it ends after ${text.length} characters`})`);
  }
  checkSavedModel(saved, path);
  return saved;
}

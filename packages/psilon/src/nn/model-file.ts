/** Reading a saved model file (Node only: the browser entry leaves it out). */
import { readInputText } from '../data/index.js';
import { checkSavedModel, type SavedModel } from './serialize.js';

/**
 * Reads and checks a saved model file ({@link checkSavedModel}), through `readInputText` (a regular
 * file, bounded size, strict UTF-8). Every error is one line naming the file; build it with `loadModel`.
 */
export function readSavedModel(path: string): SavedModel {
  const text = readInputText(path, { what: 'model file' });
  let saved: unknown;
  try {
    saved = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: the model file is not valid JSON, truncated or damaged (${(e as Error).message.split('\n')[0]})`);
  }
  checkSavedModel(saved, path);
  return saved;
}

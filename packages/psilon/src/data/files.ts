/** Loaders that read a user's files (through {@link readInputBytes}: regular files, size from fstat first). */
import type { Dataset } from './dataset.js';
import { idxToDataset, parseIDX } from './idx.js';
import { readInputBytes } from './read.js';

/** Parses one IDX file, its path in every error. */
function readIdx(path: string, what: string) {
  const bytes = readInputBytes(path, { what });
  try {
    return parseIDX(bytes);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
}

/**
 * An image dataset from an IDX images file [n, rows, cols] and an IDX labels file [n]
 * (MNIST / Fashion-MNIST format; pixels mapped to [−1, 1]). Errors name the file that is wrong.
 */
export function loadIdxFiles(images: string, labels: string): Dataset {
  return idxToDataset(readIdx(images, 'IDX images file'), readIdx(labels, 'IDX labels file'), { images, labels });
}

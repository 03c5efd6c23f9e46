/**
 * A worker thread of a parallel experiment run (parallel.ts): starts its own
 * backend, then runs the grid points it is sent, one at a time, and posts each
 * result back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as C from '@psilon/core';
import { gridOf, type ExperimentName } from './registry.js';

const { backend } = workerData as { backend: string };
const be = await C.initBackend(backend);
parentPort!.on('message', async (job: { name: ExperimentName; options: Record<string, unknown>; point: { id: string } } | 'close') => {
  if (job === 'close') { await be.dispose(); parentPort!.close(); return; }
  try {
    parentPort!.postMessage({ ok: true, result: await gridOf(job.name).runPoint(job.options, job.point) });
  } catch (e) {
    parentPort!.postMessage({ ok: false, error: (e as Error).message });
  }
});

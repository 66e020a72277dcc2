import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IscsiConnectionError } from '../initiator/initiator-errors.js';
import { createLogger } from '../log.js';
import { CopyCancelledError } from './cartridge-copier.js';
import { CopyJobBook } from './copy-job-book.js';
import { CopyJobStore, type CopyJob } from './copy-job-store.js';
import { JobTransitions } from './job-transitions.js';

function setup() {
  let file: Buffer | undefined;
  const store = new CopyJobStore({ readFile: () => Promise.resolve(file), writeFileAtomic: (_: string, b: Buffer) => Promise.resolve(void (file = b)) });
  const book = new CopyJobBook(store);
  const scheduled: number[] = [];
  const transitions = new JobTransitions(book, { schedule: (_job: CopyJob, delayMs: number) => void scheduled.push(delayMs) }, { retryDelaySeconds: 7, maxAttempts: 2 }, createLogger({ level: 'silent' }));
  return { book, transitions, scheduled };
}

test('JobTransitions retries a transient error after the retry delay, then fails the job at the last attempt', async () => {
  const { book, transitions, scheduled } = setup();
  const job = await book.create({ barcode: 'A00001L8', library: 'lib0', trigger: 'export', release: false, sourceLastWriteAt: null });
  await transitions.failed(job, new IscsiConnectionError('the target closed the connection'));
  assert.equal(job.state, 'queued');
  assert.equal(job.attempts, 1);
  assert.deepEqual(scheduled, [7000]);
  await transitions.failed(job, new IscsiConnectionError('the target closed the connection'));
  assert.equal(job.state, 'failed');
  assert.equal(job.reason, 'gave up after 2 attempts: the target closed the connection');
  assert.deepEqual(scheduled, [7000], 'not scheduled again');
});

test('JobTransitions makes a copy a host interrupted start over from nothing, and clears the request', async () => {
  const { book, transitions, scheduled } = setup();
  const job = await book.create({ barcode: 'A00001L8', library: 'lib0', trigger: 'export', release: false, sourceLastWriteAt: null });
  Object.assign(job, { phase: 'verify', objectsCopied: 5, bytesCopied: 500, objectsVerified: 2, bytesVerified: 200 });
  transitions.interrupted.add(job.id);
  await transitions.failed(job, new CopyCancelledError());
  assert.equal(job.state, 'waiting');
  assert.deepEqual([job.phase, job.objectsCopied, job.bytesCopied, job.objectsVerified, job.bytesVerified], ['copy', 0, 0, 0, 0]);
  assert.equal(transitions.interrupted.has(job.id), false);
  assert.deepEqual(scheduled, [7000]);
});

test('JobTransitions.finish() clears every request about the job, so none outlives it', async () => {
  const { book, transitions } = setup();
  const job = await book.create({ barcode: 'A00001L8', library: 'lib0', trigger: 'idle', release: false, sourceLastWriteAt: null });
  transitions.cancelRequested.add(job.id);
  transitions.pauseRequested.add(job.id);
  transitions.idleJobs.add(job);
  await transitions.finish(job, 'cancelled', 'cancelled by the operator');
  assert.equal(book.job(job.id)?.state, 'cancelled');
  assert.equal(transitions.cancelRequested.size + transitions.pauseRequested.size + transitions.idleJobs.size, 0);
});

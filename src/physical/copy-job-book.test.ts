import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CopyJobBook } from './copy-job-book.js';
import { CopyJobStore } from './copy-job-store.js';
import { jobView } from './staging-service.js';

/** A CopyJobStore over memory: `saved` holds the jobs file as last written. */
function memoryStore(): { store: CopyJobStore; saved: () => { jobs: { state: string; reason?: string }[] } } {
  let file: Buffer | undefined;
  const store = new CopyJobStore({
    readFile: () => Promise.resolve(file),
    writeFileAtomic: (_name: string, bytes: Buffer) => Promise.resolve(void (file = bytes)),
  });
  return { store, saved: () => JSON.parse(file?.toString('utf8') ?? '{"jobs":[]}') as never };
}

test('CopyJobBook saves every change before its listeners hear of it', async () => {
  const { store, saved } = memoryStore();
  const book = new CopyJobBook(store, () => new Date('2026-12-05T21:00:00Z'));
  const heard: string[] = [];
  book.on((job) => heard.push(`${job.state} (file says ${saved().jobs[0]?.state})`));
  const job = await book.create({ barcode: 'A00001L8', library: 'lib0', trigger: 'export', release: false, sourceLastWriteAt: null });
  job.state = 'running';
  await book.changed(job);
  await book.settle(job, 'failed', 'the drive said no');
  assert.deepEqual(heard, ['queued (file says queued)', 'running (file says running)', 'failed (file says failed)']);
  assert.equal(saved().jobs[0].reason, 'the drive said no');
  assert.equal(book.job(job.id)?.finishedAt, '2026-12-05T21:00:00.000Z');
});

test('CopyJobBook hands out copies: changing one does not change the job', async () => {
  const { store } = memoryStore();
  const book = new CopyJobBook(store);
  const job = await book.create({ barcode: 'A00001L8', library: 'lib0', trigger: 'operator', release: true, sourceLastWriteAt: null });
  const copy = book.list()[0];
  copy.state = 'done';
  assert.equal(book.job(job.id)?.state, 'queued');
  assert.equal(book.job(job.id)?.release, true);
});

test('CopyJobBook.settle() without a reason removes the one the job had, and loads what was saved', async () => {
  const { store } = memoryStore();
  const book = new CopyJobBook(store);
  const job = await book.create({ barcode: 'A00001L8', library: 'lib0', trigger: 'operator', release: false, sourceLastWriteAt: null });
  job.reason = 'waiting for a drive';
  await book.settle(job, 'done');
  const again = new CopyJobBook(store);
  const [loaded] = await again.load();
  assert.equal(loaded.state, 'done');
  assert.equal(loaded.reason, undefined);
});

test('CopyJobBook saves the checkpoint of a running copy, not the progress since, which only the view shows', async () => {
  const { store, saved } = memoryStore();
  const book = new CopyJobBook(store);
  const job = await book.create({ barcode: 'A00001L8', library: 'lib0', trigger: 'export', release: false, sourceLastWriteAt: null });
  Object.assign(job, { state: 'running', totalObjects: 40, totalBytes: 4000, objectsCopied: 16, bytesCopied: 1600 });
  job.liveCopied = { objects: 21, bytes: 2100 };
  job.rateBytesPerSecond = 700;
  // Another job's creation saves the whole list between two checkpoints of the first.
  await book.create({ barcode: 'A00002L8', library: 'lib0', trigger: 'operator', release: false, sourceLastWriteAt: null });
  const file = saved().jobs[0] as unknown as Record<string, unknown>;
  assert.deepEqual([file['objectsCopied'], file['bytesCopied'], 'liveCopied' in file, 'rateBytesPerSecond' in file], [16, 1600, false, false]);
  const view = jobView(book.list()[0]);
  assert.deepEqual([view.objectsCopied, view.bytesCopied, view.percent, view.bytesPerSecond], [21, 2100, 26.3, 700]);
  assert.equal('liveCopied' in view, false);
});

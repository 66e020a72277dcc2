import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RandomAccessFile } from '../storage/storage.js';
import { BackgroundSync, BACKGROUND_SYNC_BYTES } from './background-sync.js';

function fileThatSyncs(outcome: () => Promise<void>): { file: RandomAccessFile; syncs: () => number } {
  let syncs = 0;
  const file = { sync: () => (syncs++, outcome()) } as unknown as RandomAccessFile;
  return { file, syncs: () => syncs };
}

test('an fdatasync starts once BACKGROUND_SYNC_BYTES have reached the file, and not again while it runs', async () => {
  let finish = (): void => undefined;
  const { file, syncs } = fileThatSyncs(() => new Promise<void>((resolve) => (finish = resolve)));
  const background = new BackgroundSync(file);
  background.wrote(BACKGROUND_SYNC_BYTES - 1);
  assert.equal(syncs(), 0);
  background.wrote(1);
  assert.equal(syncs(), 1);
  background.wrote(2 * BACKGROUND_SYNC_BYTES);
  assert.equal(syncs(), 1);
  finish();
  await background.settle();
  background.wrote(BACKGROUND_SYNC_BYTES - 1);
  assert.equal(syncs(), 1, 'a settle starts the count again');
  assert.equal(background.failed, undefined);
});

test('a failed background fdatasync is kept for the writer, not thrown and not retried', async () => {
  const error = new Error('EIO');
  const { file, syncs } = fileThatSyncs(() => Promise.reject(error));
  const background = new BackgroundSync(file);
  background.wrote(BACKGROUND_SYNC_BYTES);
  await background.settle();
  assert.deepEqual(background.failed, { error });
  assert.equal(syncs(), 1);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as turn, setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '../../log.js';
import type { CachedFile } from './cached-file.js';
import { Uploader } from './uploader.js';

/** A file with one piece of upload work, counting its uploads. */
function fileWithWork(): { file: CachedFile; uploads: () => number } {
  let uploads = 0;
  let work = true;
  const file = {
    path: 'F',
    removed: false,
    hasUploadWork: () => work,
    isClean: () => !work,
    upload: () => {
      uploads++;
      work = false;
      return Promise.resolve();
    },
  } as unknown as CachedFile;
  return { file, uploads: () => uploads };
}

const AN_HOUR_MS = 3_600_000;

/** Until `done()`, for at most about five seconds (the uploader looks again every 100 ms while it defers). */
async function eventually(done: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await sleep(10);
}

test('uploads wait while writes stream in and the cache has room, and a drain starts them', async () => {
  const uploader = new Uploader(silentLogger(), () => undefined, () => false, AN_HOUR_MS);
  const { file, uploads } = fileWithWork();
  uploader.noteWrite();
  uploader.request(file);
  for (let i = 0; i < 20; i++) await turn();
  assert.equal(uploads(), 0);
  await uploader.drain([file], 'test');
  assert.equal(uploads(), 1);
  await uploader.stop();
});

test('uploads start at once when the cache presses, however recent the last write', async () => {
  let pressed = false;
  const uploader = new Uploader(silentLogger(), () => undefined, () => pressed, AN_HOUR_MS);
  const { file, uploads } = fileWithWork();
  uploader.noteWrite();
  uploader.request(file);
  await turn();
  pressed = true;
  await eventually(() => uploads() === 1);
  assert.equal(uploads(), 1);
  await uploader.stop();
});

test('without writes uploads are not deferred', async () => {
  const uploader = new Uploader(silentLogger(), () => undefined, () => false, AN_HOUR_MS);
  const { file, uploads } = fileWithWork();
  uploader.request(file);
  await eventually(() => uploads() === 1);
  assert.equal(uploads(), 1);
  await uploader.stop();
});

test('a stop ends a deferred uploader without uploading', async () => {
  const uploader = new Uploader(silentLogger(), () => undefined, () => false, AN_HOUR_MS);
  const { file, uploads } = fileWithWork();
  uploader.noteWrite();
  uploader.request(file);
  await turn();
  await uploader.stop();
  assert.equal(uploads(), 0);
});

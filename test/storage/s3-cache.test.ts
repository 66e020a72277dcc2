// S3Storage against RGW (FORMAT.md "Object store"): a cache smaller than the file (backpressure, eviction, refetch),
// a cold cache, and garbage collection of cut segments.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { openTestS3Storage, s3TestService } from '../../src/storage/testing/s3-test-service.js';
import { parseSegmentName, segmentKey } from '../../src/storage/s3/segment-layout.js';
import type { S3Storage } from '../../src/storage/s3/s3-storage.js';

const SEGMENT = 64 * 1024;

after(async () => {
  await (await s3TestService()).stop();
});

/** Bytes of the segment files in a cache folder (journals aside). */
async function cachedBytes(folder: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && /^\d+\.\d+$/.test(entry.name)) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

/** index -> size of the segment objects of `file` in the store. */
async function storedSegments(storage: S3Storage, prefix: string, file: string): Promise<Map<number, number>> {
  const key = `${prefix}${file}`;
  const sizes = new Map<number, number>();
  for (const o of await storage.store.listAll(`${key}/`)) {
    const index = parseSegmentName(o.key.slice(key.length + 1));
    if (index !== undefined) sizes.set(index, o.size);
  }
  return sizes;
}

describe('S3Storage cache', () => {
  test('a file four times the cache is written with backpressure, read back through eviction and refetch, and read whole with a cold cache', async () => {
    const data = randomBytes(32 * SEGMENT + 1234);
    const writer = await openTestS3Storage({ segmentBytes: SEGMENT, cacheBytes: 8 * SEGMENT });
    try {
      const file = await writer.storage.open('c/data', { create: true });
      for (let at = 0; at < data.length; at += 40_000) await file.write([data.subarray(at, Math.min(data.length, at + 40_000))], at);
      await file.sync();
      assert.ok((await cachedBytes(writer.cacheDir)) <= 8 * SEGMENT, 'the cache never held more than its size');
      await writer.storage.drain();
      const back = Buffer.alloc(data.length);
      assert.equal(await file.read(back, 0, back.length, 0), data.length);
      assert.ok(back.equals(data), 'read back through the cache is the data written');
      assert.ok((await cachedBytes(writer.cacheDir)) <= 8 * SEGMENT, 'reading evicted to stay within the cache size');
      const cold = await openTestS3Storage({ ...writer.options, cacheDir: undefined, segmentBytes: SEGMENT, cacheBytes: 8 * SEGMENT });
      try {
        assert.ok((await cold.storage.readFile('c/data'))?.equals(data), 'a storage with an empty cache reads the same bytes from the store');
      } finally {
        await cold.done();
      }
    } finally {
      await writer.done();
    }
  });

  test('a cut removes the segments past it from the store, and a crash leftover past the end is collected', async () => {
    const opened = await openTestS3Storage({ segmentBytes: SEGMENT, cacheBytes: 16 * SEGMENT });
    const prefix = opened.options.prefix ?? '';
    try {
      const file = await opened.storage.open('c/data', { create: true });
      await file.write([randomBytes(10 * SEGMENT)], 0);
      await file.sync();
      await opened.storage.drain();
      assert.equal((await storedSegments(opened.storage, prefix, 'c/data')).size, 10);
      await file.truncate(2 * SEGMENT + 100);
      await file.write([Buffer.from('after the cut')], 2 * SEGMENT + 100);
      await file.sync();
      await opened.storage.drain();
      assert.deepEqual([...(await storedSegments(opened.storage, prefix, 'c/data'))].sort((a, b) => a[0] - b[0]), [
        [0, SEGMENT],
        [1, SEGMENT],
        [2, 100 + 13],
      ]);
      // A segment object past the end, as a crash between a cut's uploads and removals leaves it.
      await opened.storage.store.put(segmentKey(`${prefix}c/data`, 6), randomBytes(SEGMENT));
    } finally {
      await opened.done();
    }
    const again = await openTestS3Storage({ ...opened.options, cacheDir: undefined });
    try {
      assert.equal((await again.storage.readFile('c/data'))?.length, 2 * SEGMENT + 113, 'the leftover is not part of the file');
      await again.storage.drain();
      assert.deepEqual([...(await storedSegments(again.storage, prefix, 'c/data')).keys()].sort(), [0, 1, 2], 'and it was removed');
      await again.storage.writeFileAtomic('c/data', Buffer.from('small'));
      await again.storage.drain();
      assert.deepEqual([...(await storedSegments(again.storage, prefix, 'c/data'))], [[0, 5]], 'a shorter replacement leaves one segment');
      await again.storage.removeFolder('c');
      assert.equal((await again.storage.store.listAll(prefix)).length, 0, 'removing the folder leaves no object behind');
    } finally {
      await again.done();
    }
  });

  test('start-up uploads a journal beside the temporary file of an interrupted journal replacement, and ignores that file', async () => {
    const first = await openTestS3Storage({ segmentBytes: SEGMENT, cacheBytes: 8 * SEGMENT });
    await first.storage.writeFileAtomic('c/meta', Buffer.from('kept'));
    await first.storage.drain();
    await first.storage.close();
    // What a kill inside writeFileAtomic of the journal leaves: the temporary file, and the journal before it.
    const folder = path.join(first.cacheDir, 'files', 'c', 'meta');
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'journal.json.0123abcd.tmp'), '{"path": "c/me');
    const again = await openTestS3Storage({ ...first.options, cacheDir: first.cacheDir });
    try {
      assert.equal((await again.storage.readFile('c/meta'))?.toString(), 'kept');
    } finally {
      await again.done();
    }
  });
});

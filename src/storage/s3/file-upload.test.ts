import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LocalStorage } from '../local-storage.js';
import { CacheSpace } from './cache-space.js';
import type { CachedSegment } from './cached-segment.js';
import { hasUploadWork, isClean, uploadFile, type SegmentStore, type UploadableFile, type UploadContext } from './file-upload.js';
import type { ListedObject } from './object-store.js';
import { SegmentSet } from './segment-set.js';
import { segmentKey } from './segment-layout.js';

const S = 8;
const once = { attempts: 1 };

/** The store's objects in memory, and every call made to it in order. */
function recordingStore(initial: Record<string, number> = {}): { store: SegmentStore; calls: string[]; objects: Map<string, Buffer> } {
  const objects = new Map<string, Buffer>(Object.entries(initial).map(([k, size]) => [k, Buffer.alloc(size)]));
  const calls: string[] = [];
  const store: SegmentStore = {
    put: (key, body) => Promise.resolve(void (calls.push(`put ${key} ${body.length}`), objects.set(key, Buffer.from(body)))),
    get: (key) => Promise.resolve(objects.get(key)),
    delete: (key) => Promise.resolve(void (calls.push(`delete ${key}`), objects.delete(key))),
    listAll: (prefix) => Promise.resolve([...objects].filter(([k]) => k.startsWith(prefix)).sort(([a], [b]) => a.localeCompare(b)).map(([key, b]): ListedObject => ({ key, size: b.length }))),
  };
  return { store, calls, objects };
}

async function withFile(run: (file: UploadableFile, add: (index: number, bytes: string, synced: boolean) => Promise<CachedSegment>, space: CacheSpace) => Promise<void>): Promise<void> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'vtl-file-upload-'));
  try {
    const space = new CacheSpace(16 * S, S, () => undefined);
    let names = 0;
    const segments = new SegmentSet({ local: new LocalStorage(root), space, nextLocalName: (i) => `${i}.${++names}` }, 'files/F');
    const file = { path: 'F', key: 'lib/F', length: 0, segments, removed: false, generation: 0, trimPending: false };
    const add = async (index: number, bytes: string, synced: boolean): Promise<CachedSegment> => {
      const s = await segments.create(index, Buffer.from(bytes), true);
      if (s === undefined) throw new Error('no room');
      s.dirty = true;
      s.modified = 1;
      s.syncedModified = synced ? 1 : 0;
      segments.add(s);
      s.unpin();
      file.length = Math.max(file.length, index * S + bytes.length);
      return s;
    };
    await run(file, add, space);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const ctxOf = (store: SegmentStore, space: CacheSpace): UploadContext => ({ store, space, segmentBytes: S, retention: () => undefined, uploadBuffer: (size: number) => Buffer.alloc(size) });

test('segments past a cut leave the store highest first before any upload, then dirty segments go up in ascending order', async () => {
  const { store, calls, objects } = recordingStore({ [segmentKey('lib/F', 0)]: S, [segmentKey('lib/F', 1)]: S, [segmentKey('lib/F', 2)]: S, [segmentKey('lib/F', 3)]: 3 });
  await withFile(async (file, add, space) => {
    await add(1, '12345678', false);
    await add(0, 'abcdefgh', false);
    await add(2, 'xy', true);
    file.trimPending = true;
    assert.equal(hasUploadWork(file, S), true);
    await uploadFile(file, ctxOf(store, space), once);
    assert.deepEqual(calls, [`delete ${segmentKey('lib/F', 3)}`, `put ${segmentKey('lib/F', 0)} 8`, `put ${segmentKey('lib/F', 1)} 8`, `put ${segmentKey('lib/F', 2)} 2`]);
    assert.equal(objects.get(segmentKey('lib/F', 2))?.toString(), 'xy');
    assert.equal(isClean(file), true);
    assert.equal(hasUploadWork(file, S), false);
  });
});

test('a tail still being written stops the upload there, so the store keeps a prefix of the file', async () => {
  const { store, calls } = recordingStore();
  await withFile(async (file, add, space) => {
    await add(0, 'abcdefgh', false);
    await add(1, 'ab', false);
    await uploadFile(file, ctxOf(store, space), once);
    assert.deepEqual(calls, [`put ${segmentKey('lib/F', 0)} 8`]);
    assert.equal(isClean(file), false);
    assert.equal(hasUploadWork(file, S), false, 'nothing to do until the tail fills or is flushed');
  });
});

test('a segment written again while its upload runs stays dirty, so the newer bytes go up next time', async () => {
  const { store } = recordingStore();
  await withFile(async (file, add, space) => {
    const segment = await add(0, 'abcdefgh', true);
    const racing: SegmentStore = { ...store, put: async (key, body, retention) => {
      segment.modified++;
      await store.put(key, body, retention);
    } };
    await uploadFile(file, ctxOf(racing, space), once);
    assert.equal(segment.dirty, true);
  });
});

test('a removed file uploads nothing', async () => {
  const { store, calls } = recordingStore();
  await withFile(async (file, add, space) => {
    await add(0, 'abcdefgh', true);
    const removed = { ...file, removed: true };
    assert.equal(hasUploadWork(removed, S), false);
    await uploadFile(removed, ctxOf(store, space), once);
    assert.deepEqual(calls, []);
  });
});

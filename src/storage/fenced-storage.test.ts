import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FencedStorage, StorageFencedError, type StorageFence } from './fenced-storage.js';
import { MemoryStorage } from './memory-storage.js';
import { isRetryable, ObjectStore } from './s3/object-store.js';
import { StorageError } from './storage.js';

class Switch implements StorageFence {
  reason: string | undefined;
  asked = 0;
  refusal(): string | undefined {
    this.asked++;
    return this.reason;
  }
}

const fenced = (e: unknown): boolean => e instanceof StorageFencedError && e.code === 'EIO' && /fenced \(lease lost\)/.test(e.message);

test('FencedStorage passes every call through while the fence allows, asking it before each change', async () => {
  const inner = new MemoryStorage();
  const fence = new Switch();
  const storage = new FencedStorage(inner, fence);
  await storage.makeFolder('c');
  const file = await storage.open('c/data', { create: true });
  await file.write([Buffer.from('abcdef')], 0);
  await file.truncate(4);
  await file.sync();
  await file.close();
  await storage.writeFileAtomic('c/meta', Buffer.from('m'));
  await storage.rename('c', 'd');
  assert.deepEqual(await inner.readFile('d/data'), Buffer.from('abcd'));
  assert.deepEqual(await inner.readFile('d/meta'), Buffer.from('m'));
  assert.equal(fence.asked, 7, 'folder, create, write, truncate, sync, replace, rename');
});

test('FencedStorage refuses every change once the fence closes, with EIO, and leaves the store untouched', async () => {
  const inner = new MemoryStorage();
  const fence = new Switch();
  const storage = new FencedStorage(inner, fence);
  await storage.makeFolder('c');
  const file = await storage.open('c/data', { create: true });
  await file.write([Buffer.from('abc')], 0);
  await storage.writeFileAtomic('c/meta', Buffer.from('m'));

  fence.reason = 'lease lost';
  await assert.rejects(file.write([Buffer.from('XYZ')], 3), fenced);
  await assert.rejects(file.write([Buffer.from('Z')], 0), fenced);
  await assert.rejects(file.truncate(0), fenced);
  await assert.rejects(file.sync(), fenced);
  await assert.rejects(storage.open('c/other', { create: true }), fenced);
  await assert.rejects(storage.writeFileAtomic('c/meta', Buffer.from('new')), fenced);
  await assert.rejects(storage.removeFile('c/meta'), fenced);
  await assert.rejects(storage.makeFolder('e'), fenced);
  await assert.rejects(storage.rename('c', 'd'), fenced);
  await assert.rejects(storage.removeFolder('c'), fenced);

  // Reading, listing, opening without creating and closing change nothing: they still work.
  const again = await storage.open('c/data', { create: false });
  const bytes = Buffer.alloc(8);
  assert.equal(await again.read(bytes, 0, 8, 0), 3);
  await again.close();
  await file.close();
  assert.deepEqual((await storage.list('c')).sort(), ['data', 'meta']);
  assert.equal(await storage.exists('c/other'), false);
  assert.deepEqual(await inner.readFile('c/data'), Buffer.from('abc'), 'not one byte more');
  assert.deepEqual(await inner.readFile('c/meta'), Buffer.from('m'));
});

test('an object store refuses puts, copies and removals once its fence closes, before anything is sent', async () => {
  // Nothing listens there: a call that reached the network would fail as unreachable (EIO), not as fenced.
  const store = new ObjectStore({ endpoint: 'http://127.0.0.1:9', bucket: 'b', credentials: { accessKeyId: 'k', secretAccessKey: 's' } });
  try {
    const fence = new Switch();
    store.fence = fence;
    await assert.rejects(store.put('k', Buffer.from('x')), (e: unknown) => e instanceof StorageError && !(e instanceof StorageFencedError));
    fence.reason = 'lease lost';
    await assert.rejects(store.put('k', Buffer.from('x')), fenced);
    await assert.rejects(store.copy('k', 'l'), fenced);
    await assert.rejects(store.delete('k'), fenced);
    assert.equal(isRetryable(new StorageFencedError('put k', 'lease lost')), false, 'the uploader does not retry a refusal with backoff');
  } finally {
    store.destroy();
  }
});

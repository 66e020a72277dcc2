import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage } from '../memory-storage.js';
import { StorageError } from '../storage.js';
import { FaultyStorage } from './faulty-storage.js';

const isFault = (code: string) => (e: unknown): boolean => e instanceof StorageError && e.code === code && /injected fault/.test(e.message);

test('FaultyStorage counts every call per kind, failed ones included', async () => {
  const storage = new FaultyStorage(new MemoryStorage());
  const file = await storage.open('f', { create: true });
  await file.write([Buffer.from('ab')], 0);
  await file.write([Buffer.from('cd')], 2);
  await file.sync();
  await file.truncate(1);
  await storage.writeFileAtomic('g', Buffer.from('x'));
  await storage.rename('g', 'h');
  await storage.removeFile('h');
  await storage.removeFolder('nothing');
  assert.deepEqual(storage.counts, { open: 1, write: 2, sync: 1, truncate: 1, replace: 1, rename: 1, remove: 2 });
  storage.arm({ kind: 'write', nth: 1, code: 'EIO' });
  await assert.rejects(file.write([Buffer.from('z')], 0), isFault('EIO'));
  assert.equal(storage.counts.write, 1);
});

test('FaultyStorage fails exactly the Nth call of the armed kind with the chosen code, and nothing after it', async () => {
  const storage = new FaultyStorage(new MemoryStorage());
  storage.arm({ kind: 'replace', nth: 2, code: 'EDQUOT' });
  await storage.writeFileAtomic('m', Buffer.from('one'));
  await assert.rejects(storage.writeFileAtomic('m', Buffer.from('two')), isFault('EDQUOT'));
  assert.deepEqual(await storage.readFile('m'), Buffer.from('one'));
  await storage.writeFileAtomic('m', Buffer.from('three'));
  assert.deepEqual(await storage.readFile('m'), Buffer.from('three'));
  assert.deepEqual(storage.injected.map((f) => [f.kind, f.nth, f.code]), [['replace', 2, 'EDQUOT']]);
});

test('a sticky fault fails every call from the Nth on until it is cleared', async () => {
  const storage = new FaultyStorage(new MemoryStorage());
  await storage.makeFolder('a');
  storage.arm({ kind: 'rename', nth: 1, code: 'ENOSPC', sticky: true });
  await assert.rejects(storage.rename('a', 'b'), isFault('ENOSPC'));
  await assert.rejects(storage.rename('a', 'b'), isFault('ENOSPC'));
  storage.clear();
  await storage.rename('a', 'b');
  assert.deepEqual(await storage.list('.'), ['b']);
});

test('a failed write leaves the first half of its bytes in the file, as a short write before ENOSPC does', async () => {
  const storage = new FaultyStorage(new MemoryStorage());
  const file = await storage.open('f', { create: true });
  storage.arm({ kind: 'write', nth: 1, code: 'ENOSPC' });
  await assert.rejects(file.write([Buffer.from('abc'), Buffer.from('def')], 4), isFault('ENOSPC'));
  assert.equal(await file.length(), 7);
  const bytes = Buffer.alloc(3);
  await file.read(bytes, 0, 3, 4);
  assert.equal(bytes.toString(), 'abc');
});

test('with failedSyncLosesData a failed sync puts back the bytes of the last successful sync', async () => {
  const storage = new FaultyStorage(new MemoryStorage(), { failedSyncLosesData: true });
  const file = await storage.open('f', { create: true });
  await file.write([Buffer.from('kept')], 0);
  await file.sync();
  await file.write([Buffer.from('LOST and more')], 2);
  storage.arm({ kind: 'sync', nth: 1, code: 'EIO' });
  await assert.rejects(file.sync(), isFault('EIO'));
  const bytes = Buffer.alloc(32);
  assert.equal(await file.read(bytes, 0, 32, 0), 4);
  assert.equal(bytes.subarray(0, 4).toString(), 'kept');
  await file.sync(); // succeeds, and cannot bring the lost bytes back
  assert.equal(await file.length(), 4);
});

test('without failedSyncLosesData a failed sync changes no byte', async () => {
  const storage = new FaultyStorage(new MemoryStorage());
  const file = await storage.open('f', { create: true });
  await file.write([Buffer.from('abcdef')], 0);
  storage.arm({ kind: 'sync', nth: 1, code: 'EIO' });
  await assert.rejects(file.sync(), isFault('EIO'));
  assert.equal(await file.length(), 6);
});

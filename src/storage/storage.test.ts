import { after, test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FencedStorage } from './fenced-storage.js';
import { LocalStorage } from './local-storage.js';
import { MemoryStorage } from './memory-storage.js';
import { StorageError, type Storage } from './storage.js';
import { openTestS3Storage, s3TestService } from './testing/s3-test-service.js';

// One contract, every implementation: the media layer must not be able to tell them apart. S3Storage runs against
// the real RGW, once with 4-byte segments so that every call crosses segment boundaries.
const implementations: [string, () => Promise<{ storage: Storage; done: () => Promise<void> }>][] = [
  [
    'LocalStorage',
    async () => {
      const root = await mkdtemp(path.join(os.tmpdir(), 'vtl-storage-'));
      return { storage: new LocalStorage(root), done: () => rm(root, { recursive: true, force: true }) };
    },
  ],
  ['MemoryStorage', async () => ({ storage: new MemoryStorage(), done: async () => undefined })],
  ['FencedStorage over MemoryStorage, its fence open', async () => ({ storage: new FencedStorage(new MemoryStorage(), { refusal: () => undefined }), done: async () => undefined })],
  ['S3Storage on RGW', () => openTestS3Storage()],
  ['S3Storage on RGW with 4-byte segments', () => openTestS3Storage({ segmentBytes: 4, cacheBytes: 64 })],
];

after(async () => {
  await (await s3TestService()).stop();
});

for (const [name, make] of implementations) {
  describe(name, () => {
    test('positional gathered writes, short reads at the end, truncate and length', async () => {
      const { storage, done } = await make();
      try {
        await storage.makeFolder('c');
        await assert.rejects(storage.open('c/f', { create: false }), (e: unknown) => e instanceof StorageError && e.code === 'ENOENT');
        const file = await storage.open('c/f', { create: true });
        await file.write([Buffer.from('abc'), Buffer.alloc(0), Buffer.from('defg')], 0);
        await file.write([Buffer.from('XY')], 5);
        assert.equal(await file.length(), 7);
        const buffer = Buffer.alloc(10, 0x2e);
        assert.equal(await file.read(buffer, 1, 9, 2), 5);
        assert.equal(buffer.toString(), '.cdeXY....');
        await file.truncate(3);
        await file.sync();
        assert.equal(await file.length(), 3);
        assert.equal(await file.read(buffer, 0, 4, 3), 0);
        await file.close();
      } finally {
        await done();
      }
    });

    test('small files are replaced whole; folders list, rename and remove', async () => {
      const { storage, done } = await make();
      try {
        assert.equal(await storage.readFile('a/meta'), undefined);
        await storage.makeFolder('.tmp-a');
        await storage.writeFileAtomic('.tmp-a/meta', Buffer.from('one'));
        await storage.writeFileAtomic('.tmp-a/meta', Buffer.from('two'));
        await storage.rename('.tmp-a', 'a');
        assert.deepEqual(await storage.readFile('a/meta'), Buffer.from('two'));
        assert.equal(await storage.exists('a/meta'), true);
        assert.equal(await storage.exists('.tmp-a/meta'), false);
        assert.deepEqual((await storage.list('.')).sort(), ['a']);
        assert.deepEqual(await storage.list('a'), ['meta']);
        await storage.removeFile('a/meta');
        assert.equal(await storage.exists('a/meta'), false);
        await storage.removeFolder('a');
        assert.deepEqual(await storage.list('.'), []);
        assert.deepEqual(await storage.list('missing'), []);
      } finally {
        await done();
      }
    });

    test('paths cannot leave the root', async () => {
      const { storage, done } = await make();
      try {
        await assert.rejects(storage.readFile('../outside'), StorageError);
      } finally {
        await done();
      }
    });
  });
}

// S3Storage when the store goes away (FORMAT.md "Object store", outages): each test runs its own radosgw on the
// shared cluster and stops it mid-stream, so the other suites keep their store.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openTestS3Storage, s3TestService, startGateway, stopGateway } from '../../src/storage/testing/s3-test-service.js';
import { StorageError } from '../../src/storage/storage.js';
import { silentLogger } from '../../src/log.js';
import { FileMediaStore } from '../../src/media/file-media-store.js';
import { MediaFormatError, MediaWriteError } from '../../src/media/tape-medium.js';
import { mediumErrorToSense } from '../../src/scsi/ssc/medium-errors.js';
import { SenseKey } from '../../src/scsi/sense.js';
import { cartridge } from '../media/cartridge-fixture.js';

const SEGMENT = 64 * 1024;

after(async () => {
  await (await s3TestService()).stop();
});

// Each test waits for the store to come back or go away: a timeout turns a wait that never ends into a failure.
describe('S3Storage with the store down', { timeout: 180_000 }, () => {
  test('writes go on into the cache while radosgw is down, and reach the store by themselves when it returns', async () => {
    const service = await s3TestService();
    const endpoint = await startGateway(service, 'outage-a');
    const opened = await openTestS3Storage({ endpoint, segmentBytes: SEGMENT, cacheBytes: 32 * SEGMENT });
    try {
      const data = randomBytes(12 * SEGMENT);
      const file = await opened.storage.open('c/data', { create: true });
      await file.write([data.subarray(0, 4 * SEGMENT)], 0);
      await file.sync();
      await stopGateway(service, 'outage-a');
      await file.write([data.subarray(4 * SEGMENT)], 4 * SEGMENT);
      await file.sync();
      const uploaded = opened.storage.uploaded();
      while (opened.storage.storeDown === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.match(opened.storage.storeDown, /unreachable/);
      await startGateway(service, 'outage-a');
      await uploaded;
      assert.equal(opened.storage.storeDown, undefined, 'the storage saw the store come back');
      const cold = await openTestS3Storage({ ...opened.options, cacheDir: undefined });
      try {
        assert.ok((await cold.storage.readFile('c/data'))?.equals(data), 'everything written during the outage is in the store');
      } finally {
        await cold.done();
      }
    } finally {
      await startGateway(service, 'outage-a');
      await opened.done();
      await stopGateway(service, 'outage-a');
    }
  });

  test('with the cache full and the store down a write fails with EIO, data synced before survives, and writes work again when the store returns', async () => {
    const service = await s3TestService();
    const endpoint = await startGateway(service, 'outage-b');
    const opened = await openTestS3Storage({ endpoint, segmentBytes: SEGMENT, cacheBytes: 4 * SEGMENT });
    try {
      const synced = randomBytes(2 * SEGMENT);
      const file = await opened.storage.open('c/data', { create: true });
      await file.write([synced], 0);
      await file.sync();
      await stopGateway(service, 'outage-b');
      let at = synced.length;
      const failure = await (async () => {
        for (let i = 0; i < 16; i++) {
          try {
            await file.write([randomBytes(SEGMENT)], at);
          } catch (error) {
            return error;
          }
          at += SEGMENT;
        }
        return undefined;
      })();
      assert.ok(failure instanceof StorageError, 'a write failed once the cache was full');
      assert.equal(failure.code, 'EIO');
      assert.match(failure.message, /cache is full .* unreachable/);
      await startGateway(service, 'outage-b');
      await file.write([Buffer.from('after the outage')], at);
      await file.sync();
      await opened.storage.uploaded();
      const cold = await openTestS3Storage({ ...opened.options, cacheDir: undefined });
      try {
        const back = await cold.storage.readFile('c/data');
        assert.ok(back !== undefined);
        assert.ok(back.subarray(0, synced.length).equals(synced), 'the data synced before the outage is in the store');
        assert.equal(back.subarray(at).toString(), 'after the outage');
      } finally {
        await cold.done();
      }
    } finally {
      await startGateway(service, 'outage-b');
      await opened.done();
      await stopGateway(service, 'outage-b');
    }
  });

  test('a read of data only in the store fails with EIO while it is down and succeeds once it is back', async () => {
    const service = await s3TestService();
    const endpoint = await startGateway(service, 'outage-c');
    const writer = await openTestS3Storage({ endpoint, segmentBytes: SEGMENT, cacheBytes: 8 * SEGMENT });
    const data = randomBytes(3 * SEGMENT);
    await writer.storage.writeFileAtomic('c/data', data);
    await writer.done();
    const reader = await openTestS3Storage({ ...writer.options, cacheDir: undefined, attempts: 2 });
    try {
      const file = await reader.storage.open('c/data', { create: false });
      await stopGateway(service, 'outage-c');
      const back = Buffer.alloc(data.length);
      await assert.rejects(file.read(back, 0, back.length, 0), (e: unknown) => e instanceof StorageError && e.code === 'EIO' && /unreachable/.test(e.message));
      await startGateway(service, 'outage-c');
      assert.equal(await file.read(back, 0, back.length, 0), data.length);
      assert.ok(back.equals(data));
    } finally {
      await startGateway(service, 'outage-c');
      await reader.done();
      await stopGateway(service, 'outage-c');
    }
  });

  test('data synced while the store was down is uploaded from the journal at the next start', async () => {
    const service = await s3TestService();
    const endpoint = await startGateway(service, 'outage-d');
    const first = await openTestS3Storage({ endpoint, segmentBytes: SEGMENT, cacheBytes: 16 * SEGMENT });
    const data = randomBytes(5 * SEGMENT + 77);
    try {
      const file = await first.storage.open('c/data', { create: true });
      await stopGateway(service, 'outage-d');
      await file.write([data], 0);
      await file.sync();
      await first.storage.writeFileAtomic('c/meta', Buffer.from('metadata'));
    } finally {
      // The process goes away with the store down: only the cache's journal holds the data.
      await first.storage.close();
    }
    await startGateway(service, 'outage-d');
    try {
      const second = await openTestS3Storage({ ...first.options, cacheDir: first.cacheDir });
      await second.done();
      const cold = await openTestS3Storage({ ...first.options, cacheDir: undefined });
      try {
        assert.ok((await cold.storage.readFile('c/data'))?.equals(data), 'the journal was uploaded at start-up');
        assert.equal((await cold.storage.readFile('c/meta'))?.toString(), 'metadata');
      } finally {
        await cold.done();
      }
    } finally {
      await stopGateway(service, 'outage-d');
    }
  });

  test('a cartridge on S3 answers WRITE with a write error once the cache is full and the store down, and a read of store-only data with MEDIUM ERROR; flushed data survives', async () => {
    const service = await s3TestService();
    const endpoint = await startGateway(service, 'outage-e');
    const descriptor = cartridge({ barcode: 'OUTAGEL8', capacityBytes: 1024 ** 3 });
    const block = (n: number): Buffer => Buffer.alloc(SEGMENT, n % 251);
    const opened = await openTestS3Storage({ endpoint, segmentBytes: SEGMENT, cacheBytes: 8 * SEGMENT, attempts: 2 });
    const ctx = { log: silentLogger(), drive: 'test' };
    try {
      const store = new FileMediaStore({ directory: '.', log: silentLogger(), storage: opened.storage });
      await store.create(descriptor);
      let medium = await store.open(descriptor);
      for (let i = 0; i < 24; i++) await medium.write(block(i), { compress: false });
      await medium.flush();
      await opened.storage.drain();
      await stopGateway(service, 'outage-e');
      // Object 0 was evicted by the 23 after it: only the store has it.
      await medium.locate(0);
      const readError = await medium.read().then(() => undefined, (e: unknown) => e);
      assert.ok(readError instanceof MediaFormatError, 'the read of store-only data is a media error');
      assert.deepEqual([mediumErrorToSense(readError, ctx).sense.key, mediumErrorToSense(readError, ctx).sense.asc], [SenseKey.MEDIUM_ERROR, 0x11]);
      await medium.locate(24);
      const writeError = await (async () => {
        for (let i = 24; i < 400; i++) {
          try {
            await medium.write(block(i), { compress: false });
          } catch (error) {
            return error;
          }
        }
        return medium.flush().then(() => undefined, (e: unknown) => e);
      })();
      assert.ok(writeError instanceof MediaWriteError, 'a write failed once the cache was full');
      const sense = mediumErrorToSense(writeError, ctx).sense;
      assert.deepEqual([sense.key, sense.asc, sense.ascq], [SenseKey.MEDIUM_ERROR, 0x0c, 0x00], 'WRITE ERROR, as a drive reports a failed write');
      await startGateway(service, 'outage-e');
      await medium.close().catch(() => undefined);
      await opened.storage.uploaded();
      const cold = await openTestS3Storage({ ...opened.options, cacheDir: undefined });
      try {
        medium = await new FileMediaStore({ directory: '.', log: silentLogger(), storage: cold.storage }).open(descriptor);
        for (let i = 0; i < 24; i++) {
          const outcome = await medium.read();
          assert.ok(outcome.kind === 'block' && outcome.data.equals(block(i)), `flushed object ${i} is in the store`);
        }
        await medium.close();
      } finally {
        await cold.done();
      }
    } finally {
      await startGateway(service, 'outage-e');
      await opened.done();
      await stopGateway(service, 'outage-e');
    }
  });
});

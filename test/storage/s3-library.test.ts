// `storage: {kind: s3}` per library, as `vtl serve` wires it: cartridges created in the bucket (a local library
// beside it keeps its files), and Object Lock checked at start-up and put on the objects.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, GetObjectRetentionCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { configSchema } from '../../src/config/schema.js';
import { ConfigError } from '../../src/config/load-config.js';
import { silentLogger } from '../../src/log.js';
import { startServer } from '../../src/start-server.js';
import { ObjectStore } from '../../src/storage/s3/object-store.js';
import { s3TestService, type S3TestService } from '../../src/storage/testing/s3-test-service.js';

after(async () => {
  await (await s3TestService()).stop();
});

function s3Library(service: S3TestService, bucket: string, prefix: string, extra: object = {}): object {
  return {
    kind: 's3',
    endpoint: service.endpoint,
    bucket,
    prefix,
    accessKeyId: service.accessKeyId,
    secretAccessKey: service.secretAccessKey,
    cacheBytes: 64 * 1024 * 1024,
    ...extra,
  };
}

function storeOf(service: S3TestService, bucket: string): ObjectStore {
  return new ObjectStore({ endpoint: service.endpoint, bucket, credentials: { accessKeyId: service.accessKeyId, secretAccessKey: service.secretAccessKey } });
}

describe('S3 storage in the config', () => {
  test('a library with S3 storage creates its cartridges in the bucket while a local library keeps files', async () => {
    const service = await s3TestService();
    const dir = await mkdtemp(join(tmpdir(), 'vtl-s3-lib-'));
    const prefix = `lib-${randomBytes(4).toString('hex')}/`;
    const config = configSchema.parse({
      server: { dataDir: dir, listen: '127.0.0.1:0' },
      api: { enabled: false },
      libraries: [
        { name: 'lib0', driveCount: 1, slots: 4, mailSlots: 1, initialCartridges: { count: 2, barcodePrefix: 'S' }, storage: s3Library(service, service.bucket, prefix) },
        { name: 'lib1', driveCount: 1, slots: 4, mailSlots: 1, initialCartridges: { count: 1, barcodePrefix: 'L' } },
      ],
    });
    const store = storeOf(service, service.bucket);
    try {
      const server = await startServer(config, silentLogger());
      await server.close();
      const keys = (await store.listAll(prefix)).map((o) => o.key.slice(prefix.length)).sort();
      assert.deepEqual(keys, [
        'S00001L8/cartridge.json/seg-00000000',
        'S00001L8/data.vtape/seg-00000000',
        'S00002L8/cartridge.json/seg-00000000',
        'S00002L8/data.vtape/seg-00000000',
      ]);
      assert.deepEqual(await readdir(join(dir, 'cartridges')), ['L00001L8']);
    } finally {
      store.destroy();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('objectLock on a bucket without Object Lock stops start-up with a clear error', async () => {
    const service = await s3TestService();
    const dir = await mkdtemp(join(tmpdir(), 'vtl-s3-lock-'));
    const config = configSchema.parse({
      server: { dataDir: dir, listen: '127.0.0.1:0' },
      api: { enabled: false },
      libraries: [{ name: 'lib0', driveCount: 1, slots: 4, retention: { mode: 'compliance', days: 30, from: 'first-write' }, storage: s3Library(service, service.bucket, 'never/', { objectLock: true }) }],
    });
    try {
      await assert.rejects(startServer(config, silentLogger()), (e: unknown) => e instanceof ConfigError && /libraries\.lib0\.storage: Cannot use bucket vtl-test: it was not created with Object Lock, so it cannot honour the COMPLIANCE retention of 30 days/.test(e.message));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("on a bucket with Object Lock the objects carry the library's compliance retention and their versions cannot be deleted", async () => {
    const service = await s3TestService();
    const dir = await mkdtemp(join(tmpdir(), 'vtl-s3-lock-'));
    const prefix = `lock-${randomBytes(4).toString('hex')}/`;
    const config = configSchema.parse({
      server: { dataDir: dir, listen: '127.0.0.1:0' },
      api: { enabled: false },
      libraries: [{ name: 'lib0', driveCount: 1, slots: 4, initialCartridges: { count: 1 }, retention: { mode: 'compliance', days: 1, from: 'first-write' }, storage: s3Library(service, service.lockBucket, prefix, { objectLock: true }) }],
    });
    const store = storeOf(service, service.lockBucket);
    try {
      const server = await startServer(config, silentLogger());
      await server.close();
      const key = `${prefix}A00001L8/data.vtape/seg-00000000`;
      const retention = await store.client.send(new GetObjectRetentionCommand({ Bucket: service.lockBucket, Key: key }));
      assert.equal(retention.Retention?.Mode, 'COMPLIANCE');
      const until = retention.Retention?.RetainUntilDate?.getTime() ?? 0;
      assert.ok(until > Date.now() + 23 * 3600_000 && until < Date.now() + 25 * 3600_000, 'retained for the policy\'s day');
      const head = await store.client.send(new HeadObjectCommand({ Bucket: service.lockBucket, Key: key }));
      await assert.rejects(store.client.send(new DeleteObjectCommand({ Bucket: service.lockBucket, Key: key, VersionId: head.VersionId })), (e: unknown) => e instanceof Error && /AccessDenied/.test(e.name));
    } finally {
      store.destroy();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// WORM cartridges in an S3 library with Object Lock (FORMAT.md "Object Lock"): their objects carry a retention of
// their own, and overwrites, erases and deletion are refused before anything reaches the store. Against RGW's
// Object Lock bucket (scripts/services/ceph.sh creates it).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectRetentionCommand, ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { silentLogger } from '../../src/log.js';
import { FileMediaStore } from '../../src/media/file-media-store.js';
import { WormViolationError } from '../../src/media/tape-medium.js';
import { isWormBarcode } from '../../src/open-media-stores.js';
import { openLibraryS3Storage, WORM_RETAIN_DAYS, type LibraryStorageOwner } from '../../src/storage/s3/open-library-storage.js';
import { LATEST_RETAIN_UNTIL_MS, type S3Storage } from '../../src/storage/s3/s3-storage.js';
import { StorageError } from '../../src/storage/storage.js';
import { s3TestService } from '../../src/storage/testing/s3-test-service.js';
import { cartridge } from '../media/cartridge-fixture.js';

after(async () => {
  await (await s3TestService()).stop();
});

const WORM = 'W00001LY';
const DATA = 'D00001L8';
const DAY_MS = 86_400_000;

async function withLibrary(retention: LibraryStorageOwner['retention'], run: (storage: S3Storage, prefix: string) => Promise<void>): Promise<void> {
  const service = await s3TestService();
  const dataDir = await mkdtemp(join(tmpdir(), 'vtl-s3-worm-'));
  const prefix = `worm-${randomBytes(4).toString('hex')}/`;
  const storage = await openLibraryS3Storage(
    { name: 'lib0', retention },
    { endpoint: service.endpoint, bucket: service.lockBucket, prefix, forcePathStyle: true, accessKeyId: service.accessKeyId, secretAccessKey: service.secretAccessKey, cacheBytes: 64 * 1024 * 1024, objectLock: true },
    dataDir,
    silentLogger(),
    isWormBarcode,
  );
  try {
    await run(storage, prefix);
  } finally {
    await storage.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Every version of every object under `prefix`, as key@version. */
async function versions(storage: S3Storage, prefix: string): Promise<string[]> {
  const answer = await storage.store.client.send(new ListObjectVersionsCommand({ Bucket: storage.store.bucket, Prefix: prefix }));
  return [...(answer.Versions ?? []), ...(answer.DeleteMarkers ?? [])].map((v) => `${v.Key ?? ''}@${v.VersionId ?? ''}`).sort();
}

async function retentionOf(storage: S3Storage, key: string): Promise<{ mode: string | undefined; until: number } | undefined> {
  try {
    const answer = await storage.store.client.send(new GetObjectRetentionCommand({ Bucket: storage.store.bucket, Key: key }));
    return { mode: answer.Retention?.Mode, until: answer.Retention?.RetainUntilDate?.getTime() ?? 0 };
  } catch (error) {
    if (error instanceof Error && /NoSuchObjectLockConfiguration|InvalidRequest|NotFound/.test(error.name)) return undefined;
    throw error;
  }
}

describe('WORM cartridges on S3 Object Lock', () => {
  test("a WORM cartridge's objects are retained in governance mode without a policy, a data cartridge's are not", async () => {
    await withLibrary([], async (storage, prefix) => {
      const media = new FileMediaStore({ directory: '.', log: silentLogger(), storage });
      for (const barcode of [WORM, DATA]) {
        await media.create(cartridge({ barcode, worm: barcode === WORM }));
        const medium = await media.open(cartridge({ barcode, worm: barcode === WORM }));
        await medium.write(randomBytes(64 * 1024), { compress: false });
        await medium.flush();
        await medium.close();
      }
      await storage.drain();
      for (const file of ['data.vtape', 'cartridge.json']) {
        const worm = await retentionOf(storage, `${prefix}${WORM}/${file}/seg-00000000`);
        assert.equal(worm?.mode, 'GOVERNANCE', file);
        assert.ok((worm?.until ?? 0) > Date.now() + (WORM_RETAIN_DAYS - 1) * DAY_MS, `${file} retained for ${WORM_RETAIN_DAYS} days`);
        assert.equal(await retentionOf(storage, `${prefix}${DATA}/${file}/seg-00000000`), undefined, `${file} of the data cartridge`);
      }
    });
  });

  test('a retention past 2106 is stored as the latest date RGW can hold, never wrapped into the past', async () => {
    await withLibrary([{ mode: 'governance', days: 36_500 }], async (storage, prefix) => {
      const media = new FileMediaStore({ directory: '.', log: silentLogger(), storage });
      await media.create(cartridge({ barcode: DATA }));
      await storage.drain();
      assert.equal((await retentionOf(storage, `${prefix}${DATA}/data.vtape/seg-00000000`))?.until, LATEST_RETAIN_UNTIL_MS);
    });
  });

  test('with a compliance policy in the library a WORM cartridge is retained in compliance mode', async () => {
    await withLibrary([{ mode: 'compliance', days: 1 }], async (storage, prefix) => {
      const media = new FileMediaStore({ directory: '.', log: silentLogger(), storage });
      await media.create(cartridge({ barcode: WORM, worm: true }));
      await storage.drain();
      assert.equal((await retentionOf(storage, `${prefix}${WORM}/data.vtape/seg-00000000`))?.mode, 'COMPLIANCE');
    });
  });

  test('overwriting, erasing and deleting a WORM cartridge are refused and leave every object version in the store as it was', async () => {
    await withLibrary([], async (storage, prefix) => {
      const media = new FileMediaStore({ directory: '.', log: silentLogger(), storage });
      const worm = cartridge({ barcode: WORM, worm: true });
      await media.create(worm);
      const medium = await media.open(worm);
      await medium.write(randomBytes(4096), { compress: false });
      await medium.write(randomBytes(4096), { compress: false });
      await medium.writeFilemarks(1);
      await medium.flush();
      await storage.drain();
      const before = await versions(storage, `${prefix}${WORM}/`);
      await medium.locate(0);
      await assert.rejects(medium.write(randomBytes(4096), { compress: false }), WormViolationError);
      await assert.rejects(medium.erase(), WormViolationError);
      await storage.drain();
      assert.deepEqual(await versions(storage, `${prefix}${WORM}/`), before, 'nothing reached the store');
      await medium.close();
      const closed = await versions(storage, `${prefix}${WORM}/`);
      await assert.rejects(media.delete(WORM), (e: unknown) => e instanceof StorageError && e.code === 'EACCES' && /WORM cartridge/.test(e.message));
      await assert.rejects(storage.removeFolder(WORM), (e: unknown) => e instanceof StorageError && e.code === 'EACCES');
      assert.deepEqual(await versions(storage, `${prefix}${WORM}/`), closed, 'deletion touched nothing');
      assert.equal(await media.exists(WORM), true);
    });
  });
});

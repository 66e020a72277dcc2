// FORMAT.md "Object store", durability rule: a writer on the S3 storage is SIGKILLed at seeded random moments
// (while appending, flushing, syncing the journal, uploading, cutting); the next start uploads its journal, and a
// storage with an empty cache then finds every flushed object in the store, once, with a clean tail.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileMediaStore } from '../../src/media/file-media-store.js';
import { S3Storage } from '../../src/storage/s3/s3-storage.js';
import { openTestS3Storage, s3TestService } from '../../src/storage/testing/s3-test-service.js';
import { capturingLogger, cartridge, seededRandom } from '../media/cartridge-fixture.js';
import { runCrashRound, verifyCrashObjects } from '../media/crash-round.js';

const here = fileURLToPath(import.meta.url);
const worker = path.join(path.dirname(here), `s3-crash-worker${path.extname(here)}`);
const ROUNDS = 8;
const BARCODE = 'S3CRSHL8';

after(async () => {
  await (await s3TestService()).stop();
});

test('a writer on S3 killed at random moments loses nothing it flushed, and the store alone holds it after the next start', { timeout: 240_000 }, async (t) => {
  const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'vtl-s3-crash-'));
  const setup = await openTestS3Storage({ segmentBytes: 64 * 1024, cacheBytes: 4 * 1024 * 1024, cacheDir });
  const { log: _log, ...options } = setup.options;
  try {
    await new FileMediaStore({ directory: '.', log: capturingLogger().log, storage: setup.storage }).create(cartridge({ barcode: BARCODE, capacityBytes: 1024 ** 3 }));
    await setup.storage.close();
    const random = seededRandom(20261205);
    const roundStarts: number[] = [];
    const roundOf = (objectNumber: number): number => {
      let round = 0;
      while (round + 1 < roundStarts.length && roundStarts[round + 1] <= objectNumber) round++;
      return round;
    };
    let objects = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const { flushed, startedAt } = await runCrashRound(worker, [JSON.stringify(options), BARCODE, String(round)], 'VTL_S3_CRASH_WORKER', 50 + Math.floor(random() * 600));
      roundStarts.push(startedAt);
      // The next start: the killed writer's journal goes to the store, and the cache is emptied.
      await (await S3Storage.open({ ...options, log: capturingLogger().log })).close();
      // A storage with a cache of its own, empty: what it reads comes from the store.
      const cold = await openTestS3Storage({ ...options, cacheDir: undefined });
      try {
        const medium = await new FileMediaStore({ directory: '.', log: capturingLogger().log, storage: cold.storage }).open(cartridge({ barcode: BARCODE, capacityBytes: 1024 ** 3 }));
        objects = await verifyCrashObjects(medium, roundOf);
        assert.ok(objects >= flushed, `round ${round}: end of data ${objects} keeps every flushed object (${flushed})`);
        await medium.close();
      } finally {
        await cold.done();
      }
    }
    t.diagnostic(`${ROUNDS} kills, ${objects} objects at the end`);
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
});

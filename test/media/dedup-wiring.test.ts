import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../src/log.js';
import { createDedupMedia } from '../../src/media/dedup/create-dedup-media.js';
import { DedupMediaStore } from '../../src/media/dedup/dedup-media-store.js';
import { FileMediaStore } from '../../src/media/file-media-store.js';
import { capturingLogger } from './cartridge-fixture.js';

const parts = { directory: '/nonexistent', log: silentLogger(), libraryOf: () => 'a', describe: () => undefined, idle: () => true };

test('without a deduplicating library the media store is the plain one and there is no scheduler', () => {
  const made = createDedupMedia({ ...parts, libraries: [{ name: 'a', dedup: { enabled: false, scope: 'library' } }] });
  assert.ok(made.store instanceof FileMediaStore);
  assert.equal(made.scheduler, undefined);
});

test('a deduplicating library makes the store deduplicating and gives a scheduler', () => {
  const made = createDedupMedia({ ...parts, libraries: [{ name: 'a', dedup: { enabled: true, scope: 'global' } }] });
  assert.ok(made.store instanceof DedupMediaStore);
  assert.ok(made.scheduler !== undefined);
});

test('each chunk store compresses new chunks as its libraries\' dedup.compression says, zstd at level 3 when it names none', async () => {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'vtl-dedup-wiring-'));
  try {
    const { log, lines } = capturingLogger();
    const libraries = [
      { name: 'a', dedup: { enabled: true, scope: 'library' as const, compression: 'lz4' } },
      { name: 'b', dedup: { enabled: true, scope: 'global' as const, compression: 'zstd:2' } },
      { name: 'c', dedup: { enabled: true, scope: 'library' as const, compression: 'zstd' } },
    ];
    const made = createDedupMedia({ ...parts, directory, log, libraries });
    assert.ok(made.dedupStore !== undefined);
    for (const store of ['a', 'global', 'c']) await made.dedupStore.chunks(store);
    const said = (store: string): string | undefined => lines.find((l) => l['store'] === store && l.msg.startsWith('new chunks'))?.msg;
    assert.deepEqual([said('a'), said('global'), said('c')], ['new chunks are compressed with LZ4', 'new chunks are compressed with zstd level 2', 'new chunks are compressed with zstd level 3']);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});

// FORMAT.md "Deferred compression": with ingestCompression 'deferred' a block written with compression on is stored
// as it is (the background pass compacts it later), and reads back the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../src/log.js';
import { FileMediaStore } from '../../src/media/file-media-store.js';
import type { IngestCompression } from '../../src/media/file-tape-medium.js';
import { cartridge } from './cartridge-fixture.js';

async function storedBytesOf(block: Buffer, ingestCompression: IngestCompression): Promise<{ used: number; back: Buffer }> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'vtl-deferred-'));
  try {
    const store = new FileMediaStore({ directory, log: silentLogger(), ingestCompression });
    await store.create(cartridge());
    const medium = await store.open(cartridge());
    await medium.write(block, { compress: true });
    await medium.flush();
    const used = medium.capacity().usedBytes;
    await medium.rewind();
    const outcome = await medium.read();
    await medium.close();
    assert.equal(outcome.kind, 'block');
    return { used, back: Buffer.from(outcome.kind === 'block' ? outcome.data : Buffer.alloc(0)) };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

test('deferred ingest compression stores a compressible block as it is, where inline compression shrinks it', async () => {
  const block = Buffer.alloc(64 * 1024, 'the same words again and again ');
  const inline = await storedBytesOf(block, 'inline');
  const deferred = await storedBytesOf(block, 'deferred');
  assert.ok(inline.used < block.length / 4, `inline stored ${inline.used} bytes`);
  assert.equal(deferred.used, 28 + block.length);
  assert.deepEqual(deferred.back, block);
  assert.deepEqual(inline.back, block);
});

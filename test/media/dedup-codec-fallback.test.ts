// A host without libzstd (forced here with VTL_ZSTD=off, as codecChoice() reads it): a chunk store configured for
// zstd writes LZ4 and says so; the zstd chunks another host wrote are MEDIUM ERROR on exactly the blocks that use
// them, with a log line naming the reason; nothing crashes, and every other block reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../src/log.js';
import { chooseCodecs } from '../../src/media/codec/codec-choice.js';
import { loadLiblz4 } from '../../src/media/codec/liblz4-codec.js';
import { loadLibzstd } from '../../src/media/codec/libzstd-codec.js';
import { ChunkCodec } from '../../src/media/dedup/chunk-container.js';
import { ChunkStore } from '../../src/media/dedup/chunk-store.js';
import { DedupMediaStore } from '../../src/media/dedup/dedup-media-store.js';
import { DedupPass } from '../../src/media/dedup/dedup-pass.js';
import type { ChunkRef, Recipe } from '../../src/media/dedup/recipe.js';
import { LocalStorage } from '../../src/storage/local-storage.js';
import { MediaFormatError, type CartridgeDescriptor, type TapeMedium } from '../../src/media/tape-medium.js';
import { capturingLogger, cartridge } from './cartridge-fixture.js';

// This process's codecs (chosen on first use, after this line) are those of a host without libzstd.
process.env['VTL_ZSTD'] = 'off';

const BLOCK = 64 * 1024;
const text = (seed: number): Buffer => Buffer.from(Array.from({ length: BLOCK / 16 }, (_, i) => `rec ${seed} ${i} tape `.padEnd(16, '.')).join(''), 'latin1');
/** Four text blocks (their chunks compress), then four random ones (theirs are stored raw). */
const dataSet = (first: number): Buffer[] => [0, 1, 2, 3].map((n) => text(first + n)).concat([0, 1, 2, 3].map(() => randomBytes(BLOCK)));
const DATA = dataSet(0);
/** The second cartridge's: none of its chunks is one of the first's. */
const DATA2 = dataSet(100);

async function write(store: DedupMediaStore, descriptor: CartridgeDescriptor, data: readonly Buffer[]): Promise<void> {
  await store.create(descriptor);
  const medium = await store.open(descriptor);
  for (const block of data) await medium.write(block, { compress: true });
  await medium.close();
}

async function codecOf(directory: string, ref: ChunkRef): Promise<number> {
  const file = await open(path.join(directory, '.dedup', `${ref.container.toString().padStart(8, '0')}.vtchunk`), 'r');
  const header = Buffer.alloc(9);
  await file.read(header, 0, 9, ref.offset);
  await file.close();
  return header[8] ?? -1;
}

/** The blocks of `recipe` whose bytes lie in a chunk stored with `codec`. */
async function blocksUsing(directory: string, recipe: Recipe, codec: number): Promise<number[]> {
  const used = new Set<number>();
  let chunkStart = 0;
  for (const ref of recipe.chunks) {
    if ((await codecOf(directory, ref)) === codec) {
      for (let block = 0; block < DATA.length; block++) if (block * BLOCK < chunkStart + ref.length && (block + 1) * BLOCK > chunkStart) used.add(block);
    }
    chunkStart += ref.length;
  }
  return [...used].sort((a, b) => a - b);
}

test('without libzstd, zstd chunks are MEDIUM ERROR on exactly their blocks with the reason logged, and new chunks are LZ4', async () => {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'vtl-dedup-codec-'));
  try {
    // Another host, with libzstd, wrote the first cartridge's chunks.
    const withZstd = chooseCodecs({ zstd: loadLibzstd, lz4: loadLiblz4 });
    const chunks = await ChunkStore.open(new LocalStorage(directory), '.dedup', silentLogger(), undefined, 0, undefined, { compression: { codec: 'zstd', level: 3 }, codecs: withZstd });
    const first = cartridge({ barcode: 'A00001L8' });
    const writer = new DedupMediaStore({ directory, log: silentLogger(), chunks });
    await write(writer, first, DATA);
    await new DedupPass(writer, silentLogger()).absorb(first);
    await chunks.close();
    const zstdBlocks = await blocksUsing(directory, await writer.readRecipe(first.barcode), ChunkCodec.ZSTD);
    assert.ok(zstdBlocks.length >= 4 && zstdBlocks.length < DATA.length, `zstd blocks ${zstdBlocks.join(',')}`);

    const { log, lines } = capturingLogger();
    const here = new DedupMediaStore({ directory, log, compressionOf: () => ({ codec: 'zstd', level: 3 }) });
    const medium = await here.open(first);
    const failed: number[] = [];
    for (let block = 0; block < DATA.length; block++) {
      const outcome: Awaited<ReturnType<TapeMedium['read']>> | Error = await medium.read().catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
      if (outcome instanceof MediaFormatError) {
        assert.equal(outcome.objectNumber, block);
        assert.match(outcome.message, /cannot be read: it is zstd-compressed and zstd is unavailable here \(VTL_ZSTD=off\)/);
        failed.push(block);
        await medium.spaceBlocks(1);
      } else {
        if (outcome instanceof Error) throw outcome;
        assert.deepEqual(outcome.kind === 'block' ? Buffer.from(outcome.data) : outcome.kind, DATA[block]);
      }
    }
    await medium.close();
    assert.deepEqual(failed, zstdBlocks);
    assert.ok(lines.some((l) => l.msg === 'unreadable chunk' && /zstd is unavailable here \(VTL_ZSTD=off\)/.test(String(l['err']))));

    const second = cartridge({ barcode: 'A00002L8' });
    await write(here, second, DATA2);
    await new DedupPass(here, log).absorb(second);
    assert.ok(lines.some((l) => l.level === 40 && l.msg.startsWith('new chunks are compressed with LZ4, not zstd') && l['reason'] === 'VTL_ZSTD=off'));
    const recipe = await here.readRecipe(second.barcode);
    assert.deepEqual(await blocksUsing(directory, recipe, ChunkCodec.ZSTD), []);
    assert.ok((await blocksUsing(directory, recipe, ChunkCodec.LZ4)).length >= 4);
    const again = await here.open(second);
    for (const block of DATA2) {
      const outcome = await again.read();
      assert.deepEqual(outcome.kind === 'block' ? Buffer.from(outcome.data) : outcome.kind, block);
    }
    await again.close();
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});

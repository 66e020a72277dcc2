import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../log.js';
import { LocalStorage } from '../../storage/local-storage.js';
import { MediaFormatError } from '../tape-medium.js';
import { ENTRY_HEADER_BYTES } from './chunk-container.js';
import { ChunkStore } from './chunk-store.js';
import { Recipe } from './recipe.js';
import { RecipeBlockReader } from './recipe-block-reader.js';

/** A stream of 3 chunks (1000, 3000, 2000 bytes) cut into blocks of 1500, 2500, 2000 bytes, and a filemark. */
async function withRecipe(body: (store: ChunkStore, recipe: Recipe, stream: Buffer, directory: string) => Promise<void>): Promise<void> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'vtl-recipe-blocks-'));
  const store = await ChunkStore.open(new LocalStorage(directory), 'chunks', silentLogger());
  try {
    const stream = randomBytes(6000);
    const recipe = new Recipe();
    for (const [from, to] of [[0, 1000], [1000, 4000], [4000, 6000]] as const) recipe.addChunk(await store.put(stream.subarray(from, to)));
    for (const length of [1500, 2500, 2000]) recipe.addBlock(length);
    recipe.addFilemarks(1);
    await store.sync();
    await body(store, recipe, stream, directory);
  } finally {
    await store.close();
    await rm(directory, { recursive: true, force: true });
  }
}

test('RecipeBlockReader puts each block together from the chunks its bytes lie in, and counts what it read', async () => {
  await withRecipe(async (store, recipe, stream) => {
    const reader = new RecipeBlockReader(store, 'A00001L8', silentLogger());
    assert.deepEqual(await reader.read(recipe, 0, 0, 1500), stream.subarray(0, 1500));
    assert.deepEqual(await reader.read(recipe, 1, 1500, 2500), stream.subarray(1500, 4000));
    assert.deepEqual(await reader.read(recipe, 2, 4000, 2000), stream.subarray(4000));
    assert.deepEqual([reader.bytesRead, reader.blocksRead], [6000, 3]);
  });
});

test('RecipeBlockReader fails with MEDIUM ERROR exactly the blocks that use a damaged chunk', async () => {
  await withRecipe(async (store, recipe, stream, directory) => {
    const damaged = recipe.chunks[2];
    assert.ok(damaged);
    const file = await open(path.join(directory, 'chunks', '00000000.vtchunk'), 'r+');
    await file.write(Buffer.from([0xff]), 0, 1, damaged.offset + ENTRY_HEADER_BYTES + 10);
    await file.close();
    const reader = new RecipeBlockReader(store, 'A00001L8', silentLogger());
    assert.deepEqual(await reader.read(recipe, 0, 0, 1500), stream.subarray(0, 1500));
    assert.deepEqual(await reader.read(recipe, 1, 1500, 2500), stream.subarray(1500, 4000));
    await assert.rejects(reader.read(recipe, 2, 4000, 2000), (error: unknown) => error instanceof MediaFormatError && error.objectNumber === 2 && /A00001L8.*payload CRC mismatch/.test(error.message));
    assert.deepEqual([reader.bytesRead, reader.blocksRead], [4000, 2]);
  });
});

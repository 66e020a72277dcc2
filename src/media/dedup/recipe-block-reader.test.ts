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
import { WINDOW_BYTES } from './chunk-reader.js';

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
    assert.deepEqual((await reader.read(recipe, 0, 0, 1500)).data, stream.subarray(0, 1500));
    assert.deepEqual((await reader.read(recipe, 1, 1500, 2500)).data, stream.subarray(1500, 4000));
    assert.deepEqual((await reader.read(recipe, 2, 4000, 2000)).data, stream.subarray(4000));
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
    assert.deepEqual((await reader.read(recipe, 0, 0, 1500)).data, stream.subarray(0, 1500));
    assert.deepEqual((await reader.read(recipe, 1, 1500, 2500)).data, stream.subarray(1500, 4000));
    await assert.rejects(reader.read(recipe, 2, 4000, 2000), (error: unknown) => error instanceof MediaFormatError && error.objectNumber === 2 && /A00001L8.*payload CRC mismatch/.test(error.message));
    assert.deepEqual([reader.bytesRead, reader.blocksRead], [4000, 2]);
  });
});

/** Text-like bytes (stored LZ4-compressed) and random ones (stored raw) in chunks of 700-9000 bytes. */
function mixedChunks(count: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => {
    const length = 700 + ((i * 7919) % 8300);
    return i % 2 === 0 ? Buffer.from('backup tape volume '.repeat(Math.ceil(length / 19)).slice(0, length), 'latin1') : randomBytes(length);
  });
}

test('RecipeBlockReader puts together blocks of LZ4 and raw chunks whatever the order they are read in, each block from its own span', async () => {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'vtl-recipe-blocks-'));
  const store = await ChunkStore.open(new LocalStorage(directory), 'chunks', silentLogger());
  try {
    const chunks = mixedChunks(60);
    const stream = Buffer.concat(chunks);
    const recipe = new Recipe();
    for (const chunk of chunks) recipe.addChunk(await store.put(chunk));
    const spans: { start: number; length: number }[] = [];
    for (let start = 0, i = 0; start < stream.length; i++) {
      const length = Math.min(stream.length - start, [3000, 12000, 1, 5000, 20000][i % 5] ?? 1);
      recipe.addBlock(length);
      spans.push({ start, length });
      start += length;
    }
    await store.sync();
    const reader = new RecipeBlockReader(store, 'A00001L8', silentLogger());
    const order = [...spans.keys(), ...[...spans.keys()].reverse(), 3, 0, 7, 7, 2];
    for (const n of order) {
      const span = spans[n] ?? { start: 0, length: 0 };
      const block = await reader.read(recipe, n, span.start, span.length);
      assert.deepEqual(block.data, stream.subarray(span.start, span.start + span.length), `block ${n}`);
      block.release();
    }
  } finally {
    await store.close();
    await rm(directory, { recursive: true, force: true });
  }
});

test('RecipeBlockReader lends each block and reuses its memory for a later block once it is released', async () => {
  await withRecipe(async (store, recipe, stream) => {
    const reader = new RecipeBlockReader(store, 'A00001L8', silentLogger());
    const first = await reader.read(recipe, 1, 1500, 2500);
    const second = await reader.read(recipe, 0, 0, 1500);
    assert.notEqual(second.data.buffer, first.data.buffer, 'a block still held is not lent again');
    const memory = first.data.buffer;
    first.release();
    const third = await reader.read(recipe, 2, 4000, 2000);
    assert.equal(third.data.buffer, memory);
    assert.deepEqual(third.data, stream.subarray(4000));
  });
});

test('RecipeBlockReader fails both the block that uses part of a damaged chunk and the one that lies wholly in it, and reads the other', async () => {
  await withRecipe(async (store, recipe, stream, directory) => {
    const inside = recipe.chunks[1]; // stream bytes 1000..4000: the end of block 0 (0..1500) and all of block 1 (1500..4000)
    assert.ok(inside);
    const file = await open(path.join(directory, 'chunks', '00000000.vtchunk'), 'r+');
    await file.write(Buffer.from([0xff]), 0, 1, inside.offset + 20); // the header: its CRC fails
    await file.close();
    const reader = new RecipeBlockReader(store, 'A00001L8', silentLogger());
    for (const [n, start, length] of [[0, 0, 1500], [1, 1500, 2500]] as const) {
      await assert.rejects(reader.read(recipe, n, start, length), (error: unknown) => error instanceof MediaFormatError && error.objectNumber === n && /entry header CRC mismatch/.test(error.message));
    }
    assert.deepEqual((await reader.read(recipe, 2, 4000, 2000)).data, stream.subarray(4000));
  });
});

test('RecipeBlockReader fails exactly the blocks that use a damaged chunk in a window read ahead, in a stream of several windows', async () => {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'vtl-recipe-blocks-'));
  const store = await ChunkStore.open(new LocalStorage(directory), 'chunks', silentLogger());
  try {
    const chunks = mixedChunks(800); // ~2 MB stored: the stream needs two or three windows
    const stream = Buffer.concat(chunks);
    const recipe = new Recipe();
    for (const chunk of chunks) recipe.addChunk(await store.put(chunk));
    const BLOCK = 64 * 1024;
    const blocks = Math.ceil(stream.length / BLOCK);
    for (let n = 0; n < blocks; n++) recipe.addBlock(Math.min(BLOCK, stream.length - n * BLOCK));
    await store.sync();
    const damaged = 700;
    const ref = recipe.chunkAt(damaged);
    const file = await open(path.join(directory, 'chunks', '00000000.vtchunk'), 'r+');
    await file.write(Buffer.from([0x5a]), 0, 1, ref.offset + ENTRY_HEADER_BYTES + 10); // a payload byte: its CRC fails
    await file.close();
    const from = recipe.chunkStartAt(damaged);
    const to = from + ref.length;
    const reader = new RecipeBlockReader(store, 'A00001L8', silentLogger());
    let failed = 0;
    for (let n = 0; n < blocks; n++) {
      const start = n * BLOCK;
      const length = Math.min(BLOCK, stream.length - start);
      const usesDamaged = start < to && start + length > from;
      if (usesDamaged) {
        failed++;
        await assert.rejects(reader.read(recipe, n, start, length), (error: unknown) => error instanceof MediaFormatError && error.objectNumber === n, `block ${n}`);
      } else {
        const block = await reader.read(recipe, n, start, length);
        assert.deepEqual(block.data, stream.subarray(start, start + length), `block ${n}`);
        block.release();
      }
    }
    assert.ok(failed >= 1 && failed <= 2);
    assert.ok(ref.offset > WINDOW_BYTES, 'the damaged chunk is past the first window');
  } finally {
    await store.close();
    await rm(directory, { recursive: true, force: true });
  }
});

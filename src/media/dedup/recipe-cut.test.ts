import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../log.js';
import { LocalStorage } from '../../storage/local-storage.js';
import { ChunkStore } from './chunk-store.js';
import { decodeRecipe, Recipe, RECIPE_FILE } from './recipe.js';
import { cutRecipe } from './recipe-cut.js';

async function withStore(body: (store: ChunkStore, storage: LocalStorage, directory: string) => Promise<void>): Promise<void> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'vtl-recipe-cut-'));
  const storage = new LocalStorage(directory);
  await storage.makeFolder('A00001L8');
  const store = await ChunkStore.open(storage, 'chunks', silentLogger());
  try {
    await body(store, storage, directory);
  } finally {
    await store.close();
    await rm(directory, { recursive: true, force: true });
  }
}

test('cutRecipe() erases the data file before it saves the shorter recipe, whose pass is the data file\'s after the erase', async () => {
  await withStore(async (store, storage, directory) => {
    const stream = randomBytes(4000);
    const recipe = new Recipe(1, 3);
    recipe.addChunk(await store.put(stream.subarray(0, 2000)));
    recipe.addChunk(await store.put(stream.subarray(2000)));
    for (let i = 0; i < 2; i++) recipe.addBlock(2000);
    const events: string[] = [];
    let pass = 1;
    const eraseTail = async (): Promise<void> => {
      await assert.rejects(access(path.join(directory, 'A00001L8', RECIPE_FILE)));
      events.push('erased');
      pass = 2;
    };
    const cut = await cutRecipe({ barcode: 'A00001L8', recipe, chunks: store, storage, tailPass: () => pass, eraseTail }, 1);
    assert.deepEqual(events, ['erased']);
    const saved = decodeRecipe(await readFile(path.join(directory, 'A00001L8', RECIPE_FILE)));
    assert.ok(typeof saved !== 'string', typeof saved === 'string' ? saved : '');
    assert.deepEqual([saved.objectCount, saved.absorbedPass, saved.chunks.length], [1, 2, 1]);
    assert.equal(cut.objectCount, 1);
  });
});

test('cutRecipe() inside a chunk stores the used prefix as a chunk of its own and refers to that', async () => {
  await withStore(async (store, storage) => {
    const stream = randomBytes(3000);
    const recipe = new Recipe();
    recipe.addChunk(await store.put(stream));
    for (let i = 0; i < 3; i++) recipe.addBlock(1000);
    const cut = await cutRecipe({ barcode: 'A00001L8', recipe, chunks: store, storage, tailPass: () => 1, eraseTail: () => Promise.resolve() }, 2);
    const last = cut.chunks.at(-1);
    assert.ok(last);
    assert.equal(cut.overhang, 0);
    assert.equal(last.length, 2000);
    assert.deepEqual(await store.get(last), stream.subarray(0, 2000));
    assert.ok(cut.addedStoredBytes > 2000);
  });
});

test('Recipe.chunkIndexAt() finds the chunk of every stream byte, with or without a hint, as a search does', () => {
  const recipe = new Recipe();
  const lengths = [5, 1, 30, 7, 7, 100, 2];
  lengths.forEach((length, i) => recipe.addChunk({ container: 0, offset: i * 200, length }));
  const total = lengths.reduce((a, b) => a + b, 0);
  for (let offset = 0; offset < total; offset++) {
    const expected = recipe.chunksFor(offset, 1)[0]?.start;
    for (const hint of [-1, 0, 2, 3, 6, 9]) {
      const k = recipe.chunkIndexAt(offset, hint);
      assert.equal(recipe.chunkStartAt(k), expected, `offset ${offset}, hint ${hint}`);
      assert.ok(offset < recipe.chunkStartAt(k) + recipe.chunkAt(k).length);
    }
  }
});

test('Recipe.span() answers every object the same in order, backwards and at random (its hint never misleads it)', () => {
  const recipe = new Recipe();
  const objects: ({ kind: 'block'; start: number; length: number } | { kind: 'filemark' })[] = [];
  let stream = 0;
  for (let i = 0; i < 40; i++) {
    if (i % 7 === 3) {
      const count = 1 + (i % 3);
      recipe.addFilemarks(count);
      for (let m = 0; m < count; m++) objects.push({ kind: 'filemark' });
    } else {
      const length = 100 + i;
      recipe.addBlock(length);
      objects.push({ kind: 'block', start: stream, length });
      stream += length;
    }
  }
  const order = [...objects.keys(), ...[...objects.keys()].reverse(), ...objects.keys()].map((n, i) => (i % 3 === 2 ? (n * 17) % objects.length : n));
  for (const n of order) assert.deepEqual(recipe.span(n), objects[n], `object ${n}`);
});

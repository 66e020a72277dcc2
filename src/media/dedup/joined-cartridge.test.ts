import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../log.js';
import { DedupMediaStore } from './dedup-media-store.js';
import { DedupPass } from './dedup-pass.js';
import { JoinedCartridge, recipeUsedBytes } from './joined-cartridge.js';

const BLOCKS = Array.from({ length: 5 }, () => randomBytes(20_000));
const descriptor = { barcode: 'J00001L8', generation: 8, worm: false, capacityBytes: 1024 ** 3 };

/** A cartridge of blocks 0-2 and a filemark in its recipe, blocks 3-4 in its data file, joined. */
async function withJoined(body: (joined: JoinedCartridge) => Promise<void>): Promise<void> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'vtl-joined-'));
  const log = silentLogger();
  const store = new DedupMediaStore({ directory, log });
  try {
    await store.create(descriptor);
    let medium = await store.open(descriptor);
    for (const block of BLOCKS.slice(0, 3)) await medium.write(block, { compress: true });
    await medium.writeFilemarks(1);
    await medium.close();
    await new DedupPass(store, log).absorb(descriptor);
    medium = await store.open(descriptor);
    await medium.spaceToEndOfData();
    for (const block of BLOCKS.slice(3)) await medium.write(block, { compress: true });
    await medium.close();
    const { tail, recipe } = await store.openParts(descriptor);
    try {
      await body(new JoinedCartridge(tail, recipe, await store.chunksFor(descriptor.barcode, recipe), store.storage, log));
    } finally {
      await tail.close();
    }
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

test('JoinedCartridge reads the recipe\'s objects, then the data file\'s, numbering them on from the recipe\'s', async () => {
  await withJoined(async (joined) => {
    assert.equal(joined.recipe.objectCount, 4);
    const kinds: string[] = [];
    for (;;) {
      const outcome = await joined.readObject();
      if (outcome.kind === 'end-of-data') break;
      if (outcome.kind === 'block') assert.deepEqual(outcome.data, BLOCKS[kinds.filter((k) => k === 'block').length]);
      kinds.push(outcome.kind);
    }
    assert.deepEqual(kinds, ['block', 'block', 'block', 'filemark', 'block', 'block']);
    assert.deepEqual(joined.position(), { objectNumber: 6, fileNumber: 1, atEndOfData: true });
  });
});

test('JoinedCartridge cuts the recipe before a write inside it: the data file erased and the recipe shorter', async () => {
  await withJoined(async (joined) => {
    joined.current = 2;
    await joined.beforeWrite();
    assert.equal(joined.recipe.objectCount, 2);
    assert.equal(joined.tail.endOfData, 0);
    assert.equal(recipeUsedBytes(joined.recipe), 2 * 20_000 + 2 * 28);
    assert.deepEqual(joined.position(), { objectNumber: 2, fileNumber: 0, atEndOfData: true });
  });
});

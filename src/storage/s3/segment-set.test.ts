import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LocalStorage } from '../local-storage.js';
import { CacheSpace } from './cache-space.js';
import { SegmentSet } from './segment-set.js';

const S = 1024;

async function withSet(run: (set: SegmentSet, space: CacheSpace, files: () => Promise<string[]>) => Promise<void>): Promise<void> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'vtl-segment-set-'));
  try {
    const space = new CacheSpace(4 * S, S, () => undefined);
    let names = 0;
    const set = new SegmentSet({ local: new LocalStorage(root), space, nextLocalName: (i) => `${i}.${++names}` }, 'files/A');
    await run(set, space, async () => (await readdir(path.join(root, 'files/A'))).sort());
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

test('a created segment counts in the cache and has its bytes on disk, and dropping it removes both', async () => {
  await withSet(async (set, space, files) => {
    const segment = await set.create(0, Buffer.from('abc'), true);
    assert.ok(segment !== undefined);
    set.add(segment);
    segment.unpin();
    assert.equal(space.usedBytes, S);
    const back = Buffer.alloc(3);
    await segment.handle.read(back, 0, 3, 0);
    assert.equal(back.toString(), 'abc');
    await set.drop(segment);
    assert.equal(set.has(0), false);
    assert.equal(space.usedBytes, 0);
    assert.deepEqual(await files(), []);
  });
});

test('a read finding the cache full of dirty segments gets no segment and leaves no file behind', async () => {
  await withSet(async (set, space, files) => {
    for (let i = 0; i < 4; i++) {
      const s = await set.create(i, Buffer.alloc(0), true);
      assert.ok(s);
      s.dirty = true;
      set.add(s);
      s.unpin();
    }
    assert.equal(await set.create(9, Buffer.from('x'), false), undefined);
    assert.equal(space.usedBytes, 4 * S);
    assert.deepEqual(await files(), ['0.1', '1.2', '2.3', '3.4']);
  });
});

test('eviction takes the least recently used clean segment out of the set, the cache and the disk together', async () => {
  await withSet(async (set, _space, files) => {
    for (let i = 0; i < 4; i++) {
      const s = await set.create(i, Buffer.alloc(0), true);
      assert.ok(s);
      s.dirty = i !== 1;
      set.add(s);
      s.unpin();
    }
    const fifth = await set.create(4, Buffer.alloc(0), true);
    assert.ok(fifth);
    assert.equal(set.has(1), false);
    assert.ok(!(await files()).includes('1.2'));
  });
});

test('swap hands back the old segments still on disk, and release closes every file but leaves it for the journal', async () => {
  await withSet(async (set, space, files) => {
    const old = await set.create(0, Buffer.from('old'), true);
    assert.ok(old);
    set.add(old);
    const fresh = await set.create(0, Buffer.from('new'), true);
    assert.ok(fresh);
    assert.deepEqual(set.swap([fresh]), [old]);
    assert.equal(set.get(0), fresh);
    assert.deepEqual(await files(), ['0.1', '0.2'], 'the old file stays until its discard');
    await set.discard(old);
    await set.release();
    assert.equal(set.has(0), false);
    assert.equal(space.usedBytes, 0);
    assert.deepEqual(await files(), ['0.2']);
    assert.deepEqual([...set.dirty()], []);
  });
});

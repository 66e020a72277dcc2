import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { FREE_SHARED_SLABS, FREE_SLABS, SlabLender } from './slab-lender.js';

describe('SlabLender', () => {
  test('a slab given back is lent again for a request it fits without wasting more than half', () => {
    const lender = new SlabLender();
    const first = lender.lend(256 * 1024);
    lender.recycle(first.buffer);
    assert.equal(lender.lend(200 * 1024).buffer, first.buffer);
    lender.recycle(first.buffer);
    // 100 KiB would leave more than half of the 256 KiB slab unused: a new slab instead.
    assert.notEqual(lender.lend(100 * 1024).buffer, first.buffer);
    assert.equal(lender.kept.plain, 1);
  });

  test('a lent buffer has exactly the length asked for', () => {
    const lender = new SlabLender();
    const slab = lender.lend(1000);
    lender.recycle(slab.buffer);
    assert.equal(lender.lend(600).length, 600);
    assert.equal(lender.lendShared(0).length, 0);
  });

  test('plain and shared slabs go back to their own lists and are never lent as the other kind', () => {
    const lender = new SlabLender();
    const plain = lender.lend(4096);
    const shared = lender.lendShared(4096);
    assert.ok(shared.buffer instanceof SharedArrayBuffer);
    assert.ok(!(plain.buffer instanceof SharedArrayBuffer));
    lender.recycle(plain.buffer);
    lender.recycle(shared.buffer);
    assert.deepEqual(lender.kept, { plain: 1, shared: 1 });
    assert.equal(lender.lendShared(4096).buffer, shared.buffer);
    assert.equal(lender.lend(4096).buffer, plain.buffer);
  });

  test('recycle() ignores memory it did not lend (a caller buffer, Node pool memory)', () => {
    const lender = new SlabLender();
    lender.recycle(new ArrayBuffer(4096));
    lender.recycle(Buffer.from('pool memory').buffer);
    lender.recycle(new SharedArrayBuffer(4096));
    assert.deepEqual(lender.kept, { plain: 0, shared: 0 });
  });

  test('a slab given back twice is kept once, so it can never be lent to two callers', () => {
    const lender = new SlabLender();
    const slab = lender.lend(4096);
    lender.recycle(slab.buffer);
    lender.recycle(slab.buffer);
    assert.equal(lender.kept.plain, 1);
    const a = lender.lend(4096);
    const b = lender.lend(4096);
    assert.notEqual(a.buffer, b.buffer);
  });

  test('a releaser gives its slab back once however often it is called', () => {
    const lender = new SlabLender();
    const slab = lender.lend(4096);
    const release = lender.releaser(slab.buffer);
    release();
    assert.equal(lender.lend(4096).buffer, slab.buffer);
    release();
    assert.equal(lender.kept.plain, 0);
  });

  test(`at most ${FREE_SLABS} plain and ${FREE_SHARED_SLABS} shared slabs are kept`, () => {
    const lender = new SlabLender();
    const lent = Array.from({ length: FREE_SLABS + 2 }, () => lender.lend(4096));
    const shared = Array.from({ length: FREE_SHARED_SLABS + 2 }, () => lender.lendShared(4096));
    for (const b of [...lent, ...shared]) lender.recycle(b.buffer);
    assert.deepEqual(lender.kept, { plain: FREE_SLABS, shared: FREE_SHARED_SLABS });
  });

  test('after close() nothing is kept, and a slab released later is not taken back', () => {
    const lender = new SlabLender();
    const kept = lender.lend(4096);
    const stillLent = lender.lend(4096);
    lender.recycle(kept.buffer);
    lender.close();
    assert.deepEqual(lender.kept, { plain: 0, shared: 0 });
    lender.releaser(stillLent.buffer)();
    assert.deepEqual(lender.kept, { plain: 0, shared: 0 });
  });
});

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { BufferPool, MAX_FREE_BYTES, MIN_POOLED_BYTES } from './buffer-pool.js';

describe('BufferPool', () => {
  test('a released buffer is lent again for the next command of a size in the same class', () => {
    const pool = new BufferPool();
    const first = pool.acquire(256 * 1024);
    assert.equal(first.length, 256 * 1024);
    first.fill(7);
    pool.release(first);
    assert.equal(pool.heldBytes, 256 * 1024);
    const second = pool.acquire(200 * 1024);
    assert.equal(second.length, 200 * 1024);
    assert.equal(second.buffer, first.buffer, 'the same memory is reused');
    assert.equal(pool.heldBytes, 0);
  });

  test('a buffer still lent is never handed out twice', () => {
    const pool = new BufferPool();
    const a = pool.acquire(MIN_POOLED_BYTES);
    const b = pool.acquire(MIN_POOLED_BYTES);
    assert.notEqual(a.buffer, b.buffer);
    pool.release(a);
    pool.release(a);
    const c = pool.acquire(MIN_POOLED_BYTES);
    const d = pool.acquire(MIN_POOLED_BYTES);
    assert.equal(c.buffer, a.buffer);
    assert.notEqual(d.buffer, a.buffer, 'a double release does not lend the slab twice');
  });

  test('small buffers, foreign buffers and undefined are not pooled', () => {
    const pool = new BufferPool();
    const small = pool.acquire(512);
    assert.equal(small.length, 512);
    pool.release(small);
    pool.release(Buffer.alloc(MIN_POOLED_BYTES));
    pool.release(undefined);
    assert.equal(pool.heldBytes, 0);
  });

  test('the free slabs a session keeps are bounded', () => {
    const pool = new BufferPool();
    const lent = Array.from({ length: 8 }, () => pool.acquire(4 * 1024 * 1024));
    for (const b of lent) pool.release(b);
    assert.ok(pool.heldBytes <= MAX_FREE_BYTES);
    assert.equal(pool.heldBytes, MAX_FREE_BYTES);
  });

  test('dispose() frees the free slabs at once; a slab still lent is not pooled when it comes back', () => {
    const pool = new BufferPool();
    const a = pool.acquire(256 * 1024);
    const b = pool.acquire(256 * 1024);
    pool.release(a);
    assert.equal(pool.heldBytes, 256 * 1024);
    pool.dispose();
    assert.equal(pool.heldBytes, 0);
    assert.equal(a.buffer.byteLength, 0, 'the free slab was detached (its memory returned)');
    assert.equal(b.length, 256 * 1024, 'the lent one is untouched');
    pool.release(b);
    assert.equal(pool.heldBytes, 0);
    assert.equal(b.buffer.byteLength, 256 * 1024);
  });
});

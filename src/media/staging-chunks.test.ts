import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StagingChunks, STAGING_CHUNK_BYTES, STAGING_CHUNKS } from './staging-chunks.js';

test('staging chunks are made up to STAGING_CHUNKS and then only given back ones are lent again', () => {
  const chunks = new StagingChunks();
  const taken = Array.from({ length: STAGING_CHUNKS }, () => chunks.take());
  assert.ok(taken.every((b) => b?.length === STAGING_CHUNK_BYTES));
  assert.equal(new Set(taken).size, STAGING_CHUNKS);
  assert.equal(chunks.take(), undefined);
  chunks.give(taken[1]!);
  assert.equal(chunks.take(), taken[1]);
  assert.equal(chunks.take(), undefined);
});

test('after release the pool makes new chunks again, up to the same limit', () => {
  const chunks = new StagingChunks();
  const taken = Array.from({ length: STAGING_CHUNKS }, () => chunks.take()!);
  for (const b of taken) chunks.give(b);
  chunks.release();
  const again = Array.from({ length: STAGING_CHUNKS }, () => chunks.take());
  assert.ok(again.every((b) => b !== undefined && !taken.includes(b)));
  assert.equal(chunks.take(), undefined);
});

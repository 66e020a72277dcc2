import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CacheSpace, type Evictable } from './cache-space.js';

const S = 100;

function segment(dirty: boolean): Evictable & { dirty: boolean } {
  return { dirty, pins: 1, lastUsed: 0, evict: () => Promise.resolve() };
}

test('the cache presses uploads once three quarters of it hold data not yet uploaded', async () => {
  const space = new CacheSpace(8 * S, S, () => undefined);
  const segments = Array.from({ length: 8 }, () => segment(false));
  for (const s of segments) assert.equal(await space.admit(s, true), true);
  for (let i = 0; i < 5; i++) segments[i].dirty = true;
  assert.equal(space.pressed(), false, 'five of eight dirty');
  segments[5].dirty = true;
  assert.equal(space.pressed(), true, 'six of eight dirty');
});

test('a writer waiting for room presses uploads however little is dirty, and gets its room once a segment is clean', async () => {
  const space = new CacheSpace(4 * S, S, () => undefined);
  const held = Array.from({ length: 4 }, (_, i) => segment(i === 0));
  for (const s of held) await space.admit(s, true);
  assert.equal(space.pressed(), false);
  const waiting = space.admit(segment(true), true);
  await new Promise(setImmediate);
  assert.equal(space.pressed(), true);
  held[0].dirty = false;
  (held[0] as { pins: number }).pins = 0;
  space.changed();
  assert.equal(await waiting, true);
  assert.equal(space.pressed(), false);
});

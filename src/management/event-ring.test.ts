import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventRing } from './event-ring.js';

const fill = (ring: EventRing<{ id: number }>, from: number, to: number): void => {
  for (let id = from; id <= to; id++) ring.push({ id });
};

test('an empty ring holds nothing: newest 0, oldest 1', () => {
  const ring = new EventRing<{ id: number }>(4);
  assert.deepEqual([ring.oldestId, ring.newestId], [1, 0]);
  assert.equal(ring.get(1), undefined);
  assert.deepEqual(ring.after(0, 10), []);
});

test('the ring keeps the newest `capacity` events and forgets older ones', () => {
  const ring = new EventRing<{ id: number }>(4);
  fill(ring, 1, 10);
  assert.deepEqual([ring.oldestId, ring.newestId], [7, 10]);
  assert.equal(ring.get(6), undefined);
  assert.deepEqual(ring.get(7), { id: 7 });
  assert.deepEqual(ring.get(10), { id: 10 });
  assert.equal(ring.get(11), undefined);
});

test('after() returns the events above an id, oldest first, cut to the newest `limit`', () => {
  const ring = new EventRing<{ id: number }>(4);
  fill(ring, 1, 10);
  assert.deepEqual(ring.after(8, 10).map((e) => e.id), [9, 10]);
  assert.deepEqual(ring.after(0, 10).map((e) => e.id), [7, 8, 9, 10]);
  assert.deepEqual(ring.after(0, 3).map((e) => e.id), [8, 9, 10]);
  assert.deepEqual(ring.after(10, 3), []);
});

test('push() refuses an id that does not follow the newest (a gap would make resume points lie)', () => {
  const ring = new EventRing<{ id: number }>(4);
  fill(ring, 1, 2);
  assert.throws(() => ring.push({ id: 4 }), /event 4 does not follow event 2/);
  assert.throws(() => new EventRing(0), RangeError);
});

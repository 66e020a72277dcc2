import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SharedWriteBudget, WriteBuffers } from './write-buffers.js';

const MiB = 1024 * 1024;

test('sessions sharing a process write budget cannot together hold more than it, whatever their own budgets', () => {
  const shared = new SharedWriteBudget(3 * MiB);
  const a = new WriteBuffers(8 * MiB, shared);
  const b = new WriteBuffers(8 * MiB, shared);
  const first = a.acquire(2 * MiB);
  a.hold(first);
  assert.equal(a.canBuffer(2 * MiB), false, 'the shared budget has only 1 MiB left');
  assert.equal(b.canBuffer(1 * MiB), true);
  assert.equal(b.canBuffer(1 * MiB + 1), false);
  a.release(first);
  assert.equal(b.canBuffer(3 * MiB), true);
  assert.equal(shared.held, 0);
});

test('a session that ends gives back to the shared budget what its tasks still held', () => {
  const shared = new SharedWriteBudget(4 * MiB);
  const ending = new WriteBuffers(8 * MiB, shared);
  ending.hold(ending.acquire(3 * MiB));
  assert.equal(shared.held, 3 * MiB);
  ending.dispose();
  assert.equal(shared.held, 0);
  assert.equal(new WriteBuffers(8 * MiB, shared).canBuffer(4 * MiB), true);
});

test('a session keeps its own budget below the shared one', () => {
  const session = new WriteBuffers(1 * MiB, new SharedWriteBudget(64 * MiB));
  assert.equal(session.canBuffer(1 * MiB), true);
  assert.equal(session.canBuffer(1 * MiB + 1), false);
});

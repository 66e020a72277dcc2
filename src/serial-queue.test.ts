import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SerialQueue } from './serial-queue.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test('SerialQueue runs operations one at a time in the order they were queued', async () => {
  const queue = new SerialQueue();
  const events: string[] = [];
  const gate = deferred();
  const first = queue.run(async () => {
    events.push('first start');
    await gate.promise;
    events.push('first end');
    return 1;
  });
  const second = queue.run(async () => {
    events.push('second start');
    return 2;
  });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(events, ['first start']);
  assert.equal(queue.pending, 2);
  gate.resolve();
  assert.deepEqual(await Promise.all([first, second]), [1, 2]);
  assert.deepEqual(events, ['first start', 'first end', 'second start']);
  assert.equal(queue.pending, 0);
});

test('SerialQueue delivers a rejection only to its own caller and runs the next operation', async () => {
  const queue = new SerialQueue();
  const failing = queue.run(async () => {
    throw new Error('boom');
  });
  const throwingSync = queue.run(() => {
    throw new Error('sync boom');
  });
  const next = queue.run(async () => 'ran');
  await assert.rejects(failing, /boom/);
  await assert.rejects(throwingSync, /sync boom/);
  assert.equal(await next, 'ran');
});

test('SerialQueue.idle() waits for what was queued before it and never rejects', async () => {
  const queue = new SerialQueue();
  const gate = deferred();
  let done = false;
  const failing = queue.run(async () => {
    await gate.promise;
    done = true;
    throw new Error('late failure');
  });
  failing.catch(() => undefined);
  const idle = queue.idle();
  gate.resolve();
  await idle;
  assert.equal(done, true);
});

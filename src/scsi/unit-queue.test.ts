import assert from 'node:assert/strict';
import { test } from 'node:test';
import { senseOf } from './sense.js';
import { UnitQueue } from './unit-queue.js';

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

test('UnitQueue runs a command after a failed one, and the failure reaches only its own caller', async () => {
  const queue = new UnitQueue();
  const failed = queue.run(() => Promise.reject(new Error('medium error')));
  const next = queue.run(() => 'next');
  await assert.rejects(failed, /medium error/);
  assert.equal(await next, 'next');
});

test('UnitQueue runs IMMED work after the command that queued it and before any command queued later', async () => {
  const queue = new UnitQueue();
  const events: string[] = [];
  const slow = gate();
  const command = queue.run(() => {
    events.push('rewind command');
    queue.background(async () => {
      await slow.promise;
      events.push('rewind work');
    }, () => senseOf('INTERNAL_TARGET_FAILURE'));
  });
  const later = queue.run(() => events.push('read'));
  await command;
  assert.deepEqual(events, ['rewind command']);
  slow.open();
  await later;
  assert.deepEqual(events, ['rewind command', 'rewind work', 'read']);
});

test('UnitQueue keeps a failed IMMED operation as the deferred error, reported once, and rejects no one', async () => {
  const queue = new UnitQueue();
  await queue.run(() => {
    queue.background(() => Promise.reject(new Error('write failed')), () => senseOf('WRITE_ERROR'));
  });
  const seen = await queue.run(() => queue.takeDeferred());
  assert.equal(seen?.asc, senseOf('WRITE_ERROR').asc);
  assert.equal(await queue.run(() => queue.takeDeferred()), undefined);
});

test('UnitQueue forgets a deferred error that clearDeferred drops (a new cartridge)', async () => {
  const queue = new UnitQueue();
  queue.background(() => Promise.reject(new Error('lost')), () => senseOf('WRITE_ERROR'));
  await queue.idle();
  queue.clearDeferred();
  assert.equal(queue.takeDeferred(), undefined);
});

test('UnitQueue reports INTERNAL TARGET FAILURE when turning an IMMED failure into sense fails too', async () => {
  const queue = new UnitQueue();
  queue.background(() => Promise.reject(new Error('lost')), () => {
    throw new Error('a bug in the mapping');
  });
  await queue.idle();
  assert.equal(queue.takeDeferred()?.asc, senseOf('INTERNAL_TARGET_FAILURE').asc);
});

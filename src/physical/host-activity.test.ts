import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HostActivity, isHostIoCommand } from './host-activity.js';

test('isHostIoCommand() counts commands that move the tape or its data, not status polling', () => {
  for (const name of ['READ(6)', 'WRITE(16)', 'WRITE FILEMARKS(6)', 'SPACE(6)', 'LOCATE(10)', 'VERIFY(6)', 'REWIND', 'ERASE', 'LOAD UNLOAD']) assert.ok(isHostIoCommand(name), name);
  for (const name of ['TEST UNIT READY', 'INQUIRY', 'LOG SENSE', 'MODE SENSE(6)', 'READ POSITION', 'READ BLOCK LIMITS', 'REQUEST SENSE', 'READ ATTRIBUTE', 'UNSUPPORTED']) assert.ok(!isHostIoCommand(name), name);
});

test('HostActivity measures quiet time per library from the last I/O command, and tells its listeners at once', () => {
  let now = 1000;
  const activity = new HostActivity(() => now);
  const heard: string[] = [];
  activity.on((library) => heard.push(library));
  now = 5000;
  assert.equal(activity.quietMs('lib0', 0), 5000, 'no I/O since the start');
  activity.commandDone('lib0', 'TEST UNIT READY');
  assert.equal(activity.quietMs('lib0', 0), 5000, 'polling is not I/O');
  activity.commandDone('lib0', 'WRITE(6)');
  now = 5400;
  assert.equal(activity.quietMs('lib0', 0), 400);
  assert.equal(activity.quietMs('lib1', 0), 5400, 'the other library stays quiet');
  assert.deepEqual(heard, ['lib0']);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DriveLanes } from './drive-lanes.js';

test('DriveLanes lets maxDrives jobs run on one library and tells the next how many run', () => {
  const lanes = new DriveLanes<string>(2);
  assert.deepEqual(lanes.take('tgt', 'a'), { taken: true });
  assert.deepEqual(lanes.take('tgt', 'b'), { taken: true });
  assert.deepEqual(lanes.take('tgt', 'c'), { taken: false, running: 2 });
  assert.deepEqual(lanes.take('other', 'd'), { taken: true }, 'each library has its own lanes');
  assert.equal(lanes.running('tgt'), 2);
});

test('DriveLanes hands every waiter out once when a lane is given back, and forgets a waiter that gave up', () => {
  const lanes = new DriveLanes<string>(1);
  lanes.take('tgt', 'a');
  lanes.take('tgt', 'b');
  lanes.take('tgt', 'c');
  lanes.take('tgt', 'd');
  lanes.forget('c');
  assert.deepEqual(lanes.release('tgt'), ['b', 'd']);
  assert.equal(lanes.running('tgt'), 0);
  assert.deepEqual(lanes.release('tgt'), [], 'handed out once');
  assert.equal(lanes.running('tgt'), 0, 'never below zero');
});

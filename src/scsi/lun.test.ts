import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeLun, encodeLun } from './lun.js';

test('encodeLun uses peripheral addressing below 256 and flat space above', () => {
  assert.deepEqual([...encodeLun(5)], [0, 5, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...encodeLun(0x123)], [0x41, 0x23, 0, 0, 0, 0, 0, 0]);
});

test('decodeLun reverses encodeLun and refuses multi-level and well-known forms', () => {
  for (const lun of [0, 1, 255, 256, 0x3fff]) assert.equal(decodeLun(encodeLun(lun)), lun);
  assert.equal(decodeLun(Buffer.from([0, 1, 0, 2, 0, 0, 0, 0])), undefined);
  assert.equal(decodeLun(Buffer.from([0xc1, 1, 0, 0, 0, 0, 0, 0])), undefined);
});

test('encodeLun refuses LUNs outside the flat space', () => {
  assert.throws(() => encodeLun(0x4000), RangeError);
  assert.throws(() => encodeLun(-1), RangeError);
});

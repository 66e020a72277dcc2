import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MediaFormatError, MediaWriteError, StorageFullError } from '../tape-medium.js';
import { shiftTailError } from './tail-errors.js';

test('shiftTailError() moves the object numbers of the data file\'s errors by the recipe\'s object count, keeping their kind', () => {
  const full = shiftTailError(new StorageFullError('full', 'ENOSPC', 4), 10);
  assert.ok(full instanceof StorageFullError);
  assert.deepEqual([full.message, full.code, full.endOfData], ['full', 'ENOSPC', 14]);
  const write = shiftTailError(new MediaWriteError('lost', 'EIO', 2, 3), 10);
  assert.ok(write instanceof MediaWriteError && !(write instanceof StorageFullError));
  assert.deepEqual([write.endOfData, write.lostAcknowledged], [12, 3]);
  const format = shiftTailError(new MediaFormatError('bad record', 7), 10);
  assert.ok(format instanceof MediaFormatError);
  assert.equal(format.objectNumber, 17);
});

test('shiftTailError() returns other errors, and every error of a cartridge without a recipe, unchanged', () => {
  const other = new RangeError('no');
  assert.equal(shiftTailError(other, 10), other);
  const format = new MediaFormatError('bad record', 7);
  assert.equal(shiftTailError(format, 0), format);
});

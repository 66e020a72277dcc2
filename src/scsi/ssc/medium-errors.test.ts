import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../log.js';
import { MediaWriteError, StorageFullError } from '../../media/tape-medium.js';
import { mediumErrorToSense } from './medium-errors.js';

const ctx = { log: silentLogger(), drive: 'drive0' };

test('a write refused because the storage is full is a current DATA PROTECT 27/07 (space allocation failed), not a deferred medium error', () => {
  const { sense } = mediumErrorToSense(new StorageFullError('no space', 'ENOSPC'), ctx);
  assert.deepEqual([sense.key, sense.asc, sense.ascq, sense.deferred ?? false], [0x7, 0x27, 0x07, false]);
});

test('acknowledged records lost by a failed write are a deferred MEDIUM ERROR counting them, even when the disk is full', () => {
  const { sense } = mediumErrorToSense(new MediaWriteError('no space', 'ENOSPC', 3), ctx);
  assert.deepEqual([sense.key, sense.asc, sense.ascq, sense.deferred, sense.information], [0x3, 0x0c, 0x00, true, 3]);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../log.js';
import { MediaWriteError, StorageFullError } from '../../media/tape-medium.js';
import { mediumErrorToSense } from './medium-errors.js';

const ctx = { log: silentLogger(), drive: 'drive0' };

test('a write refused because the storage is full is a current DATA PROTECT 27/07 (space allocation failed), not a deferred medium error', () => {
  const { sense } = mediumErrorToSense(new StorageFullError('no space', 'ENOSPC', 0), ctx);
  assert.deepEqual([sense.key, sense.asc, sense.ascq, sense.deferred ?? false], [0x7, 0x27, 0x07, false]);
});

test('acknowledged records lost by a failed write are a deferred MEDIUM ERROR counting them, even when the disk is full', () => {
  const { sense } = mediumErrorToSense(new MediaWriteError('no space', 'ENOSPC', 0, 3), ctx);
  assert.deepEqual([sense.key, sense.asc, sense.ascq, sense.deferred, sense.information], [0x3, 0x0c, 0x00, true, 3]);
});

// A fixed WRITE of 10 blocks starting at object 5, its residue in blocks.
const fixedWrite = { firstObject: 5, residueAfter: (written: number) => 10 - Math.min(written, 10) };

test('a write command failing counts in its deferred error only the objects of earlier commands, not its own', () => {
  // The medium had acknowledged 5 + 4 objects (the earlier commands' and four blocks of this one); end of data is now 2.
  const { sense } = mediumErrorToSense(new MediaWriteError('I/O error', 'EIO', 2, 7), { ...ctx, command: fixedWrite });
  assert.deepEqual([sense.key, sense.asc, sense.deferred, sense.information], [0x3, 0x0c, true, 3]);
});

test('a write command whose own objects are all that was lost is a current MEDIUM ERROR with the residue of what it kept', () => {
  const { sense } = mediumErrorToSense(new MediaWriteError('I/O error', 'EIO', 8, 4), { ...ctx, command: fixedWrite });
  assert.deepEqual([sense.key, sense.asc, sense.deferred ?? false, sense.information], [0x3, 0x0c, false, 7]);
  const none = mediumErrorToSense(new MediaWriteError('I/O error', 'EIO', 5, 4), { ...ctx, command: fixedWrite }).sense;
  assert.deepEqual([none.deferred ?? false, none.information], [false, 10]);
});

test('a full disk met by the flush of a write command after its objects were kept is a MEDIUM ERROR with the residue, not a refusal', () => {
  const { sense } = mediumErrorToSense(new StorageFullError('no space', 'ENOSPC', 15), { ...ctx, command: fixedWrite });
  assert.deepEqual([sense.key, sense.asc, sense.deferred ?? false, sense.information], [0x3, 0x0c, false, 0]);
  const refused = mediumErrorToSense(new StorageFullError('no space', 'ENOSPC', 5), { ...ctx, command: fixedWrite }).sense;
  assert.deepEqual([refused.key, refused.asc, refused.ascq], [0x7, 0x27, 0x07]);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isNoSpaceCode, MediaWriteError, StorageFullError } from './media-errors.js';
import * as TapeMediumExports from './tape-medium.js';

test('a StorageFullError is a MediaWriteError that lost nothing acknowledged', () => {
  const error = new StorageFullError('Cannot store the block: the disk is full', 'ENOSPC', 7);
  assert.ok(error instanceof MediaWriteError);
  assert.equal(error.name, 'StorageFullError');
  assert.equal(error.endOfData, 7);
  assert.equal(error.lostAcknowledged, 0);
});

test('isNoSpaceCode() names the disk and the quota running out, and no other error', () => {
  assert.equal(isNoSpaceCode('ENOSPC'), true);
  assert.equal(isNoSpaceCode('EDQUOT'), true);
  for (const code of ['EIO', 'EROFS', 'EFBIG', undefined]) assert.equal(isNoSpaceCode(code), false, String(code));
});

test('tape-medium.ts still exports the error classes, so importers of the old place get the same classes', () => {
  assert.equal(TapeMediumExports.MediaWriteError, MediaWriteError);
  assert.equal(TapeMediumExports.StorageFullError, StorageFullError);
});

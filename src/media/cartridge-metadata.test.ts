import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeMetadata, emptyLifetime } from './cartridge-metadata.js';

// A metadata file as cartridges written before the retention field existed have it (hand-written, not encoded).
const oldFile = {
  format: 1,
  barcode: 'A00001L8',
  generation: 8,
  worm: false,
  capacityBytes: 1000,
  pass: 0,
  loadCount: 3,
  lifetime: emptyLifetime(),
  attributes: {},
  createdAt: '2026-01-01T00:00:00.000Z',
};
const lock = { mode: 'governance', startedAt: '2026-01-01T00:00:00.000Z', until: '2026-02-01T00:00:00.000Z', setBy: 'policy' };

test('a metadata file without a retention field (an older cartridge) reads as a cartridge without a lock', () => {
  const decoded = decodeMetadata(Buffer.from(JSON.stringify(oldFile)));
  assert.equal(typeof decoded, 'object');
  assert.equal(typeof decoded === 'object' ? decoded.retention : 'unreadable', undefined);
});

test('a metadata file with a retention lock reads it back', () => {
  const decoded = decodeMetadata(Buffer.from(JSON.stringify({ ...oldFile, retention: lock })));
  assert.deepEqual(typeof decoded === 'object' ? decoded.retention : decoded, lock);
});

test('a retention lock with an unknown mode makes the metadata file unusable, naming the field', () => {
  const decoded = decodeMetadata(Buffer.from(JSON.stringify({ ...oldFile, retention: { ...lock, mode: 'none' } })));
  assert.match(typeof decoded === 'string' ? decoded : 'decoded', /retention\.mode/);
});

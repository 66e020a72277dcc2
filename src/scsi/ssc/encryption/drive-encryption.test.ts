import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../../log.js';
import { sealRecord, type BlockKey } from '../../../media/crypto/record-envelope.js';
import type { ReadOutcome } from '../../../media/tape-medium.js';
import { SenseError } from '../../sense.js';
import { DriveEncryption } from './drive-encryption.js';
import { DecryptionMode, EncryptionMode, EncryptionScope, type SetDataEncryption } from './set-data-encryption-page.js';

const noReservations = { holds: () => false, anotherHolds: () => false, sharedChangedBy: () => undefined };
const place = { objectNumber: 3, pass: 1, logicalLength: 100, compressed: false };
const identity = { salt: Buffer.alloc(16, 5), generation: 1 };

function parameters(decryptionMode: DecryptionMode, key: Buffer): SetDataEncryption {
  return {
    scope: EncryptionScope.LOCAL, lock: false, ceem: 0, rdmc: 0, ckod: false, ckorp: false, ckorl: false,
    encryptionMode: EncryptionMode.DISABLE, decryptionMode, algorithmIndex: 1, kadFormat: 0, key: Buffer.from(key), ukad: Buffer.alloc(0), akad: Buffer.alloc(0),
  };
}

function envelopeOf(block: Buffer, key: Buffer): Buffer {
  const blockKey: BlockKey = { key, ukad: Buffer.alloc(0), akad: Buffer.alloc(0), kadFormat: 0, rawReadDisabled: false };
  return sealRecord(blockKey, block, place, identity);
}

describe('DriveEncryption read keys', () => {
  test('readKey() lends one key object per parameters, only in decryption modes DECRYPT and MIXED', () => {
    const encryption = new DriveEncryption(noReservations, silentLogger());
    encryption.set('a', parameters(DecryptionMode.DECRYPT, Buffer.alloc(32, 1)));
    const lent = encryption.readKey('a');
    assert.ok(lent !== undefined);
    assert.equal(encryption.readKey('a'), lent, 'the same object while the parameters stand');
    assert.equal(encryption.readKey('b'), undefined, 'a nexus without parameters lends nothing');
    encryption.set('a', parameters(DecryptionMode.RAW, Buffer.alloc(32, 1)));
    assert.equal(encryption.readKey('a'), undefined, 'RAW returns the envelope: nothing to open');
    encryption.set('a', parameters(DecryptionMode.MIXED, Buffer.alloc(32, 1)));
    assert.ok(encryption.readKey('a') !== undefined && encryption.readKey('a') !== lent, 'new parameters lend a new key');
  });

  test('forHost() returns what the medium opened with the key the nexus lends, and opens it itself otherwise', () => {
    const encryption = new DriveEncryption(noReservations, silentLogger());
    const key = Buffer.alloc(32, 7);
    const block = Buffer.alloc(100, 0x5a);
    encryption.set('a', parameters(DecryptionMode.DECRYPT, key));
    const lent = encryption.readKey('a');
    assert.ok(lent !== undefined);
    const envelope = envelopeOf(block, key);
    const early = Buffer.alloc(100, 0x33); // not the block: shows which path answered
    const opened: ReadOutcome = { kind: 'encrypted-block', envelope, place, opened: { by: lent, data: early } };
    const fromMedium = encryption.forHost(opened, 'a', 0);
    assert.ok(fromMedium.kind === 'block');
    assert.equal(fromMedium.data, early);
    const stranger = { derive: (salt: Buffer, generation: number) => lent.derive(salt, generation) };
    const other = encryption.forHost({ kind: 'encrypted-block', envelope, place, opened: { by: stranger, data: early } }, 'a', 0);
    assert.ok(other.kind === 'block');
    assert.deepEqual(other.data, block, 'opened with another key object: opened again here');
    assert.throws(
      () => encryption.forHost({ kind: 'encrypted-block', envelope, place, opened: { by: lent, refused: 'incorrect-key' } }, 'a', 9),
      (error: unknown) => error instanceof SenseError && error.sense.asc === 0x74 && error.sense.ascq === 0x03,
    );
  });
});

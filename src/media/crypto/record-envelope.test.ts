import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, hkdfSync } from 'node:crypto';
import {
  decodeEnvelope, deriveRecordKey, ENVELOPE_FIXED_BYTES, KeyDeriver, keyMatches, openRecord, recordNonce, sealRecord,
  type BlockKey, type RecordPlace, type SealingIdentity,
} from './record-envelope.js';

const hostKey = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
const key: BlockKey = { key: hostKey, ukad: Buffer.from('tape1'), akad: Buffer.from('ab'), kadFormat: 2, rawReadDisabled: false };
const identity: SealingIdentity = { salt: Buffer.from(Array.from({ length: 16 }, (_, i) => 0xa0 + i)), generation: 7 };
const place: RecordPlace = { objectNumber: 3, pass: 1, logicalLength: 5, compressed: false };
const payload = Buffer.from('hello');

describe('record envelope (FORMAT.md "Encrypted records")', () => {
  test('sealRecord() lays out the envelope as FORMAT.md says: a known answer built with node:crypto directly', () => {
    // Independent of the code under test: HKDF and AES-256-GCM called by hand with the documented inputs.
    const info = Buffer.concat([Buffer.from('vtl record key v1', 'latin1'), Buffer.from([0, 0, 0, 7])]);
    const okm = Buffer.from(hkdfSync('sha256', hostKey, identity.salt, info, 36));
    const header = Buffer.concat([
      Buffer.from([1, 1, 5, 2, 2, 0, 0, 0]), // version, algorithm index, U-KAD and A-KAD lengths, KAD format, flags, reserved
      Buffer.from([7, 0, 0, 0]), // generation, little-endian
      identity.salt,
      okm.subarray(32, 36), // key check
    ]);
    const nonce = Buffer.from([0, 0, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0]);
    const cipher = createCipheriv('aes-256-gcm', okm.subarray(0, 32), nonce);
    cipher.setAAD(Buffer.concat([header, Buffer.from('ab'), Buffer.from([0, 0, 0, 0, 0, 3, 0, 0, 0, 5, 0])]));
    const body = Buffer.concat([cipher.update(payload), cipher.final()]);
    const expected = Buffer.concat([header, cipher.getAuthTag(), Buffer.from('tape1'), Buffer.from('ab'), body]);
    const sealed = sealRecord(key, payload, place, identity);
    assert.equal(sealed.toString('hex'), expected.toString('hex'));
    assert.equal(sealed.length, ENVELOPE_FIXED_BYTES + 5 + 2 + 5);
    // And pinned, so the layout cannot drift with node:crypto either.
    assert.equal(sealed.toString('hex'), '010105020200000007000000a0a1a2a3a4a5a6a7a8a9aaabacadaeafba4da25512b077d91c4421d4b045999f848aacd6746170653161625456c5f7ad');
    assert.deepEqual(recordNonce(place), nonce);
  });

  test('the derived key is pinned: HKDF-SHA256 of the RFC 5869 shape, first 32 bytes the AES key, next 4 the check', () => {
    const derived = deriveRecordKey(hostKey, identity.salt, 7);
    assert.equal(derived.aesKey.length, 32);
    assert.equal(derived.check.length, 4);
    assert.notDeepEqual(deriveRecordKey(hostKey, identity.salt, 8).aesKey, derived.aesKey, 'another generation, another key');
    const otherSalt = Buffer.from(identity.salt);
    otherSalt[0] ^= 1;
    assert.notDeepEqual(deriveRecordKey(hostKey, otherSalt, 7).aesKey, derived.aesKey, 'another cartridge, another key');
  });

  test('openRecord() gives the payload back with the right key and place', () => {
    const sealed = sealRecord(key, payload, place, identity);
    assert.deepEqual(openRecord(hostKey, sealed, place), payload);
    const info = decodeEnvelope(sealed);
    assert.deepEqual(info && [info.ukad.toString(), info.akad.toString(), info.kadFormat, info.generation], ['tape1', 'ab', 2, 7]);
  });

  test('openRecord() tells a wrong key (key check) from a record moved elsewhere (integrity)', () => {
    const sealed = sealRecord(key, payload, place, identity);
    const wrong = Buffer.from(hostKey);
    wrong[31] ^= 0xff;
    assert.equal(openRecord(wrong, sealed, place), 'incorrect-key');
    assert.equal(keyMatches(wrong, sealed), false);
    assert.equal(keyMatches(hostKey, sealed), true);
    assert.equal(openRecord(hostKey, sealed, { ...place, objectNumber: 4 }), 'integrity');
    assert.equal(openRecord(hostKey, sealed, { ...place, pass: 2 }), 'integrity');
    assert.equal(openRecord(hostKey, sealed, { ...place, logicalLength: 6 }), 'integrity');
    assert.equal(openRecord(hostKey, sealed, { ...place, compressed: true }), 'integrity');
  });

  test('a flipped bit anywhere in the envelope but the unauthenticated U-KAD never opens', () => {
    const sealed = sealRecord(key, payload, place, identity);
    const deriver = new KeyDeriver();
    for (let offset = 0; offset < sealed.length; offset++) {
      const bytes = Buffer.from(sealed);
      bytes[offset] ^= 0x01;
      const opened = openRecord(hostKey, bytes, place, deriver);
      if (offset >= 48 && offset < 53) assert.deepEqual(opened, payload, `U-KAD byte ${offset} is not authenticated (SSC-4)`);
      else assert.equal(typeof opened, 'string', `flip at ${offset} must not open`);
    }
  });

  test('a truncated envelope is malformed, never opened', () => {
    const sealed = sealRecord(key, payload, place, identity);
    for (let length = 0; length < sealed.length; length++) assert.equal(typeof openRecord(hostKey, sealed.subarray(0, length), place), 'string');
  });

  test('no two records under one host key share key and nonce: object, pass, generation and salt all change the ciphertext', () => {
    const block = Buffer.alloc(64, 0x55);
    const seen = new Set<string>();
    const deriver = new KeyDeriver();
    for (const generation of [1, 2]) {
      for (const salt of [identity.salt, Buffer.alloc(16, 1)]) {
        for (let objectNumber = 0; objectNumber < 4; objectNumber++) {
          const sealed = sealRecord(key, block, { objectNumber, pass: 0, logicalLength: 64, compressed: false }, { salt, generation }, deriver);
          seen.add(sealed.subarray(sealed.length - 64).toString('hex'));
        }
      }
    }
    assert.equal(seen.size, 16);
  });

  test('sealRecord() refuses a key of another length and KADs over their limits', () => {
    assert.throws(() => sealRecord({ ...key, key: Buffer.alloc(16) }, payload, place, identity), RangeError);
    assert.throws(() => sealRecord({ ...key, ukad: Buffer.alloc(33) }, payload, place, identity), RangeError);
    assert.throws(() => sealRecord({ ...key, akad: Buffer.alloc(13) }, payload, place, identity), RangeError);
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeSense, senseWords } from './sense-words.js';

test('fixed-format VOLUME OVERFLOW with EOM decodes into the catalogue words', () => {
  // Hand-built fixed sense (SPC-4 4.5.3): 70h, key 0Dh with EOM, INFORMATION 512 valid, ASC/ASCQ 00/02.
  const b = Buffer.from([0xf0, 0, 0x4d, 0, 0, 0x02, 0x00, 10, 0, 0, 0, 0, 0x00, 0x02, 0, 0, 0, 0]);
  const s = decodeSense(b);
  assert.ok(s);
  assert.equal(s.information, 512);
  assert.equal(senseWords(s), 'VOLUME OVERFLOW: VOLUME OVERFLOW END OF PARTITION MEDIUM DETECTED (0d 00/02) [end of medium]');
});

test('descriptor-format MEDIUM ERROR with a filemark flag decodes key, reason and flags', () => {
  const b = Buffer.from([0x72, 0x03, 0x11, 0x00, 0, 0, 0, 8, 0x04, 0x02, 0, 0x80, 0, 0, 0, 0]);
  const s = decodeSense(b);
  assert.ok(s);
  assert.equal(senseWords(s), 'MEDIUM ERROR: UNRECOVERED READ ERROR (03 11/00) [filemark]');
});

test('an unknown response code is not sense data', () => {
  assert.equal(decodeSense(Buffer.from([0x00, 1, 2])), undefined);
});

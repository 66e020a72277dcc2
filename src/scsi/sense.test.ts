import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeSense, Sense, SenseFormat, SenseKey, senseOf } from './sense.js';

describe('encodeSense', () => {
  test('fixed format with a filemark and a positive residue sets VALID, FILEMARK and INFORMATION', () => {
    const b = encodeSense(senseOf('FILEMARK_DETECTED', { filemark: true, information: 3 }), SenseFormat.FIXED);
    assert.deepEqual(
      [...b],
      [0xf0, 0, 0x80, 0, 0, 0, 3, 10, 0, 0, 0, 0, 0x00, 0x01, 0, 0, 0, 0],
    );
  });

  test('fixed format carries a negative ILI residue as 32-bit two\'s complement with VALID', () => {
    const b = encodeSense(senseOf('NO_ADDITIONAL_SENSE_INFORMATION', { ili: true, information: -4096 }), SenseFormat.FIXED);
    assert.equal(b[0], 0xf0);
    assert.equal(b[2], 0x20);
    assert.deepEqual([...b.subarray(3, 7)], [0xff, 0xff, 0xf0, 0x00]);
  });

  test('fixed format clears VALID when the INFORMATION value does not fit 32 bits', () => {
    const b = encodeSense(senseOf('END_OF_DATA_DETECTED', { information: 0x1_0000_0000n }), SenseFormat.FIXED);
    assert.equal(b[0], 0x70);
    assert.equal(b[2], SenseKey.BLANK_CHECK);
    assert.deepEqual([...b.subarray(3, 7)], [0, 0, 0, 0]);
  });

  test('invalid field in CDB carries a field pointer with C/D and the bit pointer', () => {
    const b = encodeSense(Sense.invalidFieldInCdb(4, 5).sense, SenseFormat.FIXED);
    assert.equal(b[2], SenseKey.ILLEGAL_REQUEST);
    assert.equal(b[12], 0x24);
    assert.deepEqual([...b.subarray(15, 18)], [0x80 | 0x40 | 0x08 | 5, 0, 4]);
  });

  test('a parameter-list field pointer has C/D clear and no bit pointer when none is given', () => {
    const b = encodeSense(Sense.invalidFieldInParameterList(300).sense, SenseFormat.FIXED);
    assert.deepEqual([...b.subarray(15, 18)], [0x80, 0x01, 0x2c]);
  });

  test('descriptor format has information, sense-key-specific and stream commands descriptors', () => {
    const b = encodeSense(
      { ...senseOf('END_OF_PARTITION_MEDIUM_DETECTED', { eom: true, information: 7 }), fieldPointer: { inCdb: true, byte: 2 } },
      SenseFormat.DESCRIPTOR,
    );
    assert.deepEqual(
      [...b],
      [
        0x72, 0x00, 0x00, 0x02, 0, 0, 0, 24,
        0x00, 0x0a, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 7,
        0x02, 0x06, 0, 0, 0xc0, 0x00, 0x02, 0,
        0x04, 0x02, 0, 0x40,
      ],
    );
  });

  test('deferred errors use response codes 71h and 73h', () => {
    const s = senseOf('WRITE_ERROR', { deferred: true });
    assert.equal(encodeSense(s, SenseFormat.FIXED)[0], 0x71);
    assert.equal(encodeSense(s, SenseFormat.DESCRIPTOR)[0], 0x73);
  });
});

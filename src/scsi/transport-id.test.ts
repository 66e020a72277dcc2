import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SenseError } from './sense.js';
import { decodeIscsiTransportId, encodeIscsiTransportId, iscsiPortParts } from './transport-id.js';

const PORT = 'iqn.2026-01.org.test:h,i,0x00023d000001';

function fieldByte(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof SenseError);
    return e.sense.fieldPointer?.byte ?? -1;
  }
  assert.fail('expected a SenseError');
}

describe('iSCSI TransportID', () => {
  test('encodes an initiator port as format 01b, NUL-terminated and padded to a multiple of 4', () => {
    const b = encodeIscsiTransportId(PORT);
    // 39 characters + NUL = 40 bytes of name: ADDITIONAL LENGTH 40.
    assert.deepEqual([...b.subarray(0, 4)], [0x45, 0x00, 0x00, 40]);
    assert.equal(b.length, 44);
    assert.equal(b.subarray(4, 43).toString('latin1'), PORT);
    assert.equal(b[43], 0);
  });

  test('a short name still takes the minimum 24-byte TransportID', () => {
    assert.equal(encodeIscsiTransportId('iqn.a').length, 24);
  });

  test('decodes what it encodes, and a name-only format 00b ID', () => {
    assert.deepEqual(decodeIscsiTransportId(encodeIscsiTransportId(PORT), 0), { id: iscsiPortParts(PORT), lengthBytes: 44 });
    const device = Buffer.alloc(24);
    device[0] = 0x05;
    device[3] = 20;
    device.write('iqn.x', 4, 'latin1');
    assert.deepEqual(decodeIscsiTransportId(device, 0), { id: { iscsiName: 'iqn.x' }, lengthBytes: 24 });
  });

  test('refuses another protocol, a reserved format, a bad length and a name without NUL, at their byte', () => {
    const good = encodeIscsiTransportId(PORT);
    const withByte = (i: number, v: number): Buffer => {
      const b = Buffer.from(good);
      b[i] = v;
      return b;
    };
    assert.equal(fieldByte(() => decodeIscsiTransportId(withByte(0, 0x41), 0)), 0);
    assert.equal(fieldByte(() => decodeIscsiTransportId(withByte(0, 0x85), 0)), 0);
    assert.equal(fieldByte(() => decodeIscsiTransportId(withByte(3, 18), 0)), 2);
    const noNul = Buffer.from(good);
    noNul.fill(0x61, 4);
    assert.equal(fieldByte(() => decodeIscsiTransportId(noNul, 0)), 4);
  });

  test('a TransportID cut anywhere is PARAMETER LIST LENGTH ERROR', () => {
    const good = encodeIscsiTransportId(PORT);
    for (let cut = 0; cut < good.length; cut++) {
      assert.throws(() => decodeIscsiTransportId(good.subarray(0, cut), 0), (e: unknown) => e instanceof SenseError && e.sense.asc === 0x1a);
    }
  });
});

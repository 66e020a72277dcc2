import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32c } from '../../crc32c.js';
import { PayloadWorkers } from '../payload-workers.js';
import { RecordFlag, RecordType, type DecodedHeader } from '../record-header.js';
import { noise } from '../testing/noise.js';
import { KeyDeriver, sealRecord, type BlockKey, type RecordPlace, type SealingIdentity } from './record-envelope.js';
import { CRC_MISMATCH, RecordOpener, type EnvelopeKey, type OpeningPlace, type SharedSlabs } from './record-opener.js';

const hostKey: BlockKey = { key: Buffer.alloc(32, 0x11), ukad: Buffer.from('volume 7'), akad: Buffer.from('ak'), kadFormat: 2, rawReadDisabled: false };
const dataKey: BlockKey = { key: Buffer.alloc(32, 0x22), ukad: Buffer.alloc(0), akad: Buffer.alloc(0), kadFormat: 0, rawReadDisabled: false };
const identity: SealingIdentity = { salt: Buffer.alloc(16, 0x33), generation: 4 };
const place: RecordPlace = { objectNumber: 12, pass: 3, logicalLength: 300_000, compressed: false };
const payload = noise(9, 300_000);

function envelopeKey(key: BlockKey): EnvelopeKey {
  const deriver = new KeyDeriver();
  return { derive: (salt, generation) => deriver.derive(key.key, salt, generation) };
}

/** The stored record as the reader holds it: in shared memory, with its header. */
function stored(bytes: Buffer, flags: number): { header: DecodedHeader; data: Buffer } {
  const data = Buffer.from(new SharedArrayBuffer(bytes.length));
  bytes.copy(data);
  const header: DecodedHeader = {
    type: RecordType.DATA, flags, objectNumber: place.objectNumber, pass: place.pass, storedLength: bytes.length,
    logicalLength: place.logicalLength, payloadCrc: crc32c(bytes), headerCrc: 0,
  };
  return { header, data };
}

class Slabs implements SharedSlabs {
  lent = 0;
  lendShared(length: number): Buffer {
    this.lent++;
    return Buffer.from(new SharedArrayBuffer(length));
  }
  recycle(): void {
    this.lent--;
  }
}

const workers = new PayloadWorkers(1, 50);

for (const where of ['here', 'worker'] satisfies OpeningPlace[]) {
  describe(`RecordOpener opening ${where === 'here' ? 'on the calling thread' : 'on a payload worker'}`, () => {
    test('a record sealed with both keys opens to the host envelope and then to the payload', async () => {
      const hostEnvelope = sealRecord(hostKey, payload, place, identity);
      const record = stored(sealRecord(dataKey, hostEnvelope, place, identity), RecordFlag.ENCRYPTED | RecordFlag.AT_REST);
      const opened = await new RecordOpener(envelopeKey(dataKey), workers, where).open(record.header, record.data, new Slabs(), envelopeKey(hostKey));
      assert.ok(opened !== undefined && opened !== CRC_MISMATCH);
      assert.deepEqual(opened.data, hostEnvelope);
      assert.ok(opened.host !== undefined && 'data' in opened.host);
      assert.deepEqual(opened.host.data, payload);
      assert.equal(opened.slabs.length, 2);
    });

    test('a stored payload whose CRC does not match is reported as such before anything is opened', async () => {
      const record = stored(sealRecord(dataKey, payload, place, identity), RecordFlag.AT_REST);
      record.data[100] ^= 0x01;
      const slabs = new Slabs();
      assert.equal(await new RecordOpener(envelopeKey(dataKey), workers, where).open(record.header, record.data, slabs), CRC_MISMATCH);
      assert.equal(slabs.lent, 0);
    });

    test('a host envelope under another key is refused as the incorrect key, and one with a forged tag as an integrity failure', async () => {
      const record = stored(sealRecord(hostKey, payload, place, identity), RecordFlag.ENCRYPTED);
      const other = envelopeKey({ ...hostKey, key: Buffer.alloc(32, 0x44) });
      const refused = await new RecordOpener(undefined, workers, where).open(record.header, record.data, new Slabs(), other);
      assert.ok(refused !== undefined && refused !== CRC_MISMATCH);
      assert.deepEqual(refused.host !== undefined && 'refused' in refused.host ? refused.host.refused : undefined, 'incorrect-key');
      const forged = stored(sealRecord(hostKey, payload, place, identity), RecordFlag.ENCRYPTED);
      forged.data[40] ^= 0x01; // in the tag, with the CRC recomputed: only the tag can tell
      const header = { ...forged.header, payloadCrc: crc32c(forged.data) };
      const failed = await new RecordOpener(undefined, workers, where).open(header, forged.data, new Slabs(), envelopeKey(hostKey));
      assert.ok(failed !== undefined && failed !== CRC_MISMATCH);
      assert.deepEqual(failed.host !== undefined && 'refused' in failed.host ? failed.host.refused : undefined, 'integrity');
    });

    test('a damaged ciphertext and a damaged tag are reported as a CRC failure, not as an integrity failure', async () => {
      for (const at of [40, 5000]) {
        const record = stored(sealRecord(hostKey, payload, place, identity), RecordFlag.ENCRYPTED);
        record.data[at] ^= 0x10;
        assert.equal(await new RecordOpener(undefined, workers, where).open(record.header, record.data, new Slabs(), envelopeKey(hostKey)), CRC_MISMATCH);
        const atRest = stored(sealRecord(dataKey, payload, place, identity), RecordFlag.AT_REST);
        atRest.data[at] ^= 0x10;
        assert.equal(await new RecordOpener(envelopeKey(dataKey), workers, where).open(atRest.header, atRest.data, new Slabs()), CRC_MISMATCH);
      }
    });

    test('a damaged record read with another key is reported as a CRC failure, as before the key is looked at', async () => {
      const record = stored(sealRecord(hostKey, payload, place, identity), RecordFlag.ENCRYPTED);
      record.data[5000] ^= 0x10;
      const other = envelopeKey({ ...hostKey, key: Buffer.alloc(32, 0x44) });
      assert.equal(await new RecordOpener(undefined, workers, where).open(record.header, record.data, new Slabs(), other), CRC_MISMATCH);
    });

    test('a damaged U-KAD, which the tag does not authenticate, is reported as a CRC failure', async () => {
      const record = stored(sealRecord(hostKey, payload, place, identity), RecordFlag.ENCRYPTED);
      record.data[48] ^= 0x01; // the first U-KAD byte ('volume 7')
      assert.equal(await new RecordOpener(undefined, workers, where).open(record.header, record.data, new Slabs(), envelopeKey(hostKey)), CRC_MISMATCH);
    });
  });
}

describe('RecordOpener on the calling thread and the payload CRC', () => {
  test('an envelope without a U-KAD whose tag authenticates is trusted without its CRC', async () => {
    const record = stored(sealRecord(dataKey, payload, place, identity), RecordFlag.AT_REST);
    // A payload CRC that no byte matches: only a record opened without computing it can open.
    const header = { ...record.header, payloadCrc: record.header.payloadCrc ^ 1 };
    const opened = await new RecordOpener(envelopeKey(dataKey), workers, 'here').open(header, record.data, new Slabs());
    assert.ok(opened !== undefined && opened !== CRC_MISMATCH);
    assert.deepEqual(opened.data, payload);
  });

  test('an envelope with a U-KAD has its CRC checked even when its tag authenticates', async () => {
    const record = stored(sealRecord(hostKey, payload, place, identity), RecordFlag.ENCRYPTED);
    const header = { ...record.header, payloadCrc: record.header.payloadCrc ^ 1 };
    assert.equal(await new RecordOpener(undefined, workers, 'here').open(header, record.data, new Slabs(), envelopeKey(hostKey)), CRC_MISMATCH);
  });
});

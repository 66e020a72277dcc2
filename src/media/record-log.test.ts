import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../log.js';
import { emptyLifetime, type CartridgeMetadata } from './cartridge-metadata.js';
import { MediumCounters } from './medium-counters.js';
import { INDEX_STRIDE, ObjectIndex } from './object-index.js';
import { PersistenceSchedule } from './persistence-schedule.js';
import { decodeRecordHeader, RECORD_HEADER_BYTES } from './record-header.js';
import { SealingGenerations } from './crypto/sealing-generations.js';
import { RecordSealer } from './crypto/record-sealer.js';
import { RecordLog } from './record-log.js';
import { MediaWriteError } from './tape-medium.js';
import { ScriptedFile, storageError } from './testing/scripted-file.js';
import { WriteFailure } from './write-failure.js';

/** A record log over a scripted file; checkpoint saves are logged in the file's call list, to see their order. */
function logOver(file: ScriptedFile, index = ObjectIndex.empty(16), pass = 0): RecordLog {
  const metadata: CartridgeMetadata = {
    format: 1, barcode: 'L00001L8', generation: 8, worm: false, capacityBytes: 1 << 30, pass, loadCount: 1,
    lifetime: emptyLifetime(), attributes: {}, createdAt: '2026-01-01T00:00:00.000Z',
  };
  const counters = new MediumCounters(metadata.lifetime, 1);
  const saver = {
    saveCheckpoint: (saved: ObjectIndex, savedPass: number) => Promise.resolve(void file.calls.push(`checkpoint ${saved.objectCount} pass ${savedPass}`)),
    saveMetadata: () => Promise.resolve(),
  };
  const persistence = new PersistenceSchedule(saver, metadata, counters, silentLogger());
  const sealing = new SealingGenerations(metadata, () => persistence.saveMetadata());
  return new RecordLog({ file, index, pass, version: 2, persistence, counters, sealing, name: 'L00001L8', log: silentLogger() });
}

function blankFile(): ScriptedFile {
  const file = new ScriptedFile();
  file.bytes = Buffer.alloc(16);
  return file;
}

const payloadOf = (n: number): Buffer => Buffer.alloc(10 + (n % 5) * 7, n);

/** Objects 0..count-1: every seventh a filemark, the others data; returns the offset of each object and of the end. */
async function fill(log: RecordLog, count: number): Promise<number[]> {
  const offsets: number[] = [];
  let offset = 16;
  for (let n = 0; n < count; n++) {
    offsets.push(offset);
    if (n % 7 === 6) {
      await log.appendFilemarks(1);
      offset += RECORD_HEADER_BYTES;
    } else {
      await log.appendData(payloadOf(n), false, payloadOf(n).length);
      offset += RECORD_HEADER_BYTES + payloadOf(n).length;
    }
  }
  offsets.push(offset);
  return offsets;
}

describe('RecordLog', () => {
  test('finds and reads any object from its anchor, without a cursor, across several anchors', async () => {
    const file = blankFile();
    const written = ObjectIndex.empty(16);
    const writing = logOver(file, written);
    const count = 3 * INDEX_STRIDE + 5;
    const offsets = await fill(writing, count);
    await writing.drain();
    const log = logOver(file, new ObjectIndex(written.snapshot())); // a fresh log: no cursor
    for (const n of [count - 1, 0, INDEX_STRIDE - 1, INDEX_STRIDE, 2 * INDEX_STRIDE + 17, 6, count]) {
      assert.equal(await log.startOf(n), offsets[n], `offset of object ${n}`);
    }
    for (const n of [40, 41, 13]) {
      const record = await log.read(n);
      if (n % 7 === 6) assert.deepEqual(record, { kind: 'filemark' });
      else assert.ok(record.kind === 'block' && record.data.equals(payloadOf(n)), `object ${n}`);
    }
  });

  test('cutAt() starts a new pass and saves the checkpoint of the kept prefix before it truncates the file', async () => {
    const file = blankFile();
    const log = logOver(file);
    const offsets = await fill(log, 10);
    await log.drain();
    file.calls.length = 0;
    await log.cutAt(4);
    assert.deepEqual(file.calls, ['checkpoint 4 pass 1', `truncate ${offsets[4]}`]);
    assert.equal(log.objectCount, 4);
    assert.equal(log.endOffset, offsets[4]);
    assert.equal(log.pass, 1);
    await log.appendFilemarks(1);
    await log.drain();
    const header = decodeRecordHeader(file.bytes, offsets[4]);
    assert.ok(typeof header !== 'string' && header.objectNumber === 4 && header.pass === 1, 'the next record carries the new pass');
  });

  test('rollback() after a failed write forgets the lost records and counts the acknowledged ones among them', async () => {
    const file = blankFile();
    const log = logOver(file);
    await fill(log, 2);
    await log.drain();
    file.failures.write.push(storageError('ENOSPC'));
    await log.appendData(payloadOf(2), false, payloadOf(2).length);
    await log.appendData(payloadOf(3), false, payloadOf(3).length);
    const fault = await log.drain().then(() => undefined, (error: unknown) => error);
    assert.ok(fault instanceof WriteFailure);
    const error = log.rollback(fault, 3); // object 3 belongs to the running command: not acknowledged yet
    assert.ok(error instanceof MediaWriteError);
    assert.equal(error.code, 'ENOSPC');
    assert.equal(error.lostAcknowledged, 1, 'object 2 had been acknowledged');
    assert.equal(log.objectCount, 2, 'the stream ends at the last stored record');
    assert.equal(file.bytes.length, log.endOffset);
  });

  test('a record whose sealing fails is in neither the index nor the file: the next record takes its place', async (t) => {
    const file = blankFile();
    const log = logOver(file);
    await fill(log, 1);
    const end = log.endOffset;
    const failing = t.mock.method(RecordSealer.prototype, 'seal', () => Promise.resolve({
      length: 100,
      into: () => {
        throw new Error('the cipher failed');
      },
    }));
    const hostKey = { key: Buffer.alloc(32, 1), ukad: Buffer.alloc(0), akad: Buffer.alloc(0), kadFormat: 0, rawReadDisabled: false };
    await assert.rejects(log.appendData(payloadOf(1), false, payloadOf(1).length, undefined, hostKey), /the cipher failed/);
    assert.equal(log.objectCount, 1);
    assert.equal(log.endOffset, end);
    failing.mock.restore();
    await log.appendData(payloadOf(2), false, payloadOf(2).length);
    await log.flush(false);
    assert.equal(log.objectCount, 2);
    assert.equal(file.bytes.length, end + RECORD_HEADER_BYTES + payloadOf(2).length);
    const read = await log.read(1);
    assert.ok(read.kind === 'block' && read.data.equals(payloadOf(2)));
  });
});

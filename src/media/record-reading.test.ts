import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { crc32c } from '../crc32c.js';
import { silentLogger } from '../log.js';
import { emptyLifetime } from './cartridge-metadata.js';
import { MediumCounters } from './medium-counters.js';
import { ObjectIndex } from './object-index.js';
import { encodeRecordHeader, filemarkHeader, RECORD_HEADER_BYTES, RecordType } from './record-header.js';
import { RecordReading } from './record-reading.js';
import { MediaFormatError } from './tape-medium.js';
import { ScriptedFile } from './testing/scripted-file.js';

/** A record of data object `n` holding `payload`, with its CRC. */
function dataRecord(n: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(RECORD_HEADER_BYTES);
  encodeRecordHeader({ type: RecordType.DATA, flags: 0, objectNumber: n, pass: 0, storedLength: payload.length, logicalLength: payload.length, payloadCrc: crc32c(payload) }, header);
  return Buffer.concat([header, payload]);
}

/** Objects 0-2 of 40 KiB (read straight, with read-ahead), a run of two filemarks (3-4), object 5; and a reading over them. */
function setUp(): { reading: RecordReading; file: ScriptedFile; counters: MediumCounters; offsets: number[] } {
  const file = new ScriptedFile();
  const index = ObjectIndex.empty(16);
  const parts: Buffer[] = [Buffer.alloc(16)];
  const offsets: number[] = [];
  let at = 16;
  const add = (record: Buffer, filemarks = 0): void => {
    offsets.push(at);
    index.append(filemarks > 0, at, record.length, Math.max(1, filemarks));
    parts.push(record);
    at += record.length;
  };
  for (let n = 0; n < 3; n++) add(dataRecord(n, Buffer.alloc(40 * 1024, n + 1)));
  const run = Buffer.alloc(RECORD_HEADER_BYTES);
  encodeRecordHeader(filemarkHeader(3, 2, 0), run);
  add(run, 2);
  offsets.push(offsets[3] ?? 0);
  add(dataRecord(5, Buffer.from('last')));
  file.bytes = Buffer.concat(parts);
  const counters = new MediumCounters(emptyLifetime(), 1);
  const reading = new RecordReading({
    file, index, counters, atRest: undefined, drainStaged: () => Promise.resolve(), hasStaged: () => false, name: 'L00001L8', log: silentLogger(),
  });
  return { reading, file, counters, offsets };
}

describe('RecordReading', () => {
  test('reads a stream in order: blocks, each filemark of a run, the block after it', async () => {
    const { reading } = setUp();
    const kinds: string[] = [];
    for (let n = 0; n < 6; n++) {
      const outcome = await reading.read(n);
      kinds.push(outcome.kind === 'block' ? `block ${outcome.data.length} of ${outcome.data[0]}` : outcome.kind);
      if (outcome.kind === 'block') outcome.release?.();
    }
    assert.deepEqual(kinds, ['block 40960 of 1', 'block 40960 of 2', 'block 40960 of 3', 'filemark', 'filemark', 'block 4 of 108']);
    await reading.close();
  });

  test('forgetFrom() drops what was read ahead, so a rewritten record is read as it is now', async () => {
    const { reading, file, offsets } = setUp();
    const first = await reading.read(0);
    assert.equal(first.kind, 'block');
    // Object 1 was read ahead; the file changes under it (an overwrite from object 1 on).
    dataRecord(1, Buffer.alloc(40 * 1024, 0x77)).copy(file.bytes, offsets[1]);
    reading.forgetFrom(1);
    const second = await reading.read(1);
    assert.ok(second.kind === 'block');
    assert.equal(second.data[0], 0x77);
    await reading.close();
  });

  test('a record that fails its CRC is a MediaFormatError naming the object, and counted', async () => {
    const { reading, file, offsets, counters } = setUp();
    const at = (offsets[2] ?? 0) + RECORD_HEADER_BYTES + 100;
    file.bytes[at] = (file.bytes[at] ?? 0) ^ 0xff;
    await reading.read(0);
    await reading.read(1);
    await assert.rejects(reading.read(2), (error: unknown) => error instanceof MediaFormatError && error.message.includes('object 2'));
    assert.equal(counters.statistics().readErrors, 1);
    await reading.close();
  });

  test('a read away from the cursor walks to the object from the index', async () => {
    const { reading } = setUp();
    const outcome = await reading.read(5);
    assert.ok(outcome.kind === 'block');
    assert.equal(outcome.data.toString(), 'last');
    assert.equal((await reading.read(4)).kind, 'filemark');
    await reading.close();
  });
});

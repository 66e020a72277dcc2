import { describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32c } from '../crc32c.js';
import { RECORD_HEADER_BYTES, RecordType, type RecordHeader } from './record-header.js';
import { BACKGROUND_SYNC_BYTES } from './background-sync.js';
import { EAGER_WRITE_BYTES, IDLE_WRITE_MS, RecordWriter } from './record-writer.js';
import { STAGING_CHUNK_BYTES } from './staging-chunks.js';
import { StorageError } from '../storage/storage.js';
import { WriteFailure } from './write-failure.js';
import { ScriptedFile, storageError } from './testing/scripted-file.js';

const header = (objectNumber: number, length: number): RecordHeader => ({
  type: RecordType.DATA, flags: 0, objectNumber, pass: 0, storedLength: length, logicalLength: length, payloadCrc: 0,
});

/** Let every promise callback and I/O callback that is ready run (mocked timers do not affect setImmediate). */
const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A file holding a 16-byte header, and a writer appending after it from object 0. */
function setup(): { file: ScriptedFile; writer: RecordWriter } {
  const file = new ScriptedFile();
  file.bytes = Buffer.alloc(16);
  return { file, writer: new RecordWriter(file, 16, 0) };
}

async function appendRecords(writer: RecordWriter, first: number, count: number, length: number): Promise<void> {
  for (let n = first; n < first + count; n++) await writer.append(header(n, length), Buffer.alloc(length, n));
}

async function rejectsWithLost(promise: Promise<unknown>, objectNumber: number, offset: number, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof WriteFailure, `a WriteFailure, not ${String(error)}`);
    assert.deepEqual(error.lost, { objectNumber, offset });
    assert.equal((error.error as { code?: string }).code, code);
    return true;
  });
}

describe('RecordWriter', () => {
  test('a record filled in place is stored byte for byte as append() stores it: whole in a chunk, after a chunk too full for it, or longer than a chunk', async () => {
    const lengths = [300_000, 300_000, 300_000, 300_000, 100, STAGING_CHUNK_BYTES + 10, 200_000];
    const copied = setup();
    const filled = setup();
    const rooms: number[] = [];
    for (const [n, length] of lengths.entries()) {
      const payload = Buffer.alloc(length, n + 1);
      const crc = crc32c(payload);
      await copied.writer.append({ ...header(n, length), payloadCrc: crc }, payload);
      await filled.writer.appendFilled(header(n, length), (into) => {
        rooms.push(into.length);
        payload.copy(into);
        return crc;
      });
    }
    await copied.writer.sync();
    await filled.writer.sync();
    assert.deepEqual(rooms, lengths, 'fill() gets exactly the payload\'s room');
    assert.ok(filled.file.bytes.equals(copied.file.bytes));
    copied.writer.close();
    filled.writer.close();
  });

  test('a fill that throws appends nothing: the stream goes on from the last record', async () => {
    const { file, writer } = setup();
    await appendRecords(writer, 0, 1, 100);
    await assert.rejects(writer.appendFilled(header(1, 5000), () => {
      throw new RangeError('no key');
    }), /no key/);
    assert.equal(writer.end, 16 + RECORD_HEADER_BYTES + 100);
    await writer.appendFilled(header(1, 50), (into) => {
      into.fill(7);
      return crc32c(into);
    });
    await writer.sync();
    assert.equal(file.bytes.length, 16 + 2 * RECORD_HEADER_BYTES + 150);
    assert.ok(file.bytes.subarray(16 + 2 * RECORD_HEADER_BYTES + 100).equals(Buffer.alloc(50, 7)));
    writer.close();
  });

  test('a record left behind a running write goes out on its own once IDLE_WRITE_MS have passed, without a flush', async (t) => {
    mock.timers.enable({ apis: ['setTimeout'] });
    t.after(() => mock.timers.reset());
    const { file, writer } = setup();
    file.hold();
    const big = EAGER_WRITE_BYTES + 1000;
    await writer.append(header(0, big), Buffer.alloc(big)); // goes out at once (eager), and is held
    await writer.append(header(1, 100), Buffer.alloc(100)); // waits behind it, below the eager size
    file.release();
    await settled();
    assert.deepEqual(file.calls, [`write 16 ${RECORD_HEADER_BYTES + big}`], 'the small record is not written yet');
    assert.equal(writer.hasBuffered, true);
    mock.timers.tick(IDLE_WRITE_MS);
    await settled();
    assert.deepEqual(file.calls, [`write 16 ${RECORD_HEADER_BYTES + big}`, `write ${16 + RECORD_HEADER_BYTES + big} ${RECORD_HEADER_BYTES + 100}`]);
    assert.equal(writer.hasBuffered, false);
    writer.close();
  });

  test('a failed write drops its records and everything staged after them, cuts the file back, and is reported once', async () => {
    const { file, writer } = setup();
    await appendRecords(writer, 0, 1, 100);
    await writer.drain();
    const kept = 16 + RECORD_HEADER_BYTES + 100;
    file.failures.write.push(storageError('ENOSPC'));
    await appendRecords(writer, 1, 2, 100);
    await rejectsWithLost(writer.drain(), 1, kept, 'ENOSPC');
    assert.equal(file.bytes.length, kept, 'the file ends at the last good record');
    assert.equal(writer.end, kept);
    await writer.drain(); // reported once
    await appendRecords(writer, 1, 1, 50);
    await writer.sync();
    assert.equal(file.bytes.length, kept + RECORD_HEADER_BYTES + 50, 'writing resumes where the stream ends');
    writer.close();
  });

  test('a record that starts in an earlier chunk is lost whole when the chunk holding its end fails', async () => {
    const { file, writer } = setup();
    const length = STAGING_CHUNK_BYTES - 1000; // record 1 starts in chunk 1 and ends in chunk 2
    await appendRecords(writer, 0, 1, length);
    await writer.drain();
    file.failures.write.push(storageError('EIO'));
    await appendRecords(writer, 1, 1, length);
    await rejectsWithLost(writer.drain(), 1, 16 + RECORD_HEADER_BYTES + length, 'EIO');
    writer.close();
  });

  test('when the truncate after a failed write fails too, the file is cut before the next write', async () => {
    const { file, writer } = setup();
    file.failures.write.push(storageError('EIO'));
    file.failures.truncate.push(storageError('EIO'));
    await appendRecords(writer, 0, 1, 100);
    await rejectsWithLost(writer.drain(), 0, 16, 'EIO');
    assert.deepEqual(file.calls, [`write 16 ${RECORD_HEADER_BYTES + 100}`, 'truncate 16']);
    await appendRecords(writer, 0, 1, 10);
    await writer.drain();
    assert.deepEqual(file.calls.slice(2), ['truncate 16', `write 16 ${RECORD_HEADER_BYTES + 10}`]);
    writer.close();
  });

  test('a cut whose truncate failed is redone before a sync with nothing to write succeeds, and fails that sync while it fails', async () => {
    const { file, writer } = setup();
    await appendRecords(writer, 0, 3, 100);
    await writer.sync();
    const kept = 16 + RECORD_HEADER_BYTES + 100;
    file.failures.truncate.push(storageError('EIO'), storageError('EIO'));
    await assert.rejects(writer.cut(kept, 1), (error: unknown) => error instanceof StorageError && error.code === 'EIO');
    await assert.rejects(writer.sync(), (error: unknown) => error instanceof StorageError && error.code === 'EIO', 'not synced with the cut-off records in the file');
    assert.equal(file.bytes.length, 16 + 3 * (RECORD_HEADER_BYTES + 100));
    const calls = file.calls.length;
    await writer.sync();
    assert.deepEqual(file.calls.slice(calls), [`truncate ${kept}`, 'sync']);
    assert.equal(file.bytes.length, kept);
    writer.close();
  });

  test('a failed sync drops everything written since the last good sync; it is never synced again as if it were safe', async () => {
    const { file, writer } = setup();
    await appendRecords(writer, 0, 2, 100);
    await writer.sync();
    const durable = 16 + 2 * (RECORD_HEADER_BYTES + 100);
    await appendRecords(writer, 2, 3, 100);
    file.failures.sync.push(storageError('EIO'));
    await rejectsWithLost(writer.sync(), 2, durable, 'EIO');
    assert.equal(file.bytes.length, durable, 'the records the failed sync covered are cut off');
    assert.equal(writer.end, durable);
    await writer.sync();
    assert.equal(file.bytes.length, durable);
    await appendRecords(writer, 2, 1, 7);
    await writer.sync();
    assert.equal(file.bytes.length, durable + RECORD_HEADER_BYTES + 7);
    writer.close();
  });

  test('a failed background sync is reported by the next call as a failed sync, with everything since the last good one', async () => {
    const { file, writer } = setup();
    file.failures.sync.push(storageError('EIO'));
    const length = STAGING_CHUNK_BYTES;
    const records = Math.ceil(BACKGROUND_SYNC_BYTES / length) + 1;
    // The background sync starts once BACKGROUND_SYNC_BYTES reached the file; whichever call comes next reports it.
    const session = (async (): Promise<void> => {
      await appendRecords(writer, 0, records, length);
      await writer.drain();
      await writer.sync();
    })();
    await rejectsWithLost(session, 0, 16, 'EIO');
    assert.equal(file.calls.filter((call) => call === 'sync').length, 1, 'only the background sync ran, and failed');
    assert.equal(file.bytes.length, 16, 'nothing it covered is kept');
    writer.close();
  });
});

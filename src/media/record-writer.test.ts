import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RandomAccessFile } from '../storage/storage.js';
import { RECORD_HEADER_BYTES, RecordType, type RecordHeader } from './record-header.js';
import { EAGER_WRITE_BYTES, IDLE_WRITE_MS, RecordWriter } from './record-writer.js';

/** A file that records its writes; each write takes `delayMs`. */
function slowFile(delayMs: number): { file: RandomAccessFile; writes: number[] } {
  const writes: number[] = [];
  const file: RandomAccessFile = {
    length: () => Promise.resolve(0),
    read: () => Promise.resolve(0),
    write: async (buffers) => {
      await sleep(delayMs);
      writes.push(buffers.reduce((sum, b) => sum + b.length, 0));
    },
    truncate: () => Promise.resolve(),
    sync: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  return { file, writes };
}

const header = (objectNumber: number, length: number): RecordHeader => ({
  type: RecordType.DATA, flags: 0, objectNumber, pass: 0, storedLength: length, logicalLength: length, payloadCrc: 0,
});

test('a record left behind a running write still goes out on its own, without a flush', async () => {
  const { file, writes } = slowFile(3 * IDLE_WRITE_MS);
  const writer = new RecordWriter(file, 16);
  const big = EAGER_WRITE_BYTES + 1000;
  await writer.append(header(0, big), Buffer.alloc(big)); // goes out at once (eager)
  await writer.append(header(1, 100), Buffer.alloc(100)); // waits behind it, below the eager size
  await sleep(8 * IDLE_WRITE_MS);
  assert.deepEqual(writes, [RECORD_HEADER_BYTES + big, RECORD_HEADER_BYTES + 100]);
  assert.equal(writer.hasBuffered, false);
  writer.close();
});

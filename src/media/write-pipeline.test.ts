import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { uncompressSync } from 'lz4-napi';
import { crc32c } from '../crc32c.js';
import { RECORD_HEADER_BYTES } from './record-header.js';
import { WritePipeline, type PipelineRecords } from './write-pipeline.js';
import { noise } from './testing/noise.js';

/** A record log in memory: what was stored, in order; the `failAt`-th append fails; the first append can be held. */
class RecordsInMemory implements PipelineRecords {
  readonly stored: Buffer[] = [];
  failAt: number | undefined;
  private held: Promise<void> | undefined;
  release: () => void = () => undefined;

  holdFirst(): void {
    this.held = new Promise((resolve) => (this.release = resolve));
  }

  get objectCount(): number {
    return this.stored.length;
  }

  async appendData(payload: Buffer, compressed: boolean, logicalLength: number, payloadCrc: number): Promise<void> {
    assert.equal(payloadCrc, crc32c(payload), 'the stage gives the CRC of what is stored');
    const held = this.held;
    this.held = undefined;
    if (held !== undefined) await held;
    if (this.stored.length === this.failAt) throw new Error('ENOSPC');
    const block = compressed ? uncompressSync(payload) : Buffer.from(payload);
    assert.equal(block.length, logicalLength);
    this.stored.push(block);
  }
}

const blocks = Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? Buffer.from(`block ${i} `.repeat(3000 + i)) : noise(i, 20_000 + i)));

describe('WritePipeline', () => {
  test('blocks are stored in the order they were acknowledged, even when an earlier store is slower', async () => {
    const records = new RecordsInMemory();
    records.holdFirst();
    const pipeline = new WritePipeline(records, (error) => (error instanceof Error ? error : new Error(String(error))));
    for (const block of blocks.slice(0, 3)) await pipeline.enqueue(block);
    assert.equal(pipeline.pendingRecords, 3);
    assert.equal(pipeline.pendingBytes, blocks.slice(0, 3).reduce((sum, b) => sum + RECORD_HEADER_BYTES + b.length, 0));
    records.release();
    for (const block of blocks.slice(3)) await pipeline.enqueue(block);
    await pipeline.settle();
    assert.equal(pipeline.pendingRecords, 0);
    assert.equal(pipeline.pendingBytes, 0);
    assert.deepEqual(records.stored, blocks);
    pipeline.close();
  });

  test('a failed store loses that block and every one behind it, and settle() reports it once with what was acknowledged', async () => {
    const records = new RecordsInMemory();
    records.failAt = 2;
    const reports: number[] = [];
    const pipeline = new WritePipeline(records, (error, acknowledgedEnd) => {
      reports.push(acknowledgedEnd);
      return new Error(`lost from object 2 to ${acknowledgedEnd}: ${String(error)}`);
    });
    records.holdFirst(); // every block is acknowledged before the failure is known (four fill the stage's slots)
    for (const block of blocks.slice(0, 4)) await pipeline.enqueue(block);
    records.release();
    await assert.rejects(pipeline.settle(), /lost from object 2 to 4: Error: ENOSPC/);
    assert.deepEqual(reports, [4], 'one failure, counting the four acknowledged blocks');
    assert.deepEqual(records.stored, blocks.slice(0, 2), 'nothing behind the failed block was stored');
    await pipeline.settle(); // reported once
    records.failAt = undefined;
    await pipeline.enqueue(blocks[5]);
    await pipeline.settle();
    assert.deepEqual(records.stored, [...blocks.slice(0, 2), blocks[5]], 'storing resumes after the report');
    pipeline.close();
  });

  test('settled says whether settle() has anything to wait for or report', async () => {
    const records = new RecordsInMemory();
    records.failAt = 1;
    const pipeline = new WritePipeline(records, (error) => (error instanceof Error ? error : new Error(String(error))));
    assert.equal(pipeline.settled, true, 'nothing acknowledged yet');
    records.holdFirst();
    await pipeline.enqueue(blocks[0]);
    await pipeline.enqueue(blocks[1]);
    assert.equal(pipeline.settled, false, 'a block is still being stored');
    records.release();
    while (pipeline.pendingRecords > 0) await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(pipeline.settled, false, 'the failure of the second block waits to be reported');
    await assert.rejects(pipeline.settle(), /ENOSPC/);
    assert.equal(pipeline.settled, true, 'the failure was reported');
    pipeline.close();
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { silentLogger } from '../log.js';
import { CapacityBudget } from './capacity-budget.js';
import { emptyLifetime, type CartridgeMetadata } from './cartridge-metadata.js';
import { SealingGenerations } from './crypto/sealing-generations.js';
import { FILE_HEADER_BYTES } from './file-header.js';
import { MediaWriteError, MediumFullError, WormViolationError } from './media-errors.js';
import { MediumCounters } from './medium-counters.js';
import { ObjectIndex } from './object-index.js';
import { PersistenceSchedule } from './persistence-schedule.js';
import { PositionedStream } from './positioned-stream.js';
import { RECORD_HEADER_BYTES } from './record-header.js';
import { RecordLog } from './record-log.js';
import * as Space from './space.js';
import { ScriptedFile, storageError } from './testing/scripted-file.js';
import { asError, isWriteFault } from './write-failure.js';
import { WritePipeline } from './write-pipeline.js';

/** A stream over a scripted blank data file, assembled as FileTapeMedium assembles it. */
function streamOver(options: { capacityBytes?: number; worm?: boolean } = {}): { stream: PositionedStream; file: ScriptedFile } {
  const file = new ScriptedFile();
  file.bytes = Buffer.alloc(FILE_HEADER_BYTES);
  const metadata: CartridgeMetadata = {
    format: 1, barcode: 'S00001L8', generation: 8, worm: options.worm ?? false, capacityBytes: options.capacityBytes ?? 1 << 30, pass: 0,
    loadCount: 1, lifetime: emptyLifetime(), attributes: {}, createdAt: '2026-01-01T00:00:00.000Z',
  };
  const counters = new MediumCounters(metadata.lifetime, 1);
  const saver = { saveCheckpoint: () => Promise.resolve(), saveMetadata: () => Promise.resolve() };
  const persistence = new PersistenceSchedule(saver, metadata, counters, silentLogger());
  const sealing = new SealingGenerations(metadata, () => persistence.saveMetadata());
  const records = new RecordLog({ file, index: ObjectIndex.empty(16), pass: 0, version: 2, persistence, counters, sealing, name: 'S00001L8', log: silentLogger() });
  const pipeline = new WritePipeline(records, (error, acknowledgedEnd) => asError(isWriteFault(error) ? records.rollback(error, acknowledgedEnd) : error));
  const budget = new CapacityBudget(metadata, undefined);
  const stream = new PositionedStream({ barcode: 'S00001L8', worm: metadata.worm, records, pipeline, budget, atRest: false, deferCompression: false });
  return { stream, file };
}

const plain = { compress: false } as const;
const block = (n: number, bytes = 100): Buffer => Buffer.alloc(bytes, n);
const rewind = (stream: PositionedStream): Promise<unknown> => stream.move('rewind', () => ({ position: 0, outcome: { counted: 0 } }));
const locate = (stream: PositionedStream, to: number): Promise<unknown> => stream.move('locate', (marks, at) => Space.locate(marks, at, to), to);

describe('PositionedStream', () => {
  test('a write in the middle cuts what followed it and becomes the new end of data', async () => {
    const { stream } = streamOver();
    for (let n = 0; n < 4; n++) await stream.write(block(n), plain);
    await locate(stream, 2);
    await stream.write(block(9), plain);
    assert.deepEqual(stream.position(), { objectNumber: 3, fileNumber: 0, atEndOfData: true });
    assert.equal(stream.endOfData, 3);
    await locate(stream, 2);
    const read = await stream.read();
    assert.ok(read.kind === 'block' && read.data.equals(block(9)));
    await stream.close();
  });

  test('a write past the capacity is refused with MediumFullError: nothing is written and the position stays', async () => {
    const capacityBytes = 2 * (RECORD_HEADER_BYTES + 100) + RECORD_HEADER_BYTES - 1;
    const { stream } = streamOver({ capacityBytes });
    await stream.write(block(0), plain);
    await stream.write(block(1), plain);
    await assert.rejects(stream.write(block(2), plain), MediumFullError);
    await assert.rejects(stream.writeFilemarks(1), MediumFullError, 'nor does a filemark record, one byte longer than what remains');
    assert.deepEqual(stream.position(), { objectNumber: 2, fileNumber: 0, atEndOfData: true });
    assert.equal(stream.capacity().usedBytes, 2 * (RECORD_HEADER_BYTES + 100));
    await stream.close();
  });

  test('on WORM it appends, and refuses an overwrite and an erase without changing anything', async () => {
    const { stream } = streamOver({ worm: true });
    await stream.write(block(0), plain);
    await stream.write(block(1), plain);
    await rewind(stream);
    await assert.rejects(stream.write(block(2), plain), WormViolationError);
    await assert.rejects(stream.erase(), WormViolationError);
    assert.equal(stream.endOfData, 2);
    assert.equal(stream.position().objectNumber, 0);
    await stream.close();
  });

  test('a second operation while one runs is refused, and the one running completes', async () => {
    const { stream, file } = streamOver();
    await stream.write(block(0), plain);
    file.hold();
    const flushing = stream.flush();
    await assert.rejects(stream.read(), /flush is already running/);
    file.release();
    await flushing;
    await stream.close();
  });

  test('a failed flush reports the acknowledged blocks it lost, leaves the position at the new end of data, and writing resumes', async () => {
    const { stream, file } = streamOver();
    for (let n = 0; n < 3; n++) await stream.write(block(n), plain);
    file.failures.write.push(storageError('EIO'));
    await assert.rejects(stream.flush(), (error: unknown) => error instanceof MediaWriteError && error.code === 'EIO' && error.endOfData === 0 && error.lostAcknowledged === 3);
    assert.deepEqual(stream.position(), { objectNumber: 0, fileNumber: 0, atEndOfData: true });
    await stream.write(block(7), plain);
    await stream.flush();
    await rewind(stream);
    const read = await stream.read();
    assert.ok(read.kind === 'block' && read.data.equals(block(7)));
    assert.deepEqual(await stream.read(), { kind: 'end-of-data' });
    await stream.close();
  });

  test('blank() inside an operation erases the stream, stands at 0 and syncs before the operation goes on', async () => {
    const { stream, file } = streamOver();
    for (let n = 0; n < 3; n++) await stream.write(block(n), plain);
    await stream.operate('setCapacity', async () => {
      await stream.blank();
      assert.equal(file.calls.at(-1), 'sync', 'the cut is synced before blank() returns');
      assert.equal(file.bytes.length, FILE_HEADER_BYTES);
    });
    assert.deepEqual(stream.position(), { objectNumber: 0, fileNumber: 0, atEndOfData: true });
    assert.equal(stream.capacity().usedBytes, 0);
    await stream.close();
  });
});

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { crc32c } from '../crc32c.js';
import { compressSync } from 'lz4-napi';
import { MemoryStorage } from '../storage/memory-storage.js';
import type { RandomAccessFile } from '../storage/storage.js';
import { encodeRecordHeader, RECORD_HEADER_BYTES, RecordFlag, RecordType } from './record-header.js';
import { SEALED_READ_AHEAD, SequentialReader, WINDOW_BYTES } from './sequential-reader.js';
import { PayloadWorkers } from './payload-workers.js';
import { KeyDeriver, sealRecord } from './crypto/record-envelope.js';
import { RecordOpener, type EnvelopeKey } from './crypto/record-opener.js';
import { noise } from './testing/noise.js';

interface Built {
  readonly file: RandomAccessFile;
  readonly offsets: number[];
  readonly end: number;
}

/** A record stream built by hand: each block stored compressed when `compress` is set, filemarks as null. */
async function build(blocks: readonly (Buffer | null)[], compress: (i: number) => boolean): Promise<Built> {
  const parts: Buffer[] = [];
  const offsets: number[] = [];
  let at = 0;
  blocks.forEach((block, objectNumber) => {
    const packed = block !== null && compress(objectNumber) ? compressSync(block) : undefined;
    const shrunk = packed !== undefined && block !== null && packed.length < block.length;
    const stored = block === null ? Buffer.alloc(0) : shrunk ? packed : block;
    const header = Buffer.alloc(RECORD_HEADER_BYTES);
    encodeRecordHeader({
      type: block === null ? RecordType.FILEMARK : RecordType.DATA,
      flags: shrunk ? RecordFlag.COMPRESSED : 0,
      objectNumber, pass: 0, storedLength: stored.length, logicalLength: block?.length ?? 0,
      payloadCrc: block === null ? 0 : crc32c(stored) >>> 0,
    }, header);
    offsets.push(at);
    parts.push(header, stored);
    at += RECORD_HEADER_BYTES + stored.length;
  });
  const storage = new MemoryStorage();
  const file = await storage.open('t', { create: true });
  await file.write(parts, 0);
  return { file, offsets, end: at };
}

async function readAll(built: Built, reader: SequentialReader, count: number): Promise<(Buffer | null)[]> {
  const out: (Buffer | null)[] = [];
  for (let n = 0; n < count; n++) {
    const r = await reader.read(built.offsets[n], n, built.end);
    if ('problem' in r) throw new Error(`object ${n}: ${r.problem}`);
    out.push(r.header.type === RecordType.FILEMARK ? null : Buffer.from(r.data));
  }
  return out;
}

describe('SequentialReader', () => {
  const sizes = [100, 300 * 1024, 300 * 1024, 5, 0, 70 * 1024, WINDOW_BYTES - 10, 256 * 1024, 1, 1024 * 1024, 64 * 1024];

  test('reads back every block whatever the order of sizes, compressed or not, filemarks included', async () => {
    for (const mode of ['none', 'all', 'alternate'] as const) {
      const blocks: (Buffer | null)[] = sizes.map((n, i) => (mode === 'none' ? noise(i, n) : Buffer.alloc(n, 0x41 + i)));
      blocks.splice(4, 0, null);
      const compress = (i: number): boolean => mode === 'all' ? (blocks[i]?.length ?? 0) > 0 : mode === 'alternate' && i % 2 === 0 && (blocks[i]?.length ?? 0) > 0;
      const built = await build(blocks, compress);
      assert.deepEqual(await readAll(built, new SequentialReader(built.file), blocks.length), blocks, mode);
    }
  });

  test('a block returned earlier is not changed by later reads (no shared buffer reaches the caller)', async () => {
    const blocks = [noise(1, 1000), noise(2, 1000), noise(3, 200_000), noise(4, 200_000)];
    const built = await build(blocks, (i) => i === 3);
    const reader = new SequentialReader(built.file);
    const got: Buffer[] = [];
    for (let n = 0; n < blocks.length; n++) {
      const r = await reader.read(built.offsets[n], n, built.end);
      assert.ok(!('problem' in r));
      got.push(r.data);
    }
    assert.deepEqual(got, blocks);
  });

  test('a damaged payload is reported, never returned, on the window path and the direct path', async () => {
    const blocks = [noise(1, 2000), noise(2, 1_500_000), noise(3, 1_500_000)];
    const built = await build(blocks, () => false);
    const flip = async (at: number): Promise<void> => {
      const b = Buffer.alloc(1);
      await built.file.read(b, 0, 1, at);
      b[0] ^= 0x10;
      await built.file.write([b], at);
    };
    await flip(built.offsets[0] + RECORD_HEADER_BYTES + 7);
    await flip(built.offsets[2] + RECORD_HEADER_BYTES + 1_400_000);
    const reader = new SequentialReader(built.file);
    assert.deepEqual(await reader.read(built.offsets[0], 0, built.end), { problem: 'the record payload fails its CRC' });
    const second = await reader.read(built.offsets[1], 1, built.end);
    assert.ok(!('problem' in second) && second.data.equals(blocks[1]));
    assert.deepEqual(await reader.read(built.offsets[2], 2, built.end), { problem: 'the record payload fails its CRC' });
  });

  test('a record naming another object, or cut short by the end of the file, is a problem', async () => {
    const blocks = [noise(1, 100), noise(2, 100_000)];
    const built = await build(blocks, () => false);
    const reader = new SequentialReader(built.file);
    assert.deepEqual(await reader.read(built.offsets[1], 5, built.end), { problem: 'the record header names object 1' });
    await built.file.truncate(built.end - 10);
    reader.invalidate();
    assert.deepEqual(await reader.read(built.offsets[1], 1, built.end), { problem: 'the record payload is cut short' });
  });

  test('after invalidate() the window is read again from the file', async () => {
    const blocks = [noise(1, 100), noise(2, 100)];
    const built = await build(blocks, () => false);
    const reader = new SequentialReader(built.file);
    await readAll(built, reader, 1);
    const replacement = await build([noise(1, 100), noise(9, 100)], () => false);
    const bytes = Buffer.alloc(replacement.end);
    await replacement.file.read(bytes, 0, bytes.length, 0);
    await built.file.write([bytes], 0);
    reader.invalidate();
    const r = await reader.read(built.offsets[1], 1, built.end);
    assert.ok(!('problem' in r) && r.data.equals(noise(9, 100)));
  });
});

describe('SequentialReader read buffers', () => {
  test('a large record\'s buffer is reused only after release(), and data lent out is never overwritten before', async () => {
    const blocks = [noise(1, 1_500_000), noise(2, 1_500_000), noise(3, 1_500_000), noise(4, 1_500_000)];
    const built = await build(blocks, () => false);
    const reader = new SequentialReader(built.file);
    const first = await reader.read(built.offsets[0], 0, built.end);
    assert.ok(!('problem' in first) && first.release !== undefined);
    const second = await reader.read(built.offsets[1], 1, built.end);
    assert.ok(!('problem' in second) && second.release !== undefined);
    assert.notEqual(second.data.buffer, first.data.buffer, 'the first buffer is still lent');
    assert.ok(first.data.equals(blocks[0]), 'lent data unchanged by the next read');
    first.release();
    first.release();
    // The third record was read ahead while the first was still lent; the fourth is read ahead after the release.
    const third = await reader.read(built.offsets[2], 2, built.end);
    assert.ok(!('problem' in third));
    assert.notEqual(third.data.buffer, first.data.buffer);
    const fourth = await reader.read(built.offsets[3], 3, built.end);
    assert.ok(!('problem' in fourth));
    assert.equal(fourth.data.buffer, first.data.buffer, 'the released buffer is reused');
    assert.ok(third.data.equals(blocks[2]));
    assert.ok(fourth.data.equals(blocks[3]));
    assert.ok(second.data.equals(blocks[1]));
  });
});

describe('SequentialReader and sealed records', () => {
  const dataKey = Buffer.alloc(32, 0x22);
  const identity = { salt: Buffer.alloc(16, 0x33), generation: 1 };
  const deriver = new KeyDeriver();
  const envelopeKey: EnvelopeKey = { derive: (salt, generation) => deriver.derive(dataKey, salt, generation) };

  /** Records sealed at rest, as the record log writes them, in a file that counts where it is read. */
  async function buildSealed(blocks: readonly Buffer[]): Promise<Built & { readonly readAt: number[] }> {
    const parts: Buffer[] = [];
    const offsets: number[] = [];
    let at = 0;
    blocks.forEach((block, objectNumber) => {
      const place = { objectNumber, pass: 0, logicalLength: block.length, compressed: false };
      const stored = sealRecord({ key: dataKey, ukad: Buffer.alloc(0), akad: Buffer.alloc(0), kadFormat: 0, rawReadDisabled: false }, block, place, identity);
      const header = Buffer.alloc(RECORD_HEADER_BYTES);
      encodeRecordHeader({ type: RecordType.DATA, flags: RecordFlag.AT_REST, objectNumber, pass: 0, storedLength: stored.length, logicalLength: block.length, payloadCrc: crc32c(stored) }, header);
      offsets.push(at);
      parts.push(header, stored);
      at += RECORD_HEADER_BYTES + stored.length;
    });
    const file = await new MemoryStorage().open('t', { create: true });
    await file.write(parts, 0);
    const readAt: number[] = [];
    const counting: RandomAccessFile = Object.assign(Object.create(file) as RandomAccessFile, {
      read: (buffer: Buffer, offset: number, length: number, position: number) => {
        readAt.push(position);
        return file.read(buffer, offset, length, position);
      },
    });
    return { file: counting, offsets, end: at, readAt };
  }

  /** Turns of the event loop until `done` (a file read may wait for the thread pool), at most `turns` of them. */
  async function settle(done: () => boolean = () => false, turns = 200): Promise<void> {
    for (let i = 0; i < turns && !done(); i++) await new Promise((resolve) => setImmediate(resolve));
  }

  // Larger than the read window: each is read on its own, straight into a lent slab.
  const blocks = Array.from({ length: 6 }, (_, i) => noise(i + 1, WINDOW_BYTES + 100_000));

  test(`${SEALED_READ_AHEAD} sealed records are read and opened ahead of the host, one after another`, async () => {
    const built = await buildSealed(blocks);
    const reader = new SequentialReader(built.file, PayloadWorkers.shared(), new RecordOpener(envelopeKey, PayloadWorkers.shared(), 'here'));
    const first = await reader.read(built.offsets[0], 0, built.end);
    assert.ok(!('problem' in first) && first.data.equals(blocks[0]));
    const ahead = (): number[] => built.readAt.filter((at) => at > built.offsets[0]);
    await settle(() => ahead().length >= SEALED_READ_AHEAD, 100_000);
    await settle();
    assert.deepEqual(ahead(), built.offsets.slice(1, 1 + SEALED_READ_AHEAD));
    for (let n = 1; n < blocks.length; n++) {
      const r = await reader.read(built.offsets[n], n, built.end);
      assert.ok(!('problem' in r) && r.data.equals(blocks[n]), `object ${n}`);
      r.release?.();
    }
    // Each record was read once.
    assert.deepEqual(built.readAt.filter((at) => at > 0), built.offsets.slice(1));
    await reader.close();
  });

  test('a read elsewhere drops every record read ahead and reads what it asks for', async () => {
    const built = await buildSealed(blocks);
    const reader = new SequentialReader(built.file, PayloadWorkers.shared(), new RecordOpener(envelopeKey, PayloadWorkers.shared(), 'here'));
    await reader.read(built.offsets[0], 0, built.end);
    await settle();
    const far = await reader.read(built.offsets[4], 4, built.end);
    assert.ok(!('problem' in far) && far.data.equals(blocks[4]));
    const back = await reader.read(built.offsets[1], 1, built.end);
    assert.ok(!('problem' in back) && back.data.equals(blocks[1]));
    await reader.close();
  });

  test('after invalidate() the records read ahead are read again from the file', async () => {
    const built = await buildSealed(blocks);
    const reader = new SequentialReader(built.file, PayloadWorkers.shared(), new RecordOpener(envelopeKey, PayloadWorkers.shared(), 'here'));
    await reader.read(built.offsets[0], 0, built.end);
    await settle();
    reader.invalidate();
    const before = built.readAt.length;
    const r = await reader.read(built.offsets[1], 1, built.end);
    assert.ok(!('problem' in r) && r.data.equals(blocks[1]));
    assert.equal(built.readAt[before], built.offsets[1], 'read again');
    await reader.close();
  });

  test('clear records are read one ahead, as before', async () => {
    const clear = await build(blocks, () => false);
    const readAt: number[] = [];
    const file: RandomAccessFile = Object.assign(Object.create(clear.file) as RandomAccessFile, {
      read: (buffer: Buffer, offset: number, length: number, position: number) => {
        readAt.push(position);
        return clear.file.read(buffer, offset, length, position);
      },
    });
    const reader = new SequentialReader(file, PayloadWorkers.shared(), new RecordOpener(envelopeKey, PayloadWorkers.shared(), 'here'));
    await reader.read(clear.offsets[0], 0, clear.end);
    await settle();
    assert.deepEqual(readAt.filter((at) => at > 0), [clear.offsets[1]]);
    await reader.close();
  });
});

// FORMAT.md "Encrypted records": blocks written with a key are stored as envelopes (format version 3), read back as
// encrypted blocks the key holder opens, and no payload byte reaches the disk in clear.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { openBlock } from '../../src/media/crypto/open-block.js';
import { decodeEnvelope, type BlockKey } from '../../src/media/crypto/record-envelope.js';
import { fileVersion } from '../../src/media/file-header.js';
import type { ReadOutcome, TapeMedium } from '../../src/media/tape-medium.js';
import { cartridge, pattern, tempStore } from './cartridge-fixture.js';

const MARKER = 'VTL-SECRET-MARKER-6f1c';
const key: BlockKey = { key: Buffer.alloc(32, 0x42), ukad: Buffer.from('backup-key-1'), akad: Buffer.alloc(0), kadFormat: 2, rawReadDisabled: false };

/** A compressible block that carries the marker many times. */
function markedBlock(length: number): Buffer {
  const text = Buffer.from(`${MARKER} `.repeat(Math.ceil(length / (MARKER.length + 1))));
  return text.subarray(0, length);
}

async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

function opened(outcome: ReadOutcome, withKey = key.key): Buffer {
  assert.equal(outcome.kind, 'encrypted-block');
  if (outcome.kind !== 'encrypted-block') throw new Error('unreachable');
  const block = openBlock(withKey, outcome.envelope, outcome.place);
  assert.ok(Buffer.isBuffer(block), `opens: ${String(block)}`);
  return block;
}

async function generationOf(medium: TapeMedium, objectNumber: number): Promise<number | undefined> {
  await medium.locate(objectNumber);
  const next = await medium.peek();
  return next.kind === 'encrypted-block' ? decodeEnvelope(next.envelope)?.generation : undefined;
}

describe('encrypted records on a file cartridge', () => {
  test('blocks written with a key read back only through the key, and the marker is nowhere on disk', async () => {
    const t = await tempStore();
    try {
      const d = cartridge({ barcode: 'ENC001' });
      await t.store.create(d);
      const medium = await t.store.open(d);
      const blocks = [markedBlock(256 * 1024), markedBlock(1000), markedBlock(3 * 1024 * 1024), Buffer.concat([Buffer.from(MARKER), pattern(9, 5000)])];
      // Compressed through the pipeline, compressed before the answer (longer than a slot), and not compressed.
      for (const [i, block] of blocks.entries()) await medium.write(block, { compress: i !== 3, encrypt: key });
      await medium.writeFilemarks(1);
      await medium.write(Buffer.from('plain block'), { compress: false });
      await medium.close();

      for (const file of await filesUnder(t.directory)) {
        const bytes = await readFile(file);
        assert.equal(bytes.includes(Buffer.from(MARKER)), false, `${file} holds the marker in clear`);
      }
      const data = await readFile(t.file('ENC001', 'data.vtape'));
      assert.equal(fileVersion(data), 3);

      const again = await t.store.open(d);
      for (const block of blocks) assert.deepEqual(opened(await again.read()), block);
      assert.deepEqual(await again.read(), { kind: 'filemark' });
      const plain = await again.read();
      assert.equal(plain.kind, 'block');
      await again.close();
    } finally {
      await t.cleanup();
    }
  });

  test('the envelope keeps the KADs and another key does not open it', async () => {
    const t = await tempStore();
    try {
      const d = cartridge({ barcode: 'ENC002' });
      await t.store.create(d);
      const medium = await t.store.open(d);
      await medium.write(Buffer.from('x'.repeat(5000)), { compress: true, encrypt: key });
      await medium.rewind();
      const next = await medium.peek();
      assert.equal(medium.position().objectNumber, 0, 'peek does not move');
      assert.equal(next.kind, 'encrypted-block');
      const outcome = await medium.read();
      assert.ok(outcome.kind === 'encrypted-block');
      assert.equal(decodeEnvelope(outcome.envelope)?.ukad.toString(), 'backup-key-1');
      assert.equal(openBlock(Buffer.alloc(32, 0x43), outcome.envelope, outcome.place), 'incorrect-key');
      assert.deepEqual(await medium.peek(), { kind: 'end-of-data' });
      await medium.close();
    } finally {
      await t.cleanup();
    }
  });

  test('a version 2 cartridge keeps its plain records and is upgraded before its first encrypted one', async () => {
    const t = await tempStore();
    try {
      const d = cartridge({ barcode: 'ENC003' });
      await t.store.create(d);
      const medium = await t.store.open(d);
      await medium.write(pattern(1, 700), { compress: false });
      await medium.flush();
      assert.equal(fileVersion(await readFile(t.file('ENC003', 'data.vtape'))), 2);
      await medium.write(pattern(2, 700), { compress: false, encrypt: key });
      await medium.close();
      assert.equal(fileVersion(await readFile(t.file('ENC003', 'data.vtape'))), 3);
      const again = await t.store.open(d);
      const first = await again.read();
      assert.ok(first.kind === 'block');
      assert.deepEqual(first.data, pattern(1, 700));
      assert.deepEqual(opened(await again.read()), pattern(2, 700));
      await again.close();
    } finally {
      await t.cleanup();
    }
  });

  test('every load and every overwrite starts a new write generation, kept in the metadata before it is used', async () => {
    const t = await tempStore();
    try {
      const d = cartridge({ barcode: 'ENC004' });
      await t.store.create(d);
      const medium = await t.store.open(d);
      await medium.write(pattern(1, 100), { compress: false, encrypt: key });
      await medium.write(pattern(2, 100), { compress: false, encrypt: key });
      await medium.flush(); // sealed blocks are acknowledged from the write pipeline, sealed and stored after
      const metadata = JSON.parse(await readFile(t.file('ENC004', 'cartridge.json'), 'utf8')) as { sealing?: { generation: number } };
      assert.equal(metadata.sealing?.generation, 1, 'saved before the first sealed record');
      await medium.locate(1);
      await medium.write(pattern(3, 100), { compress: false, encrypt: key }); // overwrite object 1
      assert.deepEqual([await generationOf(medium, 0), await generationOf(medium, 1)], [1, 2]);
      await medium.close();
      const again = await t.store.open(d);
      await again.spaceToEndOfData();
      await again.write(pattern(4, 100), { compress: false, encrypt: key });
      assert.equal(await generationOf(again, 2), 3);
      await again.close();
    } finally {
      await t.cleanup();
    }
  });
});

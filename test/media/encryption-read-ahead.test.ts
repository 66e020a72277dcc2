// FORMAT.md "Reading": sealed records are opened as they are read, ahead of the host, with the data key (at rest) and
// with the key the drive lends for the read (ReadOptions.openWith); the envelope stays readable, a read-ahead opened
// with another key is read again, and a damaged record is still reported by its CRC first.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { open as openFile } from 'node:fs/promises';
import { MasterKey } from '../../src/media/crypto/master-key.js';
import { openBlock } from '../../src/media/crypto/open-block.js';
import { KeyDeriver, type BlockKey } from '../../src/media/crypto/record-envelope.js';
import type { EnvelopeKey } from '../../src/media/crypto/record-opener.js';
import { FileMediaStore } from '../../src/media/file-media-store.js';
import { RECORD_HEADER_BYTES } from '../../src/media/record-header.js';
import { FILE_HEADER_BYTES } from '../../src/media/file-header.js';
import { MediaFormatError, type ReadOutcome, type TapeMedium } from '../../src/media/tape-medium.js';
import { capturingLogger, cartridge, pattern, tempStore } from './cartridge-fixture.js';

function blockKey(fill: number): BlockKey {
  return { key: Buffer.alloc(32, fill), ukad: Buffer.from('kad'), akad: Buffer.alloc(0), kadFormat: 1, rawReadDisabled: false };
}

/** What the drive lends: derivations of its key. */
function lent(key: BlockKey): EnvelopeKey {
  const deriver = new KeyDeriver();
  return { derive: (salt, generation) => deriver.derive(key.key, salt, generation) };
}

const RECORD = 256 * 1024;
const right = blockKey(0x11);
const wrong = blockKey(0x22);

async function writeBlocks(medium: TapeMedium, count: number, key: BlockKey): Promise<Buffer[]> {
  const blocks = Array.from({ length: count }, (_, i) => pattern(i + 1, RECORD));
  for (const block of blocks) await medium.write(block, { compress: true, encrypt: key });
  await medium.writeFilemarks(1);
  await medium.rewind();
  return blocks;
}

function encrypted(outcome: ReadOutcome): Extract<ReadOutcome, { kind: 'encrypted-block' }> {
  assert.equal(outcome.kind, 'encrypted-block');
  if (outcome.kind !== 'encrypted-block') throw new Error('unreachable');
  return outcome;
}

describe('sealed records opened as they are read', () => {
  test('blocks read with the drive key lent come back opened, and their envelopes still open on their own', async () => {
    const t = await tempStore();
    try {
      const d = cartridge({ barcode: 'AHEAD1' });
      await t.store.create(d);
      const medium = await t.store.open(d);
      const blocks = await writeBlocks(medium, 4, right);
      const key = lent(right);
      for (const block of blocks) {
        const outcome = encrypted(await medium.read({ openWith: key }));
        assert.ok(outcome.opened !== undefined && 'data' in outcome.opened, 'opened by the medium');
        assert.equal(outcome.opened.by, key);
        assert.deepEqual(outcome.opened.data, block);
        assert.deepEqual(openBlock(right.key, outcome.envelope, outcome.place), block, 'opened out of place: the envelope is intact');
        outcome.release?.();
      }
      assert.deepEqual(await medium.read({ openWith: key }), { kind: 'filemark' });
      await medium.close();
    } finally {
      await t.cleanup();
    }
  });

  test('a read lending another key than the read ahead is opened with the key it lends, and a read lending none is not opened', async () => {
    const t = await tempStore();
    try {
      const d = cartridge({ barcode: 'AHEAD2' });
      await t.store.create(d);
      const medium = await t.store.open(d);
      const blocks = await writeBlocks(medium, 3, right);
      const first = encrypted(await medium.read({ openWith: lent(right) }));
      first.release?.();
      const other = lent(wrong);
      const second = encrypted(await medium.read({ openWith: other }));
      assert.deepEqual(second.opened, { by: other, refused: 'incorrect-key' });
      second.release?.();
      const third = encrypted(await medium.read());
      assert.equal(third.opened, undefined);
      assert.deepEqual(openBlock(right.key, third.envelope, third.place), blocks[2]);
      await medium.close();
    } finally {
      await t.cleanup();
    }
  });

  test('with encryption at rest and a drive key both envelopes are opened, and a block without a drive key comes back in clear', async () => {
    const t = await tempStore();
    try {
      const { log } = capturingLogger();
      const store = new FileMediaStore({ directory: t.directory, log, masterKey: MasterKey.generate() });
      const d = cartridge({ barcode: 'AHEAD3' });
      await store.create(d);
      const medium = await store.open(d);
      const plain = pattern(7, RECORD);
      await medium.write(plain, { compress: false });
      const blocks = [pattern(8, RECORD), pattern(9, RECORD)];
      for (const block of blocks) await medium.write(block, { compress: false, encrypt: right });
      await medium.rewind();
      const key = lent(right);
      const clear = await medium.read({ openWith: key });
      assert.ok(clear.kind === 'block');
      assert.deepEqual(clear.data, plain);
      clear.release?.();
      for (const block of blocks) {
        const outcome = encrypted(await medium.read({ openWith: key }));
        assert.ok(outcome.opened !== undefined && 'data' in outcome.opened);
        assert.deepEqual(outcome.opened.data, block);
        assert.deepEqual(openBlock(right.key, outcome.envelope, outcome.place), block);
        outcome.release?.();
      }
      await medium.close();
    } finally {
      await t.cleanup();
    }
  });

  test('a sealed record whose stored bytes changed is a medium error for its CRC, with or without a key lent', async () => {
    const t = await tempStore();
    try {
      const d = cartridge({ barcode: 'AHEAD4' });
      await t.store.create(d);
      const medium = await t.store.open(d);
      await writeBlocks(medium, 2, right);
      await medium.close();
      // One byte of the second record's payload flipped.
      const file = await openFile(t.file('AHEAD4', 'data.vtape'), 'r+');
      const at = FILE_HEADER_BYTES + 2 * RECORD_HEADER_BYTES + Math.floor((await file.stat()).size / 4) * 3;
      const byte = Buffer.alloc(1);
      await file.read(byte, 0, 1, at);
      byte[0] ^= 0xff;
      await file.write(byte, 0, 1, at);
      await file.close();
      const again = await t.store.open(d);
      const key = lent(right);
      encrypted(await again.read({ openWith: key })).release?.();
      await assert.rejects(again.read({ openWith: key }), (error: unknown) => error instanceof MediaFormatError && /CRC/.test(error.message));
      await again.locate(1);
      await assert.rejects(again.read(), (error: unknown) => error instanceof MediaFormatError && /CRC/.test(error.message));
      await again.close();
    } finally {
      await t.cleanup();
    }
  });
});

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { silentLogger } from '../log.js';
import { emptyLifetime, type CartridgeMetadata } from './cartridge-metadata.js';
import { ENVELOPE_FIXED_BYTES, type BlockKey } from './crypto/record-envelope.js';
import { SealingGenerations } from './crypto/sealing-generations.js';
import { encodeFileHeader, ENCRYPTED_FORMAT_VERSION, fileVersion, FORMAT_VERSION } from './file-header.js';
import { RecordFlag } from './record-header.js';
import { RecordSealing } from './record-sealing.js';
import { ScriptedFile } from './testing/scripted-file.js';

/** A sealing over a file whose header says `version`; drains are logged in the file's call list, to see their order. */
function sealingOver(version: number, dataKey?: Buffer): { sealing: RecordSealing; file: ScriptedFile } {
  const file = new ScriptedFile();
  file.bytes = Buffer.concat([encodeFileHeader(version), Buffer.alloc(64)]);
  const metadata: CartridgeMetadata = {
    format: 1, barcode: 'L00001L8', generation: 8, worm: false, capacityBytes: 1 << 30, pass: 0, loadCount: 1,
    lifetime: emptyLifetime(), attributes: {}, createdAt: '2026-01-01T00:00:00.000Z',
  };
  const sealing = new RecordSealing({
    file, version, sealing: new SealingGenerations(metadata, () => Promise.resolve()), ...(dataKey ? { dataKey } : {}),
    drain: () => Promise.resolve(void file.calls.push('drain')), log: silentLogger(),
  });
  return { sealing, file };
}

const hostKey: BlockKey = { key: randomBytes(32), ukad: Buffer.alloc(0), akad: Buffer.alloc(0), kadFormat: 0, rawReadDisabled: true };
const place = { objectNumber: 0, pass: 0, logicalLength: 4096, compressed: false };

describe('RecordSealing', () => {
  test('a run of filemarks in a version 1 file first drains, then rewrites the header and syncs it, once', async () => {
    const { sealing, file } = sealingOver(1);
    await sealing.beforeFilemarks(1);
    assert.equal(file.calls.length, 0, 'a single filemark is readable by any version');
    await sealing.beforeFilemarks(3);
    assert.deepEqual(file.calls.map((c) => c.split(' ')[0]), ['drain', 'write', 'sync']);
    assert.equal(fileVersion(file.bytes), FORMAT_VERSION);
    assert.equal(sealing.version, FORMAT_VERSION);
    await sealing.beforeFilemarks(3);
    assert.equal(file.calls.length, 3);
  });

  test('a file that announces a version already is never rewritten', async () => {
    const { sealing, file } = sealingOver(ENCRYPTED_FORMAT_VERSION, randomBytes(32));
    await sealing.beforeFilemarks(5);
    await sealing.seal(randomBytes(4096), place, undefined);
    assert.equal(file.calls.length, 0);
  });

  test('seals() is true for a host key or a data key, false for neither', () => {
    assert.equal(sealingOver(2).sealing.seals(undefined), false);
    assert.equal(sealingOver(2).sealing.seals(hostKey), true);
    assert.equal(sealingOver(2, randomBytes(32)).sealing.seals(undefined), true);
    assert.equal(sealingOver(2).sealing.atRest, undefined);
  });

  test('the first sealed record of a version 2 file upgrades it before sealing, and the flags say which envelopes', async () => {
    const { sealing, file } = sealingOver(FORMAT_VERSION, randomBytes(32));
    const atRest = await sealing.seal(randomBytes(4096), place, undefined);
    assert.equal(fileVersion(file.bytes), ENCRYPTED_FORMAT_VERSION);
    assert.deepEqual(file.calls.map((c) => c.split(' ')[0]), ['drain', 'write', 'sync']);
    assert.equal(atRest.flags, RecordFlag.AT_REST);
    assert.equal(atRest.length, 4096 + ENVELOPE_FIXED_BYTES);
    const both = await sealing.seal(randomBytes(4096), { ...place, objectNumber: 1 }, hostKey);
    assert.equal(both.flags, RecordFlag.AT_REST | RecordFlag.ENCRYPTED);
  });
});

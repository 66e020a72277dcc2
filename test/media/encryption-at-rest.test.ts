// FORMAT.md "Encryption at rest": with a master key every record's payload is sealed under its cartridge's data key;
// without the right master key the cartridge is refused and left byte for byte as it was; `vtl key rotate` re-wraps
// the data keys and rewrites no record.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { silentLogger } from '../../src/log.js';
import { CartridgeKeyError, MasterKey } from '../../src/media/crypto/master-key.js';
import { openBlock } from '../../src/media/crypto/open-block.js';
import { rotateMasterKey } from '../../src/media/crypto/rotate-master-key.js';
import { FileMediaStore } from '../../src/media/file-media-store.js';
import { LocalStorage } from '../../src/storage/local-storage.js';
import { capturingLogger, cartridge, pattern, tempStore } from './cartridge-fixture.js';

const MARKER = 'AT-REST-MARKER-91d2';
const hostKey = { key: Buffer.alloc(32, 0x61), ukad: Buffer.alloc(0), akad: Buffer.alloc(0), kadFormat: 0, rawReadDisabled: false };

function marked(length: number): Buffer {
  return Buffer.from(`${MARKER} `.repeat(Math.ceil(length / (MARKER.length + 1)))).subarray(0, length);
}

/** Every file under `directory` with its SHA-256. */
async function snapshot(directory: string): Promise<Map<string, string>> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  const files = new Map<string, string>();
  for (const e of entries.filter((x) => x.isFile())) {
    const file = path.join(e.parentPath, e.name);
    files.set(file, createHash('sha256').update(await readFile(file)).digest('hex'));
  }
  return files;
}

function storeWith(directory: string, masterKey?: MasterKey): FileMediaStore {
  const { log } = capturingLogger();
  return new FileMediaStore({ directory, log, ...(masterKey ? { masterKey } : {}) });
}

describe('encryption at rest', () => {
  test('a marker the host wrote appears nowhere in the data directory, and reads back whole', async () => {
    const t = await tempStore();
    try {
      const master = MasterKey.generate();
      const store = storeWith(t.directory, master);
      const d = cartridge({ barcode: 'REST01' });
      await store.create(d);
      const medium = await store.open(d);
      const blocks = [marked(256 * 1024), Buffer.concat([Buffer.from(MARKER), pattern(3, 3000)]), marked(2 * 1024 * 1024)];
      await medium.write(blocks[0], { compress: true });
      await medium.write(blocks[1], { compress: false });
      await medium.write(blocks[2], { compress: true });
      await medium.write(marked(5000), { compress: true, encrypt: hostKey });
      await medium.writeFilemarks(1);
      await medium.close();
      for (const file of (await snapshot(t.directory)).keys()) {
        assert.equal((await readFile(file)).includes(Buffer.from(MARKER)), false, `${file} holds the marker`);
      }
      const again = await store.open(d);
      for (const block of blocks) {
        const outcome = await again.read();
        assert.ok(outcome.kind === 'block');
        assert.deepEqual(outcome.data, block);
      }
      const sealed = await again.read();
      assert.ok(sealed.kind === 'encrypted-block', 'a host-encrypted block is still the host key holder\'s to open');
      assert.deepEqual(openBlock(hostKey.key, sealed.envelope, sealed.place), marked(5000));
      assert.deepEqual(await again.read(), { kind: 'filemark' });
      await again.close();
    } finally {
      await t.cleanup();
    }
  });

  test('with another master key, or none, the cartridge is refused with its reason and nothing on disk changes', async () => {
    const t = await tempStore();
    try {
      const master = MasterKey.generate();
      const d = cartridge({ barcode: 'REST02' });
      const store = storeWith(t.directory, master);
      await store.create(d);
      const medium = await store.open(d);
      await medium.write(marked(10_000), { compress: true });
      await medium.close();
      const before = await snapshot(t.directory);
      const other = MasterKey.generate();
      await assert.rejects(storeWith(t.directory, other).open(d), (error: unknown) => {
        assert.ok(error instanceof CartridgeKeyError);
        assert.match(error.message, new RegExp(`wrapped by master key ${master.id}, and the configured master key is ${other.id}`));
        return true;
      });
      await assert.rejects(storeWith(t.directory).open(d), /no master key is configured/);
      assert.deepEqual(await snapshot(t.directory), before);
    } finally {
      await t.cleanup();
    }
  });

  test('key rotation re-wraps the data keys, rewrites no record, and the new key reads everything', async () => {
    const t = await tempStore();
    try {
      const old = MasterKey.generate();
      const next = MasterKey.generate();
      const store = storeWith(t.directory, old);
      for (const barcode of ['ROT001', 'ROT002']) {
        const d = cartridge({ barcode });
        await store.create(d);
        const medium = await store.open(d);
        await medium.write(marked(4000), { compress: true });
        await medium.close();
      }
      const plain = cartridge({ barcode: 'ROT003' });
      await storeWith(t.directory).create(plain);
      const dataBefore = await readFile(t.file('ROT001', 'data.vtape'));
      const report = await rotateMasterKey(new LocalStorage(t.directory), old, next, silentLogger());
      assert.deepEqual(report, { rotated: ['ROT001', 'ROT002'], alreadyNew: [], plain: ['ROT003'], failed: [] });
      assert.deepEqual(await readFile(t.file('ROT001', 'data.vtape')), dataBefore);
      const again = await rotateMasterKey(new LocalStorage(t.directory), old, next, silentLogger());
      assert.deepEqual(again.alreadyNew, ['ROT001', 'ROT002'], 'running it again changes nothing');
      await assert.rejects(storeWith(t.directory, old).open(cartridge({ barcode: 'ROT001' })), CartridgeKeyError);
      const medium = await storeWith(t.directory, next).open(cartridge({ barcode: 'ROT002' }));
      const outcome = await medium.read();
      assert.ok(outcome.kind === 'block');
      assert.deepEqual(outcome.data, marked(4000));
      await medium.close();
    } finally {
      await t.cleanup();
    }
  });

  test('a cartridge written in clear gets a data key at its first load with a master key; its old records still read', async () => {
    const t = await tempStore();
    try {
      const d = cartridge({ barcode: 'REST04' });
      const clear = storeWith(t.directory);
      await clear.create(d);
      const first = await clear.open(d);
      await first.write(pattern(1, 500), { compress: false });
      await first.close();
      const store = storeWith(t.directory, MasterKey.generate());
      const medium = await store.open(d);
      await medium.spaceToEndOfData();
      await medium.write(Buffer.concat([Buffer.from(MARKER), pattern(2, 500)]), { compress: false });
      await medium.close();
      assert.equal((await readFile(t.file('REST04', 'data.vtape'))).includes(Buffer.from(MARKER)), false);
      const again = await store.open(d);
      const a = await again.read();
      const b = await again.read();
      assert.ok(a.kind === 'block' && b.kind === 'block');
      assert.deepEqual([a.data, b.data], [pattern(1, 500), Buffer.concat([Buffer.from(MARKER), pattern(2, 500)])]);
      await again.close();
    } finally {
      await t.cleanup();
    }
  });

  test('a wrapped data key is bound to its barcode: moved to another cartridge it does not unwrap', () => {
    const master = MasterKey.generate();
    const wrapped = master.wrap(Buffer.alloc(32, 9), 'AAA001');
    assert.deepEqual(master.unwrap(wrapped, 'AAA001'), Buffer.alloc(32, 9));
    assert.throws(() => master.unwrap(wrapped, 'AAA002'), CartridgeKeyError);
    assert.throws(() => MasterKey.parse('abc', 'test'), RangeError);
    assert.equal(MasterKey.parse(`${'0f'.repeat(32)}\n`, 'test').id, MasterKey.parse('0F'.repeat(32), 'test').id);
  });
});

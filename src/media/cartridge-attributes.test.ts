import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CartridgeAttributes } from './cartridge-attributes.js';
import { emptyLifetime, setRetention, type CartridgeMetadata, type MediumRetentionLock } from './cartridge-metadata.js';

function setup(attributes: Record<string, string> = {}): { parts: CartridgeAttributes; metadata: CartridgeMetadata; saved: string[] } {
  const metadata: CartridgeMetadata = {
    format: 1, barcode: 'A00001L8', generation: 8, worm: false, capacityBytes: 1 << 20, pass: 0, loadCount: 1,
    lifetime: emptyLifetime(), attributes, createdAt: '2026-01-01T00:00:00.000Z',
  };
  const saved: string[] = [];
  const persistence = {
    saveMetadata: () => Promise.resolve(void saved.push(JSON.stringify(metadata.attributes))),
    saveRetention: (lock: MediumRetentionLock) => {
      setRetention(metadata, lock);
      saved.push(`retention ${lock.mode}`);
      return Promise.resolve();
    },
  };
  return { parts: new CartridgeAttributes(metadata, persistence), metadata, saved };
}

describe('CartridgeAttributes', () => {
  test('attributes read from the metadata come back by identifier, as copies the caller cannot change', () => {
    const { parts } = setup({ '0806': Buffer.from('host').toString('base64') });
    const first = parts.read();
    assert.deepEqual([...first.keys()], [0x0806]);
    first.get(0x0806)!.fill(0);
    assert.equal(parts.read().get(0x0806)!.toString(), 'host');
  });

  test('writeAttributes() saves the metadata with the update applied, and a zero-length value deletes', async () => {
    const { parts, metadata, saved } = setup({ '0806': Buffer.from('host').toString('base64') });
    const value = Buffer.from('vtl');
    await parts.write(new Map([[0x0800, value], [0x0806, Buffer.alloc(0)]]));
    value.fill(0);
    assert.equal(parts.read().get(0x0800)!.toString(), 'vtl', 'the value was copied in');
    assert.equal(parts.read().has(0x0806), false);
    assert.deepEqual(metadata.attributes, { '0800': Buffer.from('vtl').toString('base64') });
    assert.deepEqual(saved, [JSON.stringify({ '0800': Buffer.from('vtl').toString('base64') })]);
  });

  test('the retention lock is undefined until one is kept, then a copy of the kept one', async () => {
    const { parts, saved } = setup();
    assert.equal(parts.retentionLock(), undefined);
    const lock: MediumRetentionLock = { mode: 'compliance', startedAt: '2026-01-01T00:00:00.000Z', until: '2027-01-01T00:00:00.000Z', setBy: 'admin' };
    await parts.keepRetentionLock(lock);
    assert.deepEqual(saved, ['retention compliance']);
    const kept = parts.retentionLock()!;
    assert.deepEqual(kept, lock);
    (kept as { until: string }).until = '2030-01-01T00:00:00.000Z';
    assert.equal(parts.retentionLock()!.until, lock.until);
  });
});

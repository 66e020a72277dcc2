import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32c } from '../../crc32c.js';
import { PayloadWorkers } from '../payload-workers.js';
import { noise } from '../testing/noise.js';
import { openRecord, sealRecord, type BlockKey, type RecordPlace, type SealingIdentity } from './record-envelope.js';
import { RecordSealer, type SealedPayload, type SealingPlace } from './record-sealer.js';

const hostKey: BlockKey = { key: Buffer.alloc(32, 0x11), ukad: Buffer.from('volume 7'), akad: Buffer.from('ak'), kadFormat: 2, rawReadDisabled: true };
const dataKey = Buffer.alloc(32, 0x22);
const dataBlockKey: BlockKey = { key: dataKey, ukad: Buffer.alloc(0), akad: Buffer.alloc(0), kadFormat: 0, rawReadDisabled: false };
const identity: SealingIdentity = { salt: Buffer.alloc(16, 0x33), generation: 4 };
const place: RecordPlace = { objectNumber: 12, pass: 3, logicalLength: 300_000, compressed: false };
// Longer than one of node:crypto's pieces (64 KiB) and not a multiple of it, so the pieces and the in-place seal are exercised.
const payload = noise(5, 300_000);

/** What into() puts in memory of the sealed length (as the writer's staging chunk is), and the CRC it returns. */
function stored(sealed: SealedPayload): { stored: Buffer; crc: number } {
  const memory = Buffer.alloc(sealed.length + 7, 0xee);
  const crc = sealed.into(memory.subarray(3, 3 + sealed.length));
  assert.ok(memory.subarray(0, 3).equals(Buffer.alloc(3, 0xee)) && memory.subarray(3 + sealed.length).equals(Buffer.alloc(4, 0xee)), 'into() wrote outside its room');
  return { stored: memory.subarray(3, 3 + sealed.length), crc };
}

/** The payload in shared memory (as the compression stage holds it), which goes to a worker. */
function inSharedMemory(bytes: Buffer): Buffer {
  const copy = Buffer.from(new SharedArrayBuffer(bytes.length + 100), 100, bytes.length);
  bytes.copy(copy);
  return copy;
}

test('a record is sealed byte for byte as sealRecord() does, with the host key, the data key or both, here or on a worker', async () => {
  const workers = new PayloadWorkers(1, 50);
  const cases = (where: SealingPlace): { name: string; sealer: RecordSealer; key?: BlockKey; expected: Buffer }[] => [
    { name: 'host key', sealer: new RecordSealer(undefined, workers, where), key: hostKey, expected: sealRecord(hostKey, payload, place, identity) },
    { name: 'data key', sealer: new RecordSealer(dataKey, workers, where), expected: sealRecord(dataBlockKey, payload, place, identity) },
    { name: 'both', sealer: new RecordSealer(dataKey, workers, where), key: hostKey, expected: sealRecord(dataBlockKey, sealRecord(hostKey, payload, place, identity), place, identity) },
  ];
  for (const where of ['here', 'worker'] satisfies SealingPlace[]) {
    for (const c of cases(where)) {
      // A payload in shared memory goes to the worker when sealing is placed there; the host's own block never does.
      for (const [memory, input] of [['own memory', payload], ['shared memory', inSharedMemory(payload)]] as const) {
        const { stored: bytes, crc } = stored(await c.sealer.seal(input, place, identity, c.key));
        assert.equal(bytes.toString('hex'), c.expected.toString('hex'), `${c.name}, ${where}, ${memory}`);
        assert.equal(crc, crc32c(c.expected), `${c.name}, ${where}, ${memory}`);
      }
    }
  }
  // The inner envelope opens to the payload once the outer one is opened.
  const both = stored(await new RecordSealer(dataKey, workers).seal(payload, place, identity, hostKey)).stored;
  const inner = openRecord(dataKey, both, place);
  assert.ok(Buffer.isBuffer(inner));
  const opened = openRecord(hostKey.key, inner, place);
  assert.ok(Buffer.isBuffer(opened) && opened.equals(payload));
});

test('a payload in shared memory whose worker has stopped is sealed by the caller', async () => {
  const shared = inSharedMemory(payload);
  const expected = sealRecord(dataBlockKey, sealRecord(hostKey, payload, place, identity), place, identity);
  // A worker pool whose every job fails, as when the worker has stopped.
  const stopped = Object.assign(Object.create(PayloadWorkers.prototype) as PayloadWorkers, {
    seal: () => Promise.resolve({ problem: 'the payload worker stopped' }),
  });
  const fallback = stored(await new RecordSealer(dataKey, stopped, 'worker').seal(shared, place, identity, hostKey));
  assert.ok(fallback.stored.equals(expected));
  assert.equal(fallback.crc, crc32c(expected));
});

test('a key-associated data longer than SSC-4 allows is refused, on the worker or not', async () => {
  const sealer = new RecordSealer(undefined, new PayloadWorkers(1, 50), 'worker');
  const tooLong = { ...hostKey, ukad: Buffer.alloc(33) };
  await assert.rejects(sealer.seal(payload, place, identity, tooLong), /key-associated data is too long/);
  await assert.rejects(sealer.seal(inSharedMemory(payload), place, identity, tooLong), /key-associated data is too long/);
  const here = new RecordSealer(undefined, new PayloadWorkers(1, 50), 'here');
  await assert.rejects(here.seal(payload, place, identity, tooLong), /key-associated data is too long/);
  await assert.rejects(here.seal(payload, place, { ...identity, salt: Buffer.alloc(8) }, hostKey), /sealing salt has 16 bytes/);
});

test('each WRITE\'s own copy of a key is sealed with its own KADs, whether they changed or not', async () => {
  const sealer = new RecordSealer(undefined, new PayloadWorkers(1, 50), 'here');
  const copies: BlockKey[] = [
    { ...hostKey, key: Buffer.from(hostKey.key), ukad: Buffer.from(hostKey.ukad) },
    { ...hostKey, key: Buffer.from(hostKey.key), ukad: Buffer.from('volume 8') },
    { ...hostKey, key: Buffer.from(hostKey.key), akad: Buffer.alloc(0), kadFormat: 1, rawReadDisabled: false },
    { ...hostKey, key: Buffer.from(hostKey.key) },
  ];
  for (const [i, key] of copies.entries()) {
    const at = { ...place, objectNumber: 20 + i };
    const { stored: bytes } = stored(await sealer.seal(payload, at, identity, key));
    assert.ok(bytes.equals(sealRecord(key, payload, at, identity)), `copy ${i}`);
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { uncompressSync } from 'lz4-napi';
import { crc32c } from '../crc32c.js';
import { PayloadWorkers } from './payload-workers.js';
import { noise } from './testing/noise.js';

const text = Buffer.from('the quick brown fox jumps over the lazy dog; '.repeat(2000));

/** Compress `block` on `workers`; the compressed bytes (or undefined: store as is) and the CRC the worker gave. */
async function compress(workers: PayloadWorkers, block: Buffer): Promise<{ stored: Buffer | undefined; crc: number }> {
  const memory = new SharedArrayBuffer(2 * block.length + 1024);
  Buffer.from(memory).set(block);
  const reply = await workers.compress({ input: memory, inputOffset: 0, length: block.length, output: memory, outputOffset: block.length, outputCapacity: block.length + 1024 });
  assert.ok(!('problem' in reply), 'the worker answers');
  return { stored: reply.length < 0 ? undefined : Buffer.from(Buffer.from(memory, block.length, reply.length)), crc: reply.crc };
}

test('a worker compresses and gives the CRC of what is to be stored; decompressing checks the CRC of the input', async () => {
  const workers = new PayloadWorkers(1, 50);
  const { stored, crc } = await compress(workers, text);
  assert.ok(stored !== undefined && stored.length < text.length);
  assert.equal(crc, crc32c(stored));
  assert.ok(uncompressSync(stored).equals(text));

  const incompressible = noise(1, 64 * 1024);
  const raw = await compress(workers, incompressible);
  assert.equal(raw.stored, undefined, 'a form that is not shorter is not kept');
  assert.equal(raw.crc, crc32c(incompressible), 'the CRC is then that of the block itself');

  const memory = new SharedArrayBuffer(stored.length + text.length);
  Buffer.from(memory).set(stored);
  const back = await workers.decompress({ input: memory, inputOffset: 0, length: stored.length, output: memory, outputOffset: stored.length, outputCapacity: text.length });
  assert.deepEqual(back, { length: text.length, crc: crc32c(stored) });
  assert.ok(Buffer.from(memory, stored.length, text.length).equals(text));
});

test('an idle worker exits and the next job starts a new one', async () => {
  const workers = new PayloadWorkers(1, 50);
  assert.equal(workers.running, 0, 'workers start on first use');
  await compress(workers, text);
  assert.equal(workers.running, 1);
  for (let waited = 0; workers.running > 0 && waited < 5000; waited += 25) await sleep(25);
  assert.equal(workers.running, 0, 'the idle worker exited');
  const again = await compress(workers, text);
  assert.ok(again.stored !== undefined && uncompressSync(again.stored).equals(text));
  assert.equal(workers.running, 1);
});

test('jobs queued on one worker all at once are each answered with their own result', async () => {
  const workers = new PayloadWorkers(1, 50);
  const blocks = Array.from({ length: 12 }, (_, i) => (i % 3 === 2 ? noise(i, 32 * 1024) : Buffer.from(`block ${i}: `.repeat(4000 + i * 100))));
  const results = await Promise.all(blocks.map((block) => compress(workers, block)));
  results.forEach(({ stored, crc }, i) => {
    if (i % 3 === 2) {
      assert.equal(stored, undefined, `block ${i} is incompressible`);
      assert.equal(crc, crc32c(blocks[i]));
    } else {
      assert.ok(stored !== undefined && uncompressSync(stored).equals(blocks[i]), `block ${i} round-trips`);
      assert.equal(crc, crc32c(stored));
    }
  });
});

test('a block whose compressed form would not be shorter, down to an empty or one-byte block, is stored as it is', async () => {
  const workers = new PayloadWorkers(1, 50);
  for (const block of [Buffer.alloc(0), Buffer.from('x'), noise(3, 16)]) {
    const { stored, crc } = await compress(workers, block);
    assert.equal(stored, undefined, `${block.length} bytes`);
    assert.equal(crc, crc32c(block));
  }
  const memory = new SharedArrayBuffer(text.length + 1024);
  Buffer.from(memory).set(text);
  // The output has room for less than the compressed form: the block is stored as it is, nothing written past it.
  const tight = await workers.compress({ input: memory, inputOffset: 0, length: text.length, output: memory, outputOffset: text.length, outputCapacity: 64 });
  assert.deepEqual(tight, { length: -1, crc: crc32c(text) });
});

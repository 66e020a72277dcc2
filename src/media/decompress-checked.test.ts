import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { compressSync } from 'lz4-napi';
import { crc32c } from '../crc32c.js';
import type { CodecJob, CodecResult } from './payload-workers.js';
import { CRC_PROBLEM, decompressChecked } from './decompress-checked.js';
import { noise } from './testing/noise.js';

/** A stand-in for the payload workers that answers `answer` and remembers the jobs it got. */
function fakeWorkers(answer: CodecResult): { decompress(job: CodecJob): Promise<CodecResult>; jobs: CodecJob[] } {
  const jobs: CodecJob[] = [];
  return { jobs, decompress: (job) => { jobs.push(job); return Promise.resolve(answer); } };
}

function shared(bytes: Buffer): Buffer {
  const b = Buffer.from(new SharedArrayBuffer(bytes.length));
  bytes.copy(b);
  return b;
}

const block = Buffer.concat([noise(7, 3000), Buffer.alloc(5000, 0x41)]);
const packed = compressSync(block);

describe('decompressChecked()', () => {
  test('decompresses a payload whose CRC matches into the buffer given, on the event loop for plain memory', async () => {
    const workers = fakeWorkers({ problem: 'must not be asked' });
    const out = Buffer.alloc(block.length);
    assert.equal(await decompressChecked(workers, packed, out, crc32c(packed)), block.length);
    assert.deepEqual(out, block);
    assert.equal(workers.jobs.length, 0);
  });

  test('reports CRC_PROBLEM for a payload whose CRC does not match, before it is decompressed', async () => {
    const damaged = Buffer.from(packed);
    damaged[damaged.length - 1] ^= 0xff;
    const out = Buffer.alloc(block.length);
    assert.equal(await decompressChecked(fakeWorkers({ problem: 'unused' }), damaged, out, crc32c(packed)), CRC_PROBLEM);
    assert.ok(out.every((b) => b === 0), 'nothing was written into out');
  });

  test('reports the length when the payload decompresses to more than the buffer holds', async () => {
    const out = Buffer.alloc(100);
    assert.equal(await decompressChecked(fakeWorkers({ problem: 'unused' }), packed, out, crc32c(packed)), block.length);
  });

  test('answers why the codec refused a payload that passes its CRC but is not LZ4', async () => {
    // Declares 8 bytes, then a match whose offset points before the start of the output.
    const garbage = Buffer.from([8, 0, 0, 0, 0x00, 0x09, 0x00]);
    const answer = await decompressChecked(fakeWorkers({ problem: 'unused' }), garbage, Buffer.alloc(64), crc32c(garbage));
    assert.equal(typeof answer, 'string');
    assert.notEqual(answer, CRC_PROBLEM);
  });

  test('hands shared memory to a worker and takes its CRC and length', async () => {
    const stored = shared(packed);
    const out = Buffer.from(new SharedArrayBuffer(block.length));
    const ok = fakeWorkers({ length: block.length, crc: crc32c(packed) });
    assert.equal(await decompressChecked(ok, stored, out, crc32c(packed)), block.length);
    assert.equal(ok.jobs.length, 1);
    assert.equal(ok.jobs[0]?.length, stored.length);
    const wrong = fakeWorkers({ length: block.length, crc: crc32c(packed) ^ 1 });
    assert.equal(await decompressChecked(wrong, stored, out, crc32c(packed)), CRC_PROBLEM);
  });

  test('does both checks on the event loop when the worker answers with a problem', async () => {
    const stored = shared(packed);
    const out = Buffer.from(new SharedArrayBuffer(block.length));
    assert.equal(await decompressChecked(fakeWorkers({ problem: 'the worker stopped' }), stored, out, crc32c(packed)), block.length);
    assert.deepEqual(Buffer.from(out), block);
    assert.equal(await decompressChecked(fakeWorkers({ problem: 'the worker stopped' }), stored, out, crc32c(packed) ^ 1), CRC_PROBLEM);
  });
});

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { uncompressSync } from 'lz4-napi';
import { CompressionPolicy, MAX_UNSAMPLED_BLOCKS, MIN_COMPRESS_BYTES, SAMPLE_BYTES } from './compression-policy.js';
import { noise } from './testing/noise.js';

function text(length: number): Buffer {
  const line = 'INSERT INTO t VALUES (42, \'someone@example.org\', \'Lyon\');\n';
  return Buffer.from(line.repeat(Math.ceil(length / line.length)).slice(0, length));
}

describe('CompressionPolicy', () => {
  test('a compressible block comes back compressed and decompresses to the block', async () => {
    const block = text(64 * 1024);
    const compressed = await new CompressionPolicy().compress(block);
    assert.ok(compressed !== undefined && compressed.length < block.length / 4);
    assert.ok(uncompressSync(compressed).equals(block));
  });

  test('blocks shorter than the threshold are never compressed', async () => {
    const policy = new CompressionPolicy();
    assert.equal(await policy.compress(Buffer.alloc(MIN_COMPRESS_BYTES - 1, 0x41)), undefined);
    assert.equal(await policy.compress(Buffer.alloc(0)), undefined);
    assert.ok((await policy.compress(Buffer.alloc(MIN_COMPRESS_BYTES, 0x41))) !== undefined);
  });

  test('an incompressible block is stored as is, and compression resumes when the data compresses again', async () => {
    const policy = new CompressionPolicy();
    assert.equal(await policy.compress(noise(1, 256 * 1024)), undefined);
    assert.equal(await policy.compress(noise(2, 256 * 1024)), undefined, 'the sample of the next noise block does not shrink');
    const block = text(256 * 1024);
    // After a failed sample a few blocks go unsampled (at most MAX_UNSAMPLED_BLOCKS), then compression resumes.
    let tries = 1;
    let compressed = await policy.compress(block);
    for (; compressed === undefined && tries <= MAX_UNSAMPLED_BLOCKS; tries++) compressed = await policy.compress(block);
    assert.ok(tries <= 2, `resumed after ${tries} blocks`);
    assert.ok(compressed !== undefined && uncompressSync(compressed).equals(block));
  });

  test('a long incompressible stream is sampled less and less often, at least every MAX_UNSAMPLED_BLOCKS + 1 blocks', async () => {
    const policy = new CompressionPolicy();
    const tried: boolean[] = [];
    for (let n = 0; n < 40; n++) tried.push(n === 0 ? (await policy.compress(noise(n + 10, 64 * 1024)), true) : policy.worthTrying(noise(n + 10, 64 * 1024)));
    const gaps = tried.map((_, i) => i).filter((i) => i > 0 && tried[i] === false).length;
    assert.ok(gaps >= 30, `most blocks go unsampled (${gaps} of 39)`);
    const block = text(64 * 1024);
    let n = 0;
    while (!policy.worthTrying(block)) n++;
    assert.ok(n <= MAX_UNSAMPLED_BLOCKS, `text is noticed within ${n + 1} blocks`);
  });

  test('after noise, a block whose middle sample is noise is stored as is even if its head compresses', async () => {
    const policy = new CompressionPolicy();
    assert.equal(await policy.compress(noise(3, 64 * 1024)), undefined);
    const mixed = Buffer.concat([Buffer.alloc(8 * 1024, 0x41), noise(4, 4 * SAMPLE_BYTES)]);
    assert.equal(await policy.compress(mixed), undefined);
  });
});

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { compressSync, uncompressSync } from 'lz4-napi';
import { CompressionPolicy, MAX_UNSAMPLED_BLOCKS, MIN_COMPRESS_BYTES, SAMPLE_BYTES } from './compression-policy.js';
import { noise } from './testing/noise.js';

function text(length: number): Buffer {
  const line = 'INSERT INTO t VALUES (42, \'someone@example.org\', \'Lyon\');\n';
  return Buffer.from(line.repeat(Math.ceil(length / line.length)).slice(0, length));
}

/** What the medium does with a block (on a worker there): try it if the policy says so, and report the result. */
function compressWith(policy: CompressionPolicy, block: Buffer): Buffer | undefined {
  if (!policy.worthTrying(block)) return undefined;
  const compressed = compressSync(block);
  policy.observe(block.length, compressed.length);
  return compressed.length < block.length ? compressed : undefined;
}

describe('CompressionPolicy', () => {
  test('a compressible block comes back compressed and decompresses to the block', () => {
    const block = text(64 * 1024);
    const compressed = compressWith(new CompressionPolicy(), block);
    assert.ok(compressed !== undefined && compressed.length < block.length / 4);
    assert.ok(uncompressSync(compressed).equals(block));
  });

  test('blocks shorter than the threshold are never compressed', () => {
    const policy = new CompressionPolicy();
    assert.equal(compressWith(policy, Buffer.alloc(MIN_COMPRESS_BYTES - 1, 0x41)), undefined);
    assert.equal(compressWith(policy, Buffer.alloc(0)), undefined);
    assert.ok(compressWith(policy, Buffer.alloc(MIN_COMPRESS_BYTES, 0x41)) !== undefined);
  });

  test('an incompressible block is stored as is, and compression resumes when the data compresses again', () => {
    const policy = new CompressionPolicy();
    assert.equal(compressWith(policy, noise(1, 256 * 1024)), undefined);
    assert.equal(compressWith(policy, noise(2, 256 * 1024)), undefined, 'the sample of the next noise block does not shrink');
    const block = text(256 * 1024);
    // After a failed sample a few blocks go unsampled (at most MAX_UNSAMPLED_BLOCKS), then compression resumes.
    let tries = 1;
    let compressed = compressWith(policy, block);
    for (; compressed === undefined && tries <= MAX_UNSAMPLED_BLOCKS; tries++) compressed = compressWith(policy, block);
    assert.ok(tries <= 2, `resumed after ${tries} blocks`);
    assert.ok(compressed !== undefined && uncompressSync(compressed).equals(block));
  });

  test('a long incompressible stream is sampled less and less often, at least every MAX_UNSAMPLED_BLOCKS + 1 blocks', () => {
    const policy = new CompressionPolicy();
    const tried: boolean[] = [];
    for (let n = 0; n < 40; n++) tried.push(n === 0 ? (compressWith(policy, noise(n + 10, 64 * 1024)), true) : policy.worthTrying(noise(n + 10, 64 * 1024)));
    const gaps = tried.map((_, i) => i).filter((i) => i > 0 && tried[i] === false).length;
    assert.ok(gaps >= 30, `most blocks go unsampled (${gaps} of 39)`);
    const block = text(64 * 1024);
    let n = 0;
    while (!policy.worthTrying(block)) n++;
    assert.ok(n <= MAX_UNSAMPLED_BLOCKS, `text is noticed within ${n + 1} blocks`);
  });

  test('after noise, a block whose middle sample is noise is stored as is even if its head compresses', () => {
    const policy = new CompressionPolicy();
    assert.equal(compressWith(policy, noise(3, 64 * 1024)), undefined);
    const mixed = Buffer.concat([Buffer.alloc(8 * 1024, 0x41), noise(4, 4 * SAMPLE_BYTES)]);
    assert.equal(compressWith(policy, mixed), undefined);
  });
});

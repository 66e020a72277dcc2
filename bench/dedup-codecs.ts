// Which codec and level the chunk store compresses with (issue 17, docs/BENCHMARKS.md "Issue 17: session 10, zstd"):
// the bench's kinds of data (a third text-like, a third incompressible, a third half of each, as bench/dedup.ts's
// files), cut into chunks by the content chunker, then for each candidate the pass's compression of every chunk as
// the store does it (LZ4 probe, then the codec on the whole chunk if the probe shrinks) and the restore's
// decompression of every stored chunk into one reused buffer: stored bytes, and CPU seconds per GB of chunks (process
// user + sys, so a busy shared machine skews it less than wall time). Usage: node dist/bench/dedup-codecs.js [--mib N]
import { chooseCodecs, codecChoice, type CodecChoice } from '../src/media/codec/codec-choice.js';
import { loadLiblz4 } from '../src/media/codec/liblz4-codec.js';
import { loadLibzstd } from '../src/media/codec/libzstd-codec.js';
import { ChunkEncoder, decompressChunkInto, type ChunkCompression, type StoredPayload } from '../src/media/dedup/chunk-compression.js';
import { ENTRY_HEADER_BYTES } from '../src/media/dedup/chunk-container.js';
import { ContentChunker } from '../src/media/dedup/content-chunker.js';
import { compressibleBlock, incompressibleBlock } from './dedup-data.js';

const at = process.argv.indexOf('--mib');
const mib = at > 0 ? Number(process.argv[at + 1]) : 256;
const roundsAt = process.argv.indexOf('--rounds');
const rounds = roundsAt > 0 ? Number(process.argv[roundsAt + 1]) : 2;
const BLOCK = 256 * 1024;

function block(i: number): Buffer {
  if (i % 3 === 0) return compressibleBlock(i, BLOCK);
  if (i % 3 === 1) return incompressibleBlock(i, BLOCK);
  const half = compressibleBlock(i, BLOCK);
  incompressibleBlock(i, BLOCK / 2).copy(half, 0);
  return half;
}

const chunks: Buffer[] = [];
const chunker = new ContentChunker();
let open: Buffer[] = [];
for (let i = 0; i < (mib * 1024 * 1024) / BLOCK; i++) {
  const data = block(i);
  let from = 0;
  for (const cut of chunker.push(data)) {
    open.push(data.subarray(from, cut));
    chunks.push(Buffer.concat(open));
    open = [];
    from = cut;
  }
  if (from < data.length) open.push(data.subarray(from));
}
if (open.length > 0) chunks.push(Buffer.concat(open));
const bytes = chunks.reduce((sum, c) => sum + c.length, 0);

function cpuSecondsPerGB(body: () => void): number {
  const before = process.cpuUsage();
  body();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6 / (bytes / 1e9);
}

const system = codecChoice();
const napi = chooseCodecs({ zstd: loadLibzstd, lz4: loadLiblz4 }, { VTL_LZ4: 'napi' });
const candidates: [string, ChunkCompression, CodecChoice][] = [
  ['LZ4 (lz4-napi)', { codec: 'lz4' }, napi],
  [`LZ4 (${system.lz4.name})`, { codec: 'lz4' }, system],
  ...[1, 2, 3, 4, 6].map((level): [string, ChunkCompression, CodecChoice] => [`zstd ${level} (${system.zstd?.name ?? 'unavailable'})`, { codec: 'zstd', level }, system]),
];

console.log(`${chunks.length} chunks, ${(bytes / 1e6).toFixed(0)} MB, ${(bytes / chunks.length / 1024).toFixed(1)} KiB average; ${rounds} rounds, best of each`);
console.log(`${'codec'.padEnd(28)} ${'stored MB'.padStart(9)} ${'ratio'.padStart(6)} ${'pass CPU s/GB'.padStart(14)} ${'restore CPU s/GB'.padStart(17)}`);
for (const [name, compression, codecs] of candidates) {
  const encoder = new ChunkEncoder(compression, codecs);
  let stored: StoredPayload[] = [];
  let pass = Infinity;
  let restore = Infinity;
  for (let round = 0; round < rounds; round++) {
    pass = Math.min(pass, cpuSecondsPerGB(() => {
      stored = chunks.map((chunk) => encoder.encode(chunk));
    }));
    const output = Buffer.allocUnsafe(256 * 1024);
    restore = Math.min(restore, cpuSecondsPerGB(() => {
      for (const [i, { codec, payload }] of stored.entries()) decompressChunkInto(payload, codec, output.subarray(0, chunks[i]?.length ?? 0), codecs);
    }));
  }
  const storedBytes = stored.reduce((sum, s) => sum + ENTRY_HEADER_BYTES + s.payload.length, 0);
  console.log(`${name.padEnd(28)} ${(storedBytes / 1e6).toFixed(1).padStart(9)} ${(bytes / storedBytes).toFixed(3).padStart(6)} ${pass.toFixed(2).padStart(14)} ${restore.toFixed(2).padStart(17)}`);
}

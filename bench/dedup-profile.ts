// Where the background deduplication pass spends its CPU (issue 17): each step alone over the same mixed data
// (a third text-like, two thirds incompressible), in CPU seconds per GB (process user + sys, so a busy shared machine
// skews it less than wall time): content-defined chunking, BLAKE3, LZ4 (lz4-napi), the probe-then-compress the store
// does (encodeChunkSync: zstd level 3 by default), CRC32C, and ChunkStore.store() (all of them plus the container
// writes) on unique chunks, on duplicates, and storeBatch() (compression on the thread pool). Codec against codec:
// bench/dedup-codecs.ts. Usage: node dist/bench/dedup-profile.js [--mib N]
import { blake3 } from '@napi-rs/blake-hash';
import { compressSync } from 'lz4-napi';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { crc32c } from '../src/crc32c.js';
import { silentLogger } from '../src/log.js';
import { encodeChunkSync } from '../src/media/dedup/chunk-compression.js';
import { ChunkStore } from '../src/media/dedup/chunk-store.js';
import { ContentChunker } from '../src/media/dedup/content-chunker.js';
import { LocalStorage } from '../src/storage/local-storage.js';
import { compressibleBlock, incompressibleBlock } from './dedup-data.js';

const at = process.argv.indexOf('--mib');
const mib = at > 0 ? Number(process.argv[at + 1]) : 512;
const BLOCK = 256 * 1024;
const blocks = Array.from({ length: (mib * 1024 * 1024) / BLOCK }, (_, i) => (i % 3 === 0 ? compressibleBlock(i, BLOCK) : incompressibleBlock(i, BLOCK)));
const bytes = blocks.length * BLOCK;

async function cpuSecondsPerGB(name: string, body: () => Promise<void> | void): Promise<void> {
  const before = process.cpuUsage();
  const started = process.hrtime.bigint();
  await body();
  const cpu = process.cpuUsage(before);
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const seconds = (cpu.user + cpu.system) / 1e6;
  console.log(`${name.padEnd(34)} ${((seconds / bytes) * 1e9).toFixed(2).padStart(6)} CPU s/GB  (${(bytes / 1e6 / wall).toFixed(0)} MB/s wall)`);
}

const chunks: Buffer[] = [];
await cpuSecondsPerGB('chunking (FastCDC gear)', () => {
  const chunker = new ContentChunker();
  let open: Buffer[] = [];
  for (const block of blocks) {
    let from = 0;
    for (const cut of chunker.push(block)) {
      open.push(block.subarray(from, cut));
      chunks.push(open.length === 1 ? (open[0] ?? Buffer.alloc(0)) : Buffer.concat(open));
      open = [];
      from = cut;
    }
    if (from < block.length) open.push(block.subarray(from));
  }
  if (open.length > 0) chunks.push(Buffer.concat(open));
});
await cpuSecondsPerGB('BLAKE3 per chunk', () => {
  for (const chunk of chunks) blake3(chunk);
});
await cpuSecondsPerGB('LZ4 (lz4-napi) per chunk', () => {
  for (const chunk of chunks) compressSync(chunk);
});
await cpuSecondsPerGB('probe, then zstd 3 if it shrinks', () => {
  for (const chunk of chunks) encodeChunkSync(chunk);
});
await cpuSecondsPerGB('CRC32C per chunk', () => {
  for (const chunk of chunks) crc32c(chunk);
});
const directory = await mkdtemp(path.join(os.tmpdir(), 'vtl-dedup-profile-'));
try {
  const store = await ChunkStore.open(new LocalStorage(directory), 'chunks', silentLogger());
  await cpuSecondsPerGB('ChunkStore.store + sync (all, unique)', async () => {
    for (const chunk of chunks) await store.store(chunk);
    await store.sync();
  });
  await cpuSecondsPerGB('ChunkStore.store (all duplicates)', async () => {
    for (const chunk of chunks) await store.store(chunk);
  });
  await store.close();
  const batched = await ChunkStore.open(new LocalStorage(directory), 'batched', silentLogger());
  await cpuSecondsPerGB('ChunkStore.storeBatch + sync (unique)', async () => {
    for (let i = 0; i < chunks.length; i += 32) await batched.storeBatch(chunks.slice(i, i + 32));
    await batched.sync();
  });
  await batched.close();
} finally {
  await rm(directory, { recursive: true, force: true });
}
console.log(`${chunks.length} chunks over ${(bytes / 1e6).toFixed(0)} MB, average ${(bytes / chunks.length / 1024).toFixed(1)} KiB`);

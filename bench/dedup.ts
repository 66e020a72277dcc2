// Issue 17's benchmark: ten "daily full" tar-like streams of one tree of mixed files (text, half-compressible
// binaries, incompressible media), 2-5 % of the files changed, moved or grown each day, generated deterministically.
// Reports ingest MB/s (deduplicating store with deferred compression, and the plain store with inline LZ4), the
// background pass's MB/s, stored bytes and ratio after it, restore MB/s from the last deduplicated cartridge next to
// the same stream on a plain cartridge, and peak RSS. Usage: node dist/bench/dedup.js [--quick] [--tree-mib N]
// [--compression lz4|zstd|zstd:LEVEL] (the chunk store's `dedup.compression`; VTL_LZ4=napi for lz4-napi's LZ4)
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../src/log.js';
import { parseChunkCompression } from '../src/media/dedup/chunk-compression.js';
import { DedupMediaStore } from '../src/media/dedup/dedup-media-store.js';
import { DedupPass } from '../src/media/dedup/dedup-pass.js';
import { FileMediaStore } from '../src/media/file-media-store.js';
import type { MediaStore } from '../src/media/tape-medium.js';
import { compressibleBlock, incompressibleBlock, seededBytes } from './dedup-data.js';

const quick = process.argv.includes('--quick');
const treeAt = process.argv.indexOf('--tree-mib');
const treeMiB = treeAt > 0 ? Number(process.argv[treeAt + 1]) : quick ? 32 : 2048;
const compressionAt = process.argv.indexOf('--compression');
const compression = parseChunkCompression(compressionAt > 0 ? process.argv[compressionAt + 1] ?? '' : 'zstd');
const DAYS = 10;
const BLOCK = 256 * 1024;
const MB = 1e6;

interface TreeFile {
  id: number;
  name: string;
  size: number;
  version: number;
}

/** The tree on day 0: files of 4 KiB to 1 MiB until the tree has its size. */
function initialTree(): TreeFile[] {
  const files: TreeFile[] = [];
  const sizes = seededBytes(1, 1 << 20);
  let total = 0;
  for (let id = 0; total < treeMiB * 1024 * 1024; id++) {
    const size = 4096 + (((sizes.readUInt32LE((id * 4) % (sizes.length - 4)) >>> 0) % (1024 * 1024 - 4096)) >>> 1);
    files.push({ id, name: `srv/data/${id % 37}/file-${id}.dat`, size, version: 0 });
    total += size;
  }
  return files;
}

/** Day `day`: 2-5 % of the files changed (new content), moved (new name) or grown (appended to). */
function nextDay(files: TreeFile[], day: number): void {
  const dice = seededBytes(1000 + day, files.length * 2);
  const share = 2 + (day % 4); // percent
  for (const [i, file] of files.entries()) {
    if ((dice[2 * i] ?? 0) % 100 >= share) continue;
    const kind = (dice[2 * i + 1] ?? 0) % 3;
    if (kind === 0) file.version++;
    else if (kind === 1) file.name = `srv/moved-${day}/${file.name.split('/').at(-1) ?? ''}`;
    else file.size += Math.min(256 * 1024, file.size >>> 2);
  }
}

/** A file's bytes: its kind by id (text, half-compressible binary, media), its content by id and version. */
function content(file: TreeFile): Buffer {
  const seed = file.id * 1009 + file.version * 7919;
  if (file.id % 3 === 0) return compressibleBlock(seed, file.size);
  if (file.id % 3 === 1) return incompressibleBlock(seed, file.size);
  const half = compressibleBlock(seed, file.size);
  incompressibleBlock(seed, file.size >>> 1).copy(half, 0);
  return half;
}

/** The day's stream as tar does it: a 512-byte header naming each file, its bytes, padding to 512. */
function* tarStream(files: TreeFile[]): Generator<Buffer> {
  for (const file of files) {
    const header = Buffer.alloc(512);
    header.write(`${file.name}\0${file.size}\0${file.version}`, 'latin1');
    yield header;
    yield content(file);
    if (file.size % 512 !== 0) yield Buffer.alloc(512 - (file.size % 512));
  }
}

/**
 * Write the stream in 256 KiB blocks: the logical bytes written and the seconds spent in the medium (generating the
 * data is not timed).
 */
async function ingest(store: MediaStore, barcode: string, files: TreeFile[]): Promise<{ bytes: number; seconds: number }> {
  const descriptor = { barcode, generation: 8, worm: false, capacityBytes: 64 * 1024 ** 3 };
  await store.create(descriptor);
  const medium = await store.open(descriptor);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let written = 0;
  let inMedium = 0n;
  for (const piece of tarStream(files)) {
    pending.push(piece);
    pendingBytes += piece.length;
    while (pendingBytes >= BLOCK) {
      const all = Buffer.concat(pending);
      const started = process.hrtime.bigint();
      await medium.write(all.subarray(0, BLOCK), { compress: true });
      inMedium += process.hrtime.bigint() - started;
      written += BLOCK;
      pending = [all.subarray(BLOCK)];
      pendingBytes = all.length - BLOCK;
    }
  }
  const started = process.hrtime.bigint();
  await medium.writeFilemarks(1);
  await medium.close();
  inMedium += process.hrtime.bigint() - started;
  return { bytes: written, seconds: Number(inMedium) / 1e9 };
}

async function restore(store: MediaStore, barcode: string): Promise<number> {
  const medium = await store.open({ barcode, generation: 8, worm: false, capacityBytes: 64 * 1024 ** 3 });
  let bytes = 0;
  for (;;) {
    const outcome = await medium.read();
    if (outcome.kind !== 'block') break;
    bytes += outcome.data.length;
    outcome.release?.();
  }
  await medium.close();
  return bytes;
}

/** Wall seconds, and process CPU seconds (every thread: the pass compresses on the thread pool). */
async function timed<T>(body: () => Promise<T>): Promise<{ value: T; seconds: number; cpuSeconds: number }> {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const value = await body();
  const used = process.cpuUsage(cpu);
  return { value, seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds: (used.user + used.system) / 1e6 };
}

const directory = await mkdtemp(path.join(os.tmpdir(), 'vtl-bench-dedup-'));
try {
  const log = silentLogger();
  const dedupStore = new DedupMediaStore({ directory: path.join(directory, 'dedup'), log, compressionOf: () => compression });
  const plainStore = new FileMediaStore({ directory: path.join(directory, 'plain'), log });
  const pass = new DedupPass(dedupStore, log);
  const files = initialTree();
  let logical = 0;
  let dedupSeconds = 0;
  let plainSeconds = 0;
  let passSeconds = 0;
  let passCpuSeconds = 0;
  for (let day = 0; day < DAYS; day++) {
    if (day > 0) nextDay(files, day);
    const barcode = `DAY${day.toString().padStart(3, '0')}L8`;
    const dedup = await ingest(dedupStore, barcode, files);
    const plain = await ingest(plainStore, barcode, files);
    const absorbed = await timed(() => pass.absorb({ barcode, generation: 8, worm: false, capacityBytes: 64 * 1024 ** 3 }));
    logical += dedup.bytes;
    dedupSeconds += dedup.seconds;
    plainSeconds += plain.seconds;
    passSeconds += absorbed.seconds;
    passCpuSeconds += absorbed.cpuSeconds;
  }
  const stats = (await dedupStore.chunks()).stats();
  const last = `DAY${(DAYS - 1).toString().padStart(3, '0')}L8`;
  const fromDedup = await timed(() => restore(dedupStore, last));
  const fromPlain = await timed(() => restore(plainStore, last));
  const rows = {
    tree: `${treeMiB} MiB, ${files.length} files, ${DAYS} days`,
    compression: JSON.stringify(compression) + (process.env['VTL_LZ4'] === 'napi' ? ' VTL_LZ4=napi' : ''),
    logicalMB: (logical / MB).toFixed(0),
    ingestDedupMBps: (logical / MB / dedupSeconds).toFixed(0),
    ingestPlainInlineLz4MBps: (logical / MB / plainSeconds).toFixed(0),
    backgroundPassMBps: (logical / MB / passSeconds).toFixed(0),
    backgroundPassCpuSPerGB: (passCpuSeconds / (logical / 1e9)).toFixed(2),
    storedMB: (stats.storedBytes / MB).toFixed(1),
    ratio: (logical / stats.storedBytes).toFixed(2),
    uniqueChunks: stats.uniqueChunks,
    indexMemoryMiB: (stats.indexMemoryBytes / 1024 / 1024).toFixed(1),
    restoreDedupMBps: (fromDedup.value / MB / fromDedup.seconds).toFixed(0),
    restorePlainMBps: (fromPlain.value / MB / fromPlain.seconds).toFixed(0),
    restoreDedupCpuSPerGB: (fromDedup.cpuSeconds / (fromDedup.value / 1e9)).toFixed(2),
    restorePlainCpuSPerGB: (fromPlain.cpuSeconds / (fromPlain.value / 1e9)).toFixed(2),
    peakRssMiB: (process.resourceUsage().maxRSS / 1024).toFixed(0),
  };
  for (const [name, value] of Object.entries(rows)) console.log(`${name.padEnd(26)} ${value}`);
} finally {
  await rm(directory, { recursive: true, force: true });
}

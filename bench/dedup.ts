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
import { benchCartridge, ingest, initialTree, nextDay, restore } from './dedup-tree.js';

const quick = process.argv.includes('--quick');
const treeAt = process.argv.indexOf('--tree-mib');
const treeMiB = treeAt > 0 ? Number(process.argv[treeAt + 1]) : quick ? 32 : 2048;
const compressionAt = process.argv.indexOf('--compression');
const compression = parseChunkCompression(compressionAt > 0 ? process.argv[compressionAt + 1] ?? '' : 'zstd');
const DAYS = 10;
const MB = 1e6;

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
  const files = initialTree(treeMiB);
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
    const absorbed = await timed(() => pass.absorb(benchCartridge(barcode)));
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

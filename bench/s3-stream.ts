// The 256 KiB stream on the S3 backend beside the local one, at the cartridge layer (FileMediaStore over
// LocalStorage and over S3Storage on a local RGW): write+flush with the cache having room, read with the cache
// warm, and read with an empty cache (every byte from the store). Started by bench/run.sh after bench.ts.
// Usage: node --import tsx bench/s3-stream.ts [--quick] [--reps N]
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../src/log.js';
import { FileMediaStore } from '../src/media/file-media-store.js';
import type { CartridgeDescriptor, TapeMedium } from '../src/media/tape-medium.js';
import { LocalStorage } from '../src/storage/local-storage.js';
import { openTestS3Storage, s3TestService } from '../src/storage/testing/s3-test-service.js';
import { readCpuSeconds } from './proc-stats.js';

const MiB = 1024 * 1024;
const BLOCK = 256 * 1024;
const quick = process.argv.includes('--quick');
const repsAt = process.argv.indexOf('--reps');
const reps = repsAt > 0 ? Number(process.argv[repsAt + 1]) : quick ? 1 : 3;
const streamBytes = quick ? 256 * MiB : 1024 * MiB;
const cartridge: CartridgeDescriptor = { barcode: 'BENCH1L8', generation: 8, worm: false, capacityBytes: 64 * 1024 ** 3 };
// Distinct incompressible blocks, as a backup stream of compressed data; reused round-robin.
const blocks = Array.from({ length: 16 }, () => randomBytes(BLOCK));

/** CPU seconds of this process and of the Ceph daemons (radosgw, OSD, monitor: their pid files under the service dir). */
function cpuNow(cephDir: string): { self: number; ceph: number } {
  const usage = process.cpuUsage();
  let ceph = 0;
  const run = path.join(cephDir, 'run');
  for (const name of readdirSync(run).filter((n) => n.endsWith('.pid'))) {
    try {
      ceph += readCpuSeconds(Number(readFileSync(path.join(run, name), 'utf8').trim()));
    } catch {
      // a daemon that is gone counts nothing
    }
  }
  return { self: (usage.user + usage.system) / 1e6, ceph };
}

/** CPU seconds per GB (1e9 bytes) of the stream since `from`. */
function perGb(from: { self: number; ceph: number }, cephDir: string): { self: number; ceph: number } {
  const now = cpuNow(cephDir);
  const gb = streamBytes / 1e9;
  return { self: (now.self - from.self) / gb, ceph: (now.ceph - from.ceph) / gb };
}

async function write(medium: TapeMedium): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < streamBytes / BLOCK; i++) await medium.write(blocks[i % blocks.length], { compress: false });
  await medium.flush();
  return streamBytes / MiB / ((performance.now() - started) / 1000);
}

async function read(medium: TapeMedium): Promise<number> {
  await medium.locate(0);
  const started = performance.now();
  for (;;) {
    const outcome = await medium.read();
    if (outcome.kind === 'end-of-data') break;
    if (outcome.kind === 'block') outcome.release?.();
  }
  return streamBytes / MiB / ((performance.now() - started) / 1000);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const results = { local: { write: [] as number[], warm: [] as number[] }, s3: { write: [] as number[], warm: [] as number[], cold: [] as number[] } };
const cpu = { localWrite: [] as number[], s3Write: [] as number[], s3WriteCeph: [] as number[], s3Upload: [] as number[], s3UploadCeph: [] as number[], s3WarmCeph: [] as number[] };
const service = await s3TestService();
try {
  for (let rep = 0; rep < reps; rep++) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vtl-bench-local-'));
    try {
      const store = new FileMediaStore({ directory: dir, log: silentLogger(), storage: new LocalStorage(dir) });
      await store.create(cartridge);
      const medium = await store.open(cartridge);
      const before = cpuNow(service.dir);
      results.local.write.push(await write(medium));
      cpu.localWrite.push(perGb(before, service.dir).self);
      results.local.warm.push(await read(medium));
      await medium.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    // A cache with room for the whole stream: the write path the target is stated for.
    const opened = await openTestS3Storage({ cacheBytes: streamBytes + 256 * MiB });
    const store = new FileMediaStore({ directory: '.', log: silentLogger(), storage: opened.storage });
    await store.create(cartridge);
    const medium = await store.open(cartridge);
    const before = cpuNow(service.dir);
    results.s3.write.push(await write(medium));
    const written = perGb(before, service.dir);
    cpu.s3Write.push(written.self);
    cpu.s3WriteCeph.push(written.ceph);
    // The uploads finish first, so that the warm read does not share the two cores with RGW.
    await opened.storage.drain();
    const uploaded = perGb(before, service.dir);
    cpu.s3Upload.push(uploaded.self);
    cpu.s3UploadCeph.push(uploaded.ceph);
    const beforeWarm = cpuNow(service.dir);
    results.s3.warm.push(await read(medium));
    cpu.s3WarmCeph.push(perGb(beforeWarm, service.dir).ceph);
    await medium.close();
    await opened.storage.drain();
    const cold = await openTestS3Storage({ ...opened.options, cacheDir: undefined });
    const coldMedium = await new FileMediaStore({ directory: '.', log: silentLogger(), storage: cold.storage }).open(cartridge);
    results.s3.cold.push(await read(coldMedium));
    await coldMedium.close();
    await cold.storage.removeFolder(cartridge.barcode);
    await cold.done();
    await opened.done();
  }
} finally {
  await service.stop();
}
const line = (name: string, values: number[], base?: number[]): string =>
  `  ${name.padEnd(28)} ${median(values).toFixed(0).padStart(6)} MiB/s${base ? `  (${(median(values) / median(base)).toFixed(2)}x local)` : ''}  [${values.map((v) => v.toFixed(0)).join(', ')}]`;
const cpuLine = (name: string, values: number[]): string => `  ${name.padEnd(28)} ${median(values).toFixed(2).padStart(6)} s/GB  [${values.map((v) => v.toFixed(2)).join(', ')}]`;
process.stdout.write(
  [
    `S3 backend, 256 KiB blocks, ${streamBytes / MiB} MiB stream, ${reps} rep(s), median [each]:`,
    line('local write+flush', results.local.write),
    line('s3 write+flush (cache room)', results.s3.write, results.local.write),
    line('local read (page cache)', results.local.warm),
    line('s3 read, cache warm', results.s3.warm, results.local.warm),
    line('s3 read, cache cold', results.s3.cold),
    'CPU seconds per GB, median [each]:',
    cpuLine('local write+flush (vtl)', cpu.localWrite),
    cpuLine('s3 write+flush (vtl)', cpu.s3Write),
    cpuLine('s3 write+flush (Ceph)', cpu.s3WriteCeph),
    cpuLine('s3 until uploaded (vtl)', cpu.s3Upload),
    cpuLine('s3 until uploaded (Ceph)', cpu.s3UploadCeph),
    // Ceph's work after the uploads returned (flushes, compaction) shares the cores with the warm read.
    cpuLine('s3 warm read (Ceph)', cpu.s3WarmCeph),
    '',
  ].join('\n'),
);

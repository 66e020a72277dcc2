// Issue 17's restore alone: a few "daily full" tar-like streams of a tree of mixed files (as bench/dedup.ts makes
// them, fewer and smaller) on a deduplicating store after its background pass, and the last day on a plain cartridge
// (inline LZ4); then the last day restored from both, alternating, `--reps` times, each in MB/s and process CPU s/GB.
// `--dir DIR` keeps the stores in DIR and reuses them on the next run, so two builds restore the same cartridges
// (copy dist/bench/dedup-restore.js into the other build's dist/bench/ for an A/B). `--only dedup` restores only the
// deduplicated cartridge (for `node --cpu-prof`); `--breakdown` adds what its payload CRCs and decompression cost alone.
// Usage: node dist/bench/dedup-restore.js [--tree-mib 128] [--days 3] [--reps 3] [--dir DIR] [--only dedup|plain] [--breakdown]
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { crc32c } from '../src/crc32c.js';
import { silentLogger } from '../src/log.js';
import { ChunkCodec, decodeEntryHeader, ENTRY_HEADER_BYTES } from '../src/media/dedup/chunk-container.js';
import { decodeChunkPayload, decompressChunkInto } from '../src/media/dedup/chunk-compression.js';
import type { ChunkRef } from '../src/media/dedup/recipe.js';
import { DedupMediaStore } from '../src/media/dedup/dedup-media-store.js';
import { DedupPass } from '../src/media/dedup/dedup-pass.js';
import { FileMediaStore } from '../src/media/file-media-store.js';
import type { MediaStore } from '../src/media/tape-medium.js';
import { compressibleBlock, incompressibleBlock, seededBytes } from './dedup-data.js';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}
const treeMiB = Number(option('--tree-mib', '128'));
const days = Number(option('--days', '3'));
const reps = Number(option('--reps', '3'));
const only = option('--only', 'both');
const BLOCK = 256 * 1024;
const descriptor = (barcode: string): { barcode: string; generation: number; worm: boolean; capacityBytes: number } => ({ barcode, generation: 8, worm: false, capacityBytes: 64 * 1024 ** 3 });

interface TreeFile {
  id: number;
  size: number;
  version: number;
}

function initialTree(): TreeFile[] {
  const files: TreeFile[] = [];
  const sizes = seededBytes(1, 1 << 20);
  for (let id = 0, total = 0; total < treeMiB * 1024 * 1024; id++) {
    const size = 4096 + (((sizes.readUInt32LE((id * 4) % (sizes.length - 4)) >>> 0) % (1024 * 1024 - 4096)) >>> 1);
    files.push({ id, size, version: 0 });
    total += size;
  }
  return files;
}

/** 2-5 % of the files changed or grown. */
function nextDay(files: TreeFile[], day: number): void {
  const dice = seededBytes(1000 + day, files.length * 2);
  for (const [i, file] of files.entries()) {
    if ((dice[2 * i] ?? 0) % 100 >= 2 + (day % 4)) continue;
    if ((dice[2 * i + 1] ?? 0) % 2 === 0) file.version++;
    else file.size += Math.min(256 * 1024, file.size >>> 2);
  }
}

function content(file: TreeFile): Buffer {
  const seed = file.id * 1009 + file.version * 7919;
  if (file.id % 3 === 0) return compressibleBlock(seed, file.size);
  if (file.id % 3 === 1) return incompressibleBlock(seed, file.size);
  const half = compressibleBlock(seed, file.size);
  incompressibleBlock(seed, file.size >>> 1).copy(half, 0);
  return half;
}

async function ingest(store: MediaStore, barcode: string, files: TreeFile[]): Promise<void> {
  await store.create(descriptor(barcode));
  const medium = await store.open(descriptor(barcode));
  let pending = Buffer.alloc(0);
  for (const file of files) {
    const header = Buffer.alloc(512);
    header.write(`file-${file.id}\0${file.size}\0${file.version}`, 'latin1');
    const pad = Buffer.alloc((512 - (file.size % 512)) % 512);
    pending = Buffer.concat([pending, header, content(file), pad]);
    while (pending.length >= BLOCK) {
      await medium.write(pending.subarray(0, BLOCK), { compress: true });
      pending = pending.subarray(BLOCK);
    }
  }
  await medium.writeFilemarks(1);
  await medium.close();
}

async function restore(store: MediaStore, barcode: string): Promise<number> {
  const medium = await store.open(descriptor(barcode));
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

async function measured(store: MediaStore, barcode: string): Promise<{ mbps: number; cpuPerGB: number }> {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const bytes = await restore(store, barcode);
  const used = process.cpuUsage(cpu);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { mbps: bytes / 1e6 / seconds, cpuPerGB: (used.user + used.system) / 1e6 / (bytes / 1e9) };
}

/**
 * What the restore's steps cost alone, per GB of the cartridge's logical bytes: the payload CRC and the decompression
 * of each of its chunks (each unique chunk once, as a sequential restore decodes it), from payloads read beforehand.
 */
async function breakdown(store: DedupMediaStore, barcode: string): Promise<void> {
  const recipe = await store.readRecipe(barcode);
  const chunks = await store.chunks();
  const payloads: { codec: ChunkCodec; stored: Buffer; length: number }[] = [];
  let previous: ChunkRef | undefined;
  for (const ref of recipe.chunks) {
    if (previous !== undefined && previous.container === ref.container && previous.offset === ref.offset) continue;
    previous = ref;
    const entry = await chunks.readRange(ref.container, ref.offset, ENTRY_HEADER_BYTES + ref.length);
    const header = decodeEntryHeader(entry);
    if (typeof header === 'string') throw new Error(header);
    payloads.push({ codec: header.codec, stored: entry.subarray(ENTRY_HEADER_BYTES, ENTRY_HEADER_BYTES + header.storedLength), length: ref.length });
  }
  const gb = recipe.logicalBytes / 1e9;
  const compressed = payloads.filter((p) => p.codec !== ChunkCodec.RAW);
  const step = (name: string, body: () => void): void => {
    const cpu = process.cpuUsage();
    body();
    const used = process.cpuUsage(cpu);
    console.log(`${name.padEnd(40)} ${((used.user + used.system) / 1e6 / gb).toFixed(3)} CPU s/GB`);
  };
  console.log(`${payloads.length} chunks decoded, ${compressed.length} of them compressed (${((100 * compressed.reduce((n, p) => n + p.length, 0)) / recipe.logicalBytes).toFixed(0)} % of the bytes)`);
  const block = Buffer.allocUnsafe(1024 * 1024);
  for (let rep = 0; rep < 2; rep++) {
    step('payload CRC32C', () => payloads.forEach((p) => crc32c(p.stored)));
    step('decompressChunkInto() (raw copied)', () => payloads.forEach((p) => decompressChunkInto(p.stored, p.codec, block.subarray(0, p.length))));
    step('decodeChunkPayload() (allocating)', () => compressed.forEach((p) => decodeChunkPayload(p.codec, p.stored, p.length)));
  }
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

const given = option('--dir', '');
const directory = given === '' ? await mkdtemp(path.join(os.tmpdir(), 'vtl-bench-restore-')) : given;
const marker = path.join(directory, 'ready');
const last = `DAY${(days - 1).toString().padStart(3, '0')}L8`;
try {
  const log = silentLogger();
  await mkdir(directory, { recursive: true });
  const dedupStore = new DedupMediaStore({ directory: path.join(directory, 'dedup'), log });
  const plainStore = new FileMediaStore({ directory: path.join(directory, 'plain'), log });
  if (!existsSync(marker)) {
    const pass = new DedupPass(dedupStore, log);
    const files = initialTree();
    for (let day = 0; day < days; day++) {
      if (day > 0) nextDay(files, day);
      const barcode = `DAY${day.toString().padStart(3, '0')}L8`;
      await ingest(dedupStore, barcode, files);
      if (day === days - 1) await ingest(plainStore, barcode, files);
      await pass.absorb(descriptor(barcode));
    }
    await writeFile(marker, '');
  }
  await dedupStore.chunks(); // the index is rebuilt from the containers once per process: not part of a restore
  const dedup: { mbps: number; cpuPerGB: number }[] = [];
  const plain: { mbps: number; cpuPerGB: number }[] = [];
  for (let rep = 0; rep < reps; rep++) {
    if (only !== 'plain') dedup.push(await measured(dedupStore, last));
    if (only !== 'dedup') plain.push(await measured(plainStore, last));
    const d = dedup.at(-1);
    const p = plain.at(-1);
    console.log(`rep ${rep}: dedup ${d ? `${d.mbps.toFixed(0)} MB/s ${d.cpuPerGB.toFixed(2)} CPU s/GB` : '-'}; plain ${p ? `${p.mbps.toFixed(0)} MB/s ${p.cpuPerGB.toFixed(2)} CPU s/GB` : '-'}`);
  }
  const dm = median(dedup.map((r) => r.mbps));
  const pm = median(plain.map((r) => r.mbps));
  console.log(`median: dedup ${dm.toFixed(0)} MB/s ${median(dedup.map((r) => r.cpuPerGB)).toFixed(2)} CPU s/GB; plain ${pm.toFixed(0)} MB/s ${median(plain.map((r) => r.cpuPerGB)).toFixed(2)} CPU s/GB; dedup/plain ${(dm / pm).toFixed(2)}x`);
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  if (process.argv.includes('--breakdown')) await breakdown(dedupStore, last);
} finally {
  if (given === '') await rm(directory, { recursive: true, force: true });
}

// Issue 17's restore alone: a few "daily full" tar-like streams of bench/dedup.ts's tree of mixed files (dedup-tree.ts;
// fewer days, smaller) on a deduplicating store after its background pass, and the last day on a plain cartridge
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
import { benchCartridge, ingest, initialTree, nextDay, restore } from './dedup-tree.js';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}
const treeMiB = Number(option('--tree-mib', '128'));
const days = Number(option('--days', '3'));
const reps = Number(option('--reps', '3'));
const only = option('--only', 'both');

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
    const files = initialTree(treeMiB);
    for (let day = 0; day < days; day++) {
      if (day > 0) nextDay(files, day);
      const barcode = `DAY${day.toString().padStart(3, '0')}L8`;
      await ingest(dedupStore, barcode, files);
      if (day === days - 1) await ingest(plainStore, barcode, files);
      await pass.absorb(benchCartridge(barcode));
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

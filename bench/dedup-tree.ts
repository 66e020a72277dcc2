// The data set of issue 17's benchmarks (bench/dedup.ts, bench/dedup-restore.ts): a tree of mixed files written as
// "daily full" tar-like streams, 2-5 % of the files changed, moved or grown each day, generated deterministically
// (dedup-data.ts); and the cartridge's write and read loops both benchmarks time.
import type { MediaStore } from '../src/media/tape-medium.js';
import { compressibleBlock, incompressibleBlock, seededBytes } from './dedup-data.js';

const BLOCK = 256 * 1024;

/** A cartridge of the benchmarks: LTO-8, 64 GiB, not WORM. */
export function benchCartridge(barcode: string): { barcode: string; generation: number; worm: boolean; capacityBytes: number } {
  return { barcode, generation: 8, worm: false, capacityBytes: 64 * 1024 ** 3 };
}

export interface TreeFile {
  id: number;
  name: string;
  size: number;
  version: number;
}

/** The tree on day 0: files of 4 KiB to 1 MiB until the tree has `treeMiB` MiB. */
export function initialTree(treeMiB: number): TreeFile[] {
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
export function nextDay(files: TreeFile[], day: number): void {
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
export function content(file: TreeFile): Buffer {
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
export async function ingest(store: MediaStore, barcode: string, files: TreeFile[]): Promise<{ bytes: number; seconds: number }> {
  const descriptor = benchCartridge(barcode);
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

/** Read the cartridge's first file to its filemark: the bytes read. */
export async function restore(store: MediaStore, barcode: string): Promise<number> {
  const medium = await store.open(benchCartridge(barcode));
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

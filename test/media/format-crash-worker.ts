// The child of format-crash.test.ts: formats a cartridge again and again, alternately into one partition and into
// two, writes a few blocks into each partition of every new layout and flushes, printing "flushed L" (L: the layout
// just written), until it is killed. Under `node --test dist/test` this file also runs as a test file: without its
// environment variable it does nothing.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { silentLogger } from '../../src/log.js';
import { FileMediaStore } from '../../src/media/file-media-store.js';
import type { TapeMedium } from '../../src/media/tape-medium.js';
import { cartridge } from './cartridge-fixture.js';

export const FORMAT_CRASH_CAPACITY = 64 * 1024 * 1024;

/** Layout L (the Lth format) has two partitions when L is odd, one when it is even. */
export function partitionsOfLayout(layout: number): readonly number[] {
  return layout % 2 === 1 ? [48 * 1024 * 1024, 16 * 1024 * 1024] : [];
}

/** The blocks written into partition `partition` of layout `layout` are filled with this byte. */
export function fillOf(layout: number, partition: number): number {
  return (layout * 2 + partition) & 0xff;
}

export async function layoutNumber(directory: string, barcode: string): Promise<number> {
  const metadata = JSON.parse(await readFile(path.join(directory, barcode, 'cartridge.json'), 'utf8')) as { layout?: { number: number } };
  return metadata.layout?.number ?? 0;
}

async function fill(medium: TapeMedium, layout: number): Promise<void> {
  const count = Math.max(1, partitionsOfLayout(layout).length);
  for (let partition = 0; partition < count; partition++) {
    await medium.changePartition(partition);
    for (let i = 0; i < 3; i++) await medium.write(Buffer.alloc(4096 + i, fillOf(layout, partition)), { compress: false });
  }
  await medium.flush();
  await medium.rewind();
}

async function main(directory: string, barcode: string): Promise<void> {
  const store = new FileMediaStore({ directory, log: silentLogger() });
  const medium = await store.open(cartridge({ barcode, capacityBytes: FORMAT_CRASH_CAPACITY }));
  let layout = await layoutNumber(directory, barcode);
  process.stdout.write(`ready ${layout}\n`);
  for (;;) {
    await medium.rewind();
    await medium.format(partitionsOfLayout(layout + 1));
    layout++;
    await fill(medium, layout);
    process.stdout.write(`flushed ${layout}\n`);
  }
}

if (process.env['VTL_FORMAT_CRASH_WORKER'] === '1') {
  const [directory, barcode] = process.argv.slice(2);
  main(directory, barcode).catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  });
}

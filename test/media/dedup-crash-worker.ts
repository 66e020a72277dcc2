// The child of dedup-crash.test.ts: appends blocks to a deduplicating cartridge, flushes (printing "flushed N"),
// unmounts it, runs the background pass on it, writes a sibling cartridge of the same data, deletes it and collects,
// over and over until it is killed. Without its environment variable (under `node --test dist/test`) it does nothing.
import { silentLogger } from '../../src/log.js';
import { DedupMediaStore } from '../../src/media/dedup/dedup-media-store.js';
import { DedupPass } from '../../src/media/dedup/dedup-pass.js';
import { cartridge, pattern } from './cartridge-fixture.js';

export const CRASH_SIZES = { minBytes: 1024, averageBytes: 4096, maxBytes: 16384 };

/** Object n of the crash cartridge: blocks whose contents repeat (so chunks are shared), a filemark every 16th. */
export function dedupCrashObject(n: number): Buffer | 'F' {
  if (n % 16 === 15) return 'F';
  return pattern((n * 7) % 11, 3000 + ((n * 977) % 20_000));
}

async function main(directory: string): Promise<void> {
  const log = silentLogger();
  const store = new DedupMediaStore({ directory, log });
  const pass = new DedupPass(store, log, CRASH_SIZES);
  const descriptor = cartridge({ barcode: 'C00001L8', capacityBytes: 1024 ** 3 });
  // runCrashRound's protocol: `ready N` with N the end of data found; 0 here (the test keeps the highest flushed
  // across rounds, so it never needs the start).
  process.stdout.write('ready 0\n');
  for (let round = 0; ; round++) {
    const medium = await store.open(descriptor);
    await medium.spaceToEndOfData();
    for (let i = 0; i < 24; i++) {
      const n = medium.position().objectNumber;
      const object = dedupCrashObject(n);
      if (object === 'F') await medium.writeFilemarks(1);
      else await medium.write(object, { compress: true });
    }
    await medium.flush();
    process.stdout.write(`flushed ${medium.position().objectNumber}\n`);
    await medium.close();
    await pass.absorb(descriptor);
    const sibling = cartridge({ barcode: `S${round}` });
    if (await store.exists(sibling.barcode)) await store.delete(sibling.barcode); // left by a killed run
    await store.create(sibling);
    const other = await store.open(sibling);
    for (let n = 0; n < 8; n++) {
      const object = dedupCrashObject(n + round);
      if (object !== 'F') await other.write(object, { compress: false });
    }
    await other.close();
    await pass.absorb(sibling);
    await store.delete(sibling.barcode);
    await pass.collect();
  }
}

if (process.env.VTL_DEDUP_CRASH_WORKER === '1') {
  const [directory] = process.argv.slice(2);
  if (directory === undefined) throw new Error('usage: dedup-crash-worker DIRECTORY');
  await main(directory);
}

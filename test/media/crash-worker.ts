// The child of crash.test.ts: appends objects to a cartridge and prints "flushed N" after every flush, until it
// is killed. Under `node --test dist/test` this file is also run as a test file: without its environment
// variable it does nothing.
import { silentLogger } from '../../src/log.js';
import { FileMediaStore } from '../../src/media/file-media-store.js';
import { cartridge } from './cartridge-fixture.js';
import { appendUntilKilled } from './crash-round.js';

async function main(directory: string, barcode: string, round: number): Promise<void> {
  const store = new FileMediaStore({ directory, log: silentLogger() });
  const medium = await store.open(cartridge({ barcode, capacityBytes: 1024 ** 3 }));
  await appendUntilKilled(medium, round);
}

if (process.env['VTL_CRASH_WORKER'] === '1') {
  const [directory, barcode, round] = process.argv.slice(2);
  main(directory, barcode, Number(round)).catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  });
}

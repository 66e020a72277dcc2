// The child of crash.test.ts: appends objects to a cartridge and prints "flushed N" after every flush, until it
// is killed. Under `node --test dist/test` this file is also run as a test file: without its environment
// variable it does nothing.
import { silentLogger } from '../../src/log.js';
import { FileMediaStore } from '../../src/media/file-media-store.js';
import { cartridge, crashObject, seededRandom } from './cartridge-fixture.js';

async function main(directory: string, barcode: string, round: number): Promise<void> {
  const store = new FileMediaStore({ directory, log: silentLogger() });
  const medium = await store.open(cartridge({ barcode, capacityBytes: 1024 ** 3 }));
  await medium.spaceToEndOfData();
  const random = seededRandom(round * 7919 + 1);
  process.stdout.write(`ready ${medium.position().objectNumber}\n`);
  for (;;) {
    const burst = 1 + Math.floor(random() * 40);
    for (let i = 0; i < burst; i++) {
      const objectNumber = medium.position().objectNumber;
      const object = crashObject(objectNumber, round);
      if (object.kind === 'block') {
        await medium.write(object.data, { compress: object.compress });
        continue;
      }
      // Consecutive filemarks go in one command: one run record.
      let count = 1;
      while (crashObject(objectNumber + count, round).kind === 'filemark') count++;
      await medium.writeFilemarks(count);
      i += count - 1;
    }
    await medium.flush();
    process.stdout.write(`flushed ${medium.position().objectNumber}\n`);
  }
}

if (process.env['VTL_CRASH_WORKER'] === '1') {
  const [directory, barcode, round] = process.argv.slice(2);
  main(directory, barcode, Number(round)).catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  });
}

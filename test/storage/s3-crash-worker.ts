// The child of s3-crash.test.ts: opens the S3 storage (start-up uploads the journal a killed predecessor left),
// appends objects to a cartridge and prints "flushed N" after every flush, until it is killed. Under
// `node --test dist/test` this file also runs as a test file: without its environment variable it does nothing.
import { silentLogger } from '../../src/log.js';
import { FileMediaStore } from '../../src/media/file-media-store.js';
import { S3Storage, type S3StorageOptions } from '../../src/storage/s3/s3-storage.js';
import { cartridge } from '../media/cartridge-fixture.js';
import { appendUntilKilled } from '../media/crash-round.js';

async function main(options: Omit<S3StorageOptions, 'log'>, barcode: string, round: number): Promise<void> {
  const storage = await S3Storage.open({ ...options, log: silentLogger() });
  const store = new FileMediaStore({ directory: '.', log: silentLogger(), storage });
  const medium = await store.open(cartridge({ barcode, capacityBytes: 1024 ** 3 }));
  await appendUntilKilled(medium, round);
}

if (process.env['VTL_S3_CRASH_WORKER'] === '1') {
  const [options, barcode, round] = process.argv.slice(2);
  main(JSON.parse(options) as Omit<S3StorageOptions, 'log'>, barcode, Number(round)).catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  });
}

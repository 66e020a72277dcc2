// Child process for crash-recovery.test.ts: opens the library in the folder given as argument and applies random
// operations until it is killed. Without an argument (e.g. picked up by a test runner glob) it does nothing.
import { join } from 'node:path';
import { LibraryManager } from '../../src/library/library-manager.js';
import { LibraryStateError } from '../../src/library/library-state-error.js';
import { silentLogger } from '../../src/log.js';
import { crashConfig, CRASH_ADDRESSES } from './crash-config.js';
import { DirMediaStore } from './dir-media-store.js';
import { FakeDrive } from './fakes.js';

async function main(dir: string): Promise<void> {
  const config = crashConfig();
  const store = new DirMediaStore(join(dir, 'media'));
  const manager = new LibraryManager({ config, mediaStore: store, log: silentLogger(), catalogPath: join(dir, 'catalog.sqlite') });
  await manager.start();
  for (let i = 0; i < manager.library('lib0').drives; i++) await manager.attachDrive('lib0', i, new FakeDrive(`d${i}`));
  process.stdout.write('ready\n');
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)];
  const temp = (): string => `T${String(Math.floor(Math.random() * 20)).padStart(5, '0')}L8`;
  for (;;) {
    const all = manager.cartridges().map((c) => c.barcode);
    try {
      switch (Math.floor(Math.random() * 8)) {
        case 0:
        case 1:
        case 2: {
          // Mostly from an occupied element, so that most moves happen.
          const occupied = manager.elements('lib0').filter((e) => e.cartridge).map((e) => e.address);
          await manager.move('lib0', pick(occupied.length ? occupied : CRASH_ADDRESSES), pick(CRASH_ADDRESSES), { actor: 'host' });
          break;
        }
        case 3: await manager.exchange('lib0', pick(CRASH_ADDRESSES), pick(CRASH_ADDRESSES), pick(CRASH_ADDRESSES)); break;
        case 4: await manager.createCartridges({ library: 'lib0', barcodes: [temp()], into: Math.random() < 0.5 ? 'storage' : 'importExport', capacityBytes: 1 << 20 }); break;
        case 5: {
          const b = pick(all.filter((x) => x.startsWith('T')).concat(['T99999L8']));
          await manager.deleteCartridge(b);
          break;
        }
        case 6: await manager.exportCartridge(pick(all)); await manager.shelveCartridge(pick(all)); break;
        default: await manager.unshelveCartridge(pick(all)); await manager.importCartridge(pick(all)); break;
      }
    } catch (err) {
      if (!(err instanceof LibraryStateError)) throw err;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const dir = process.argv[2];
if (dir !== undefined) {
  main(dir).catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  });
}

// Child process for catalog-crash.ts: opens the crash library on the catalog named by its argument (JSON of a
// CrashTarget) and moves and exchanges cartridges until it is killed. Without an argument it does nothing.
import { join } from 'node:path';
import { LibraryManager } from '../../src/library/library-manager.js';
import { LibraryStateError } from '../../src/library/library-state-error.js';
import { silentLogger } from '../../src/log.js';
import { crashTargetConfig, type CrashTarget } from './catalog-crash.js';
import { CRASH_ADDRESSES } from './crash-config.js';
import { DirMediaStore } from './dir-media-store.js';
import { FakeDrive } from './fakes.js';

async function main(target: CrashTarget): Promise<void> {
  const manager = new LibraryManager({ config: crashTargetConfig(target), mediaStore: new DirMediaStore(join(target.dir, 'media')), log: silentLogger() });
  await manager.start();
  for (let i = 0; i < manager.library('lib0').drives; i++) await manager.attachDrive('lib0', i, new FakeDrive(`d${i}`));
  process.stdout.write('ready\n');
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)];
  for (;;) {
    try {
      if (Math.random() < 0.75) {
        const occupied = manager.elements('lib0').filter((e) => e.cartridge).map((e) => e.address);
        await manager.move('lib0', pick(occupied), pick(CRASH_ADDRESSES), { actor: 'host' });
      } else {
        await manager.exchange('lib0', pick(CRASH_ADDRESSES), pick(CRASH_ADDRESSES), pick(CRASH_ADDRESSES));
      }
    } catch (err) {
      if (!(err instanceof LibraryStateError)) throw err;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const arg = process.argv[2];
if (arg !== undefined) {
  main(JSON.parse(arg) as CrashTarget).catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  });
}

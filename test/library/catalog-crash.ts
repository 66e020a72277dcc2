// The crash-mid-move property for any catalog backend: a child process (catalog-crash-child.ts) moves and exchanges
// cartridges until it is SIGKILLed; reopened, the library holds every cartridge exactly once, in agreement with the
// media files and the drives.
import assert from 'node:assert/strict';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VtlConfig } from '../../src/config/schema.js';
import { LibraryManager } from '../../src/library/library-manager.js';
import { silentLogger } from '../../src/log.js';
import { crashConfig, INITIAL_BARCODES } from './crash-config.js';
import { DirMediaStore } from './dir-media-store.js';
import { FakeDrive } from './fakes.js';
import { checkInvariants } from './invariants.js';
import { killAfterReady } from './kill-after-ready.js';

export type CrashTarget = { readonly kind: 'sqlite'; readonly dir: string } | { readonly kind: 'postgres'; readonly url: string; readonly dir: string };

const here = fileURLToPath(import.meta.url);
const childPath = join(here, '..', `catalog-crash-child${extname(here)}`);

export function crashTargetConfig(target: CrashTarget): VtlConfig {
  const base = crashConfig();
  return {
    ...base,
    server: { ...base.server, dataDir: target.dir },
    catalog: target.kind === 'sqlite' ? { kind: 'sqlite', path: join(target.dir, 'catalog.sqlite') } : { kind: 'postgres', url: target.url, timeoutMs: 10000 },
  };
}

/** Start the mover, let it work `delayMs` after it is ready, then SIGKILL it. */
export function runAndKillMover(target: CrashTarget, delayMs: number): Promise<void> {
  return killAfterReady(childPath, [JSON.stringify(target)], delayMs, 'the mover');
}

export async function verifyAfterCrash(target: CrashTarget): Promise<void> {
  const store = new DirMediaStore(join(target.dir, 'media'));
  const manager = new LibraryManager({ config: crashTargetConfig(target), mediaStore: store, log: silentLogger() });
  try {
    const report = await manager.start();
    assert.deepEqual(report.missingMedia, []);
    const drives = [new FakeDrive('d0'), new FakeDrive('d1')];
    for (const [i, d] of drives.entries()) await manager.attachDrive('lib0', i, d);
    await checkInvariants(manager, store, drives);
    const barcodes = manager.cartridges().map((c) => c.barcode).sort();
    assert.deepEqual(barcodes, [...INITIAL_BARCODES].sort(), 'the cartridges after the crash are not the ones before it');
  } finally {
    manager.close();
  }
}

// Crash test: a child process applies random library operations and is SIGKILLed at a random moment; the catalog
// is reopened and must hold every cartridge exactly once, agree with the media files, and reload the drives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LibraryManager } from '../../src/library/library-manager.js';
import { silentLogger } from '../../src/log.js';
import { crashConfig, INITIAL_BARCODES } from './crash-config.js';
import { DirMediaStore } from './dir-media-store.js';
import { FakeDrive } from './fakes.js';
import { checkInvariants } from './invariants.js';
import { killAfterReady } from './kill-after-ready.js';

const here = fileURLToPath(import.meta.url);
const childPath = join(here, '..', `crash-child${extname(here)}`);
const ROUNDS = 4;

/** Start the child, wait until it is working, let it run `delayMs`, then SIGKILL it. */
function runAndKill(dir: string, delayMs: number): Promise<void> {
  const loader = extname(here) === '.ts' && !process.execArgv.join(' ').includes('tsx') ? ['--import', 'tsx'] : [];
  return killAfterReady(childPath, [dir], delayMs, 'child', loader);
}

test('a process killed in the middle of moves, creates and deletes leaves a catalog that recovers whole', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vtl-crash-'));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      await runAndKill(dir, 20 + Math.floor(Math.random() * 200));
      const store = new DirMediaStore(join(dir, 'media'));
      const manager = new LibraryManager({ config: crashConfig(), mediaStore: store, log: silentLogger(), catalogPath: join(dir, 'catalog.sqlite') });
      try {
        const report = await manager.start();
        assert.deepEqual(report.missingMedia, []);
        assert.deepEqual(report.adoptedMedia, []);
        const drives = [new FakeDrive('d0'), new FakeDrive('d1')];
        for (const [i, d] of drives.entries()) await manager.attachDrive('lib0', i, d);
        await checkInvariants(manager, store, drives);
        if (process.env['CRASH_DEBUG']) console.log(JSON.stringify(report.repairedIntents), manager.cartridges().map((c) => c.barcode + '@' + (c.location.kind === 'element' ? c.location.address.toString(16) : 'shelf')).join(' '));
        const barcodes = manager.cartridges().map((c) => c.barcode);
        for (const b of INITIAL_BARCODES) assert.ok(barcodes.includes(b), `${b} was lost`);
      } finally {
        manager.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// A catalog that cannot write (issue 22, finding 5): the changer says why, nothing is half-moved, the failure is
// logged once when it starts and once when it ends.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { LibraryManager } from '../../src/library/library-manager.js';
import { catalogWriteErrorOf } from '../../src/library/catalog-write-error.js';
import type { CommandDispatcher } from '../../src/scsi/dispatcher.js';
import { TaskAttribute } from '../../src/scsi/logical-unit.js';
import type { ScsiResponse } from '../../src/scsi/logical-unit.js';
import type { ChangerDevice } from '../../src/scsi/smc/changer-device.js';
import { createChangerUnit } from '../../src/scsi/smc/changer-unit.js';
import { ScsiStatus } from '../../src/scsi/status.js';
import { CatalogDisk } from './catalog-disk.js';
import { FakeDrive, FakeMediaStore } from './fakes.js';
import { smallConfig } from './harness.js';

const SLOT_1 = 0x1000;
const SLOT_5 = 0x1004;
const DRIVE_1 = 0x0100;
const moveMedium = (src: number, dst: number): Buffer =>
  Buffer.from([0xa5, 0, 0, 0, src >> 8, src & 0xff, dst >> 8, dst & 0xff, 0, 0, 0, 0, 0, 0, 0, 0]);
const exchangeMedium = (src: number, first: number, second: number): Buffer =>
  Buffer.from([0xa6, 0, 0, 0, src >> 8, src & 0xff, first >> 8, first & 0xff, second >> 8, second & 0xff, 0, 0, 0, 0, 0, 0]);
const TEST_UNIT_READY = Buffer.alloc(16);

interface Bench {
  manager: LibraryManager;
  drives: FakeDrive[];
  disk: CatalogDisk;
  logLines: { level: number; msg: string; component?: string }[];
  run(cdb: Buffer): Promise<ScsiResponse>;
  close(): void;
}

async function bench(): Promise<Bench> {
  const dir = mkdtempSync(join(tmpdir(), 'vtl-catalog-full-'));
  const db = new Database(join(dir, 'catalog.sqlite'));
  const logLines: Bench['logLines'] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => logLines.push(JSON.parse(line) as Bench['logLines'][number]) });
  const manager = new LibraryManager({ config: smallConfig(), mediaStore: new FakeMediaStore(), log, db });
  await manager.start();
  const drives = [new FakeDrive('lib0/0'), new FakeDrive('lib0/1')];
  for (const [i, d] of drives.entries()) await manager.attachDrive('lib0', i, d);
  const unit: CommandDispatcher<ChangerDevice> = createChangerUnit({ manager, library: 'lib0', log });
  const run = (cdb: Buffer): Promise<ScsiResponse> => unit.execute({
    lun: 0, cdb, dataOut: undefined, expectedDataInLength: 0, expectedDataOutLength: 0, taskAttribute: TaskAttribute.SIMPLE,
    nexus: { id: 'n1', initiatorPort: 'iqn.2026-01.test:host1,i,0x00023d000001', targetPort: 'iqn.2026-11.org.vtl:lib0,t,0x0001', relativeTargetPort: 1 },
    signal: new AbortController().signal,
  });
  await run(TEST_UNIT_READY); // the power-on unit attention
  return {
    manager, drives, logLines, run, disk: new CatalogDisk(db),
    close() {
      unit.device.close();
      manager.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** [sense key, ASC, ASCQ] of a CHECK CONDITION (fixed format). */
function senseOf(r: ScsiResponse): number[] {
  assert.equal(r.status, ScsiStatus.CHECK_CONDITION, 'expected CHECK CONDITION');
  const s = r.sense ?? Buffer.alloc(18);
  return [s[2] & 0x0f, s[12], s[13]];
}

const loadedIn = (b: Bench, drive: number): string | undefined => b.drives[drive]?.loaded?.barcode;
const catalogLines = (b: Bench): string[] => b.logLines.filter((l) => l.component === 'catalog').map((l) => `${l.level} ${l.msg}`);

describe('a catalog that cannot write', () => {
  let b: Bench;
  afterEach(() => b.close());

  test('MOVE MEDIUM answers ILLEGAL REQUEST 55/03 while the disk is full, moves nothing, and works again once space returns', async () => {
    b = await bench();
    b.disk.fill();
    assert.deepEqual(senseOf(await b.run(moveMedium(SLOT_1, SLOT_5))), [0x5, 0x55, 0x03]);
    assert.deepEqual(senseOf(await b.run(moveMedium(SLOT_1, DRIVE_1))), [0x5, 0x55, 0x03]);
    assert.deepEqual(senseOf(await b.run(exchangeMedium(SLOT_1, 0x1001, SLOT_1))), [0x5, 0x55, 0x03]);
    assert.equal(b.manager.element('lib0', SLOT_1).cartridge?.barcode, 'A00001L8');
    assert.equal(b.manager.element('lib0', 0x1001).cartridge?.barcode, 'A00002L8');
    assert.equal(b.manager.element('lib0', SLOT_5).cartridge, undefined);
    assert.equal(loadedIn(b, 0), undefined, 'the drive never loaded (the intent could not be recorded first)');
    assert.deepEqual(b.manager.catalogWriteState(), { ...b.manager.catalogWriteState(), writable: false, problem: 'no-space', code: 'SQLITE_FULL', refused: 3 });
    assert.deepEqual(catalogLines(b), ['50 catalog cannot write: no space left on its disk; moves and other library changes are refused until space returns']);

    b.disk.free();
    assert.equal((await b.run(moveMedium(SLOT_1, DRIVE_1))).status, ScsiStatus.GOOD);
    assert.equal(loadedIn(b, 0), 'A00001L8');
    assert.equal(b.manager.element('lib0', DRIVE_1).cartridge?.barcode, 'A00001L8');
    assert.deepEqual(b.manager.catalogWriteState(), { writable: true });
    assert.deepEqual(catalogLines(b).slice(1), ['30 catalog writes succeed again']);
  });

  test('a move whose commit fails after the drive loaded leaves the cartridge in its slot and the drive empty', async () => {
    // Only the commit's relocation needs space: the intent is recorded and the drive loads before the failure.
    b = await bench();
    b.disk.fill(['UPDATE ON cartridges']);
    assert.deepEqual(senseOf(await b.run(moveMedium(SLOT_1, DRIVE_1))), [0x5, 0x55, 0x03]);
    assert.deepEqual(b.drives[0]?.log, ['load A00001L8', 'unload A00001L8 forced']);
    assert.equal(loadedIn(b, 0), undefined);
    assert.equal(b.manager.element('lib0', SLOT_1).cartridge?.barcode, 'A00001L8');
    assert.equal(b.manager.element('lib0', DRIVE_1).cartridge, undefined);
    b.disk.free();
    assert.equal((await b.run(moveMedium(SLOT_1, DRIVE_1))).status, ScsiStatus.GOOD);
    assert.equal(loadedIn(b, 0), 'A00001L8');
  });

  test('a move out of a drive whose commit fails loads the cartridge back into the drive', async () => {
    b = await bench();
    assert.equal((await b.run(moveMedium(SLOT_1, DRIVE_1))).status, ScsiStatus.GOOD);
    b.disk.fill(['UPDATE ON cartridges']);
    assert.deepEqual(senseOf(await b.run(moveMedium(DRIVE_1, SLOT_5))), [0x5, 0x55, 0x03]);
    assert.equal(loadedIn(b, 0), 'A00001L8');
    assert.equal(b.manager.element('lib0', DRIVE_1).cartridge?.barcode, 'A00001L8');
    assert.equal(b.manager.element('lib0', SLOT_5).cartridge, undefined);
    assert.equal(b.manager.element('lib0', SLOT_1).cartridge, undefined);
  });

  test('an I/O error (the catalog went read-only) is HARDWARE ERROR 44/00, logged once, and clears when writes succeed', async () => {
    b = await bench();
    b.disk.breakWrites(true);
    assert.deepEqual(senseOf(await b.run(moveMedium(SLOT_1, SLOT_5))), [0x4, 0x44, 0x00]);
    assert.deepEqual(senseOf(await b.run(exchangeMedium(SLOT_1, 0x1001, SLOT_1))), [0x4, 0x44, 0x00]);
    assert.equal(b.manager.element('lib0', SLOT_1).cartridge?.barcode, 'A00001L8');
    b.disk.breakWrites(false);
    assert.equal((await b.run(moveMedium(SLOT_1, SLOT_5))).status, ScsiStatus.GOOD);
    assert.deepEqual(catalogLines(b), [
      '50 catalog cannot write: I/O error on its disk; moves and other library changes are refused until writes succeed',
      '30 catalog writes succeed again',
    ]);
  });

  test('only SQLite failures that mean "cannot write" become a CatalogWriteError', () => {
    const sqlite = (code: string): Error => Object.assign(new Error(code), { code });
    assert.equal(catalogWriteErrorOf(sqlite('SQLITE_FULL'))?.problem, 'no-space');
    assert.equal(catalogWriteErrorOf(sqlite('SQLITE_IOERR_WRITE'))?.problem, 'io-error');
    assert.equal(catalogWriteErrorOf(sqlite('SQLITE_IOERR'))?.problem, 'io-error');
    assert.equal(catalogWriteErrorOf(sqlite('SQLITE_READONLY_DBMOVED'))?.problem, 'io-error');
    assert.equal(catalogWriteErrorOf(sqlite('SQLITE_CONSTRAINT_UNIQUE')), undefined);
    assert.equal(catalogWriteErrorOf(sqlite('SQLITE_IOERRATIC')), undefined);
    assert.equal(catalogWriteErrorOf(new Error('plain')), undefined);
  });
});

// Scenario tests: the team's TypeScript initiator over iSCSI against a drive backed by a real FileMediaStore in a
// temporary directory. Each scenario is what a tool does to a tape (tar, mt, dd, a backup application).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/log.js';
import { IscsiServer } from '../../src/iscsi/server.js';
import { StaticTargetRegistry } from '../../src/iscsi/target-registry.js';
import { FileMediaStore } from '../../src/media/file-media-store.js';
import { ScsiTarget } from '../../src/scsi/target.js';
import { createDriveUnit } from '../../src/scsi/ssc/drive-unit.js';
import type { TapeDrive } from '../../src/scsi/ssc/tape-drive.js';
import { decodeFixedSense } from '../../src/scsi/ssc/testing/drive-harness.js';
import type { DecodedSense } from '../../src/scsi/ssc/testing/drive-harness.js';
import { IscsiInitiator } from '../initiator/iscsi-initiator.js';
import type { CommandResult } from '../initiator/iscsi-initiator.js';

const TARGET = 'iqn.2026-11.org.vtl:ssc-scenarios';
const LUN = 0;

interface Bench {
  readonly drive: TapeDrive;
  readonly store: FileMediaStore;
  readonly initiator: IscsiInitiator;
  cmd(cdb: readonly number[] | Buffer, options?: { dataOut?: Buffer; expectedDataInLength?: number }): Promise<CommandResult>;
  good(cdb: readonly number[] | Buffer, options?: { dataOut?: Buffer; expectedDataInLength?: number }): Promise<Buffer>;
  check(cdb: readonly number[] | Buffer, options?: { dataOut?: Buffer; expectedDataInLength?: number }): Promise<DecodedSense & { data: Buffer }>;
  mount(barcode: string, options?: { worm?: boolean; capacityBytes?: number }): Promise<void>;
}

let dir = '';
let server: IscsiServer;
let bench: Bench;
let port = 0;

const c = {
  rewind: [0x01, 0, 0, 0, 0, 0],
  read: (n: number, fixed = false): number[] => [0x08, fixed ? 1 : 0, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff, 0],
  write: (n: number, fixed = false): number[] => [0x0a, fixed ? 1 : 0, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff, 0],
  weof: (n: number): number[] => [0x10, 0, 0, 0, n, 0],
  space: (code: number, n: number): number[] => [0x11, code, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff, 0],
  tell: [0x34, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  seek: (n: number): number[] => [0x2b, 0, 0, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff, 0, 0, 0],
};

function block(file: number, n: number, length: number): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = (file * 31 + n * 7 + i) & 0xff;
  return b;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vtl-ssc-'));
  const log = silentLogger();
  const store = new FileMediaStore({ directory: dir, log });
  const target = new ScsiTarget(log);
  const { unit, drive } = createDriveUnit({
    name: 'lib0/drive0',
    generation: 8,
    compressionDefault: true,
    mediaStore: store,
    targetName: TARGET,
    lunInventory: () => target.luns(),
    log,
  });
  target.attach(LUN, unit);
  server = new IscsiServer({
    registry: new StaticTargetRegistry([{ name: TARGET, portalGroupTag: 1, device: target, access: { initiators: [] } }]),
    log,
  });
  port = (await server.listen('127.0.0.1', 0)).port;
  const initiator = await IscsiInitiator.connect({ host: '127.0.0.1', port, initiatorName: 'iqn.2026-11.org.vtl:scenario', targetName: TARGET, maxRecvDataSegmentLength: 262144 });
  const cmd: Bench['cmd'] = (cdb, o = {}) => initiator.command(LUN, cdb, { expectedDataInLength: o.expectedDataInLength ?? 1 << 20, ...(o.dataOut ? { dataOut: o.dataOut } : {}) });
  bench = {
    drive,
    store,
    initiator,
    cmd,
    async good(cdb, o) {
      const r = await cmd(cdb, o);
      assert.equal(r.status, 0, `GOOD expected for ${Buffer.from(cdb).toString('hex')}: ${r.sense?.toString('hex')}`);
      return r.dataIn;
    },
    async check(cdb, o) {
      const r = await cmd(cdb, o);
      assert.equal(r.status, 2, `CHECK CONDITION expected for ${Buffer.from(cdb).toString('hex')}`);
      return { ...decodeFixedSense(r.sense ?? Buffer.alloc(18)), data: r.dataIn };
    },
    async mount(barcode, o = {}) {
      if (drive.state().loaded) await drive.unload({ force: true });
      if (!(await store.exists(barcode))) {
        await store.create({ barcode, generation: 8, worm: o.worm ?? false, capacityBytes: o.capacityBytes ?? 256 * 1024 * 1024 });
      }
      await drive.load({ barcode, generation: 8, worm: o.worm ?? false, cleaning: false, writeProtected: false, capacityBytes: o.capacityBytes ?? 256 * 1024 * 1024 });
      // Consume the unit attentions (power-on for a new nexus, then medium changed) like st does on open.
      for (let i = 0; i < 3; i++) if ((await cmd([0, 0, 0, 0, 0, 0])).status === 0) break;
    },
  };
});

after(async () => {
  await bench.initiator.logout().catch(() => 0);
  bench.initiator.destroy();
  await bench.drive.shutdown();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function position(): Promise<number> {
  return (await bench.good(c.tell)).readUInt32BE(4);
}

describe('SSC scenarios over iSCSI on a file-backed cartridge', () => {
  test('a tar-like stream of files and filemarks reads back file by file, and appends at end of data', async () => {
    await bench.mount('TAR001L8');
    const sizes = [[10240, 10240, 3000], [512], [65536, 65536, 1]];
    for (const [f, blocks] of sizes.entries()) {
      for (const [n, len] of blocks.entries()) await bench.good(c.write(len), { dataOut: block(f, n, len) });
      await bench.good(c.weof(1));
    }
    await bench.good(c.weof(1)); // a second filemark closes the archive, as tar/mt close does with two
    await bench.good(c.rewind);
    for (const [f, blocks] of sizes.entries()) {
      for (const [n, len] of blocks.entries()) {
        const r = await bench.cmd(c.read(65536), { expectedDataInLength: 65536 });
        assert.deepEqual(r.dataIn, block(f, n, len), `file ${f} block ${n}`);
        if (len < 65536) {
          const s = decodeFixedSense(r.sense ?? Buffer.alloc(18));
          assert.deepEqual([s.ili, s.information], [true, 65536 - len]);
          assert.equal(r.residualUnderflow, 65536 - len);
        }
      }
      const fm = await bench.check(c.read(65536));
      assert.deepEqual([fm.filemark, fm.asc, fm.ascq, fm.information], [true, 0, 1, 65536]);
    }
    // `mt eod` without fast-eod: space 0x7fffff filemarks; BLANK CHECK with the residue gives the file number.
    await bench.good(c.rewind);
    const eod = await bench.check(c.space(1, 0x7fffff));
    assert.deepEqual([eod.key, eod.asc, eod.ascq, 0x7fffff - eod.information], [0x8, 0x00, 0x05, 4]);
    // Append one more file at end of data (after the second filemark, as an appending backup does after `mt bsf`).
    await bench.good(c.space(1, -1 & 0xffffff));
    await bench.good(c.write(4096), { dataOut: block(9, 0, 4096) });
    await bench.good(c.weof(1));
    await bench.good(c.rewind);
    await bench.good(c.space(1, 3));
    assert.deepEqual(await bench.good(c.read(4096)), block(9, 0, 4096));
    const end = await bench.check(c.space(0, 5));
    assert.deepEqual([end.filemark, end.information], [true, 5]);
    assert.equal((await bench.check(c.read(10))).key, 0x8);
  });

  test('data survives an unload and a reload, and so does a host MAM attribute', async () => {
    await bench.mount('KEEP01L8');
    await bench.good(c.write(1000), { dataOut: block(1, 1, 1000) });
    await bench.good(c.weof(1));
    const attr = Buffer.from([0, 0, 0, 13, 0x08, 0x00, 0x01, 0x00, 0x08, ...Buffer.from('VTLTEST ')]);
    await bench.good([0x8d, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, attr.length, 0, 0], { dataOut: attr });
    await bench.drive.unload({ force: false });
    await bench.mount('KEEP01L8');
    assert.deepEqual(await bench.good(c.read(1000)), block(1, 1, 1000));
    const data = await bench.good([0x8c, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00, 0, 0, 0x10, 0, 0, 0]);
    assert.deepEqual(data.subarray(9, 17).toString('ascii'), 'VTLTEST ');
    const load = await bench.good([0x8c, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x03, 0, 0, 0x10, 0, 0, 0]);
    assert.equal(load.readUInt16BE(4), 0x0003);
    assert.ok(load.readBigUInt64BE(9) >= 2n, 'load count counts both loads');
  });

  test('locate into the middle and overwrite: everything after it is gone', async () => {
    await bench.mount('MIDL01L8');
    for (let i = 0; i < 6; i++) await bench.good(c.write(2048), { dataOut: block(2, i, 2048) });
    await bench.good(c.seek(3));
    assert.equal(await position(), 3);
    await bench.good(c.write(2048), { dataOut: block(3, 0, 2048) });
    await bench.good(c.weof(1));
    await bench.good(c.seek(3));
    assert.deepEqual(await bench.good(c.read(2048)), block(3, 0, 2048));
    assert.equal((await bench.check(c.read(2048))).filemark, true);
    const eod = await bench.check(c.read(2048));
    assert.deepEqual([eod.key, eod.asc, eod.ascq], [0x8, 0x00, 0x05]);
    await bench.good(c.seek(1));
    assert.deepEqual(await bench.good(c.read(2048)), block(2, 1, 2048));
  });

  test('fixed-block mode: dd-style writes and reads of 512-byte blocks', async () => {
    await bench.mount('FIXD01L8');
    const sel = Buffer.from([0, 0, 0x10, 8, 0, 0, 0, 0, 0, 0, 0x02, 0x00]);
    await bench.good([0x15, 0x10, 0, 0, sel.length, 0], { dataOut: sel });
    const payload = Buffer.concat(Array.from({ length: 16 }, (_, i) => block(4, i, 512)));
    await bench.good(c.write(16, true), { dataOut: payload });
    await bench.good(c.weof(1));
    await bench.good(c.rewind);
    const s = await bench.check(c.read(20, true), { expectedDataInLength: 20 * 512 });
    assert.deepEqual([s.filemark, s.information], [true, 4]);
    assert.deepEqual(s.data, payload);
    const back = Buffer.from([0, 0, 0x10, 8, 0, 0, 0, 0, 0, 0, 0, 0]);
    await bench.good([0x15, 0x10, 0, 0, back.length, 0], { dataOut: back });
  });

  test('a small cartridge gives early warning before VOLUME OVERFLOW at its physical end', async () => {
    await bench.mount('SMAL01L8', { capacityBytes: 16 * 1024 * 1024 });
    // Turn compression off so the stored size is what we send.
    const page = [0x0f, 0x0e, 0x40, 0x80, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0];
    const list = Buffer.from([0, 0, 0x10, 0, ...page]);
    await bench.good([0x15, 0x10, 0, 0, list.length, 0], { dataOut: list });
    let warnings = 0;
    let overflow: DecodedSense | undefined;
    for (let i = 0; i < 40 && !overflow; i++) {
      const r = await bench.cmd(c.write(1024 * 1024), { dataOut: block(5, i, 1024 * 1024) });
      if (r.status === 0) continue;
      const s = decodeFixedSense(r.sense ?? Buffer.alloc(18));
      if (s.key === 0x0 && s.asc === 0 && s.ascq === 2 && s.eom) warnings++;
      else overflow = s;
    }
    assert.ok(warnings >= 1, 'early warning came first');
    assert.ok(overflow, 'the physical end was reached');
    assert.deepEqual([overflow.key, overflow.asc, overflow.ascq, overflow.eom, overflow.information], [0xd, 0x00, 0x02, true, 1024 * 1024]);
    await bench.good(c.weof(1)).catch(() => undefined);
    const compressionOn = Buffer.from([0, 0, 0x10, 0, 0x0f, 0x0e, 0xc0, 0x80, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0]);
    await bench.good([0x15, 0x10, 0, 0, compressionOn.length, 0], { dataOut: compressionOn });
  });

  test('WORM: appending works, overwriting written data is refused with DATA PROTECT 30/0C', async () => {
    await bench.mount('WORM01LY', { worm: true });
    await bench.good(c.write(100), { dataOut: block(6, 0, 100) });
    await bench.good(c.write(100), { dataOut: block(6, 1, 100) });
    await bench.good(c.seek(1));
    const s = await bench.check(c.write(100), { dataOut: block(6, 2, 100) });
    assert.deepEqual([s.key, s.asc, s.ascq], [0x7, 0x30, 0x0c]);
    await bench.good([0x11, 3, 0, 0, 0, 0]);
    await bench.good(c.write(100), { dataOut: block(6, 3, 100) });
    await bench.good(c.seek(1));
    assert.deepEqual(await bench.good(c.read(100)), block(6, 1, 100));
    const erase = await bench.check([0x19, 0, 0, 0, 0, 0]);
    assert.deepEqual([erase.key, erase.asc, erase.ascq], [0x7, 0x30, 0x0c]);
  });
  test('a record damaged on disk reads as MEDIUM ERROR 11/00, never as wrong data', async () => {
    await bench.mount('BAD001L8');
    const records = [randomBytes(1000), randomBytes(1000), randomBytes(1000)];
    for (const r of records) await bench.good(c.write(1000), { dataOut: r });
    await bench.good(c.weof(1));
    // File header (16 bytes), then per record a 28-byte header and the payload (random data is stored raw).
    const file = await open(join(dir, 'BAD001L8', 'data.vtape'), 'r+');
    try {
      const at = 16 + 28 + 1000 + 28 + 500;
      const one = Buffer.alloc(1);
      await file.read(one, 0, 1, at);
      await file.write(Buffer.from([one[0] ^ 0xff]), 0, 1, at);
    } finally {
      await file.close();
    }
    await bench.good(c.rewind);
    assert.deepEqual(await bench.good(c.read(1000)), records[0]);
    const s = await bench.check(c.read(1000));
    assert.deepEqual([s.key, s.asc, s.ascq, s.information, s.commandSpecific], [0x3, 0x11, 0x00, 1000, 1]);
    assert.equal(s.data.length, 0);
  });
  test('a second session (same initiator, other ISID) sees 28/00 after a load and the same tape', async () => {
    const second = await IscsiInitiator.connect({
      host: '127.0.0.1',
      port,
      initiatorName: 'iqn.2026-11.org.vtl:scenario',
      targetName: TARGET,
      isid: Buffer.from([0x80, 0, 0, 0, 0, 0x02]),
    });
    try {
      const first = await second.command(LUN, [0, 0, 0, 0, 0, 0]);
      assert.equal(decodeFixedSense(first.sense ?? Buffer.alloc(18)).asc, 0x29); // its power-on
      await bench.mount('TWO001L8');
      const ua = await second.command(LUN, [0, 0, 0, 0, 0, 0]);
      const s = decodeFixedSense(ua.sense ?? Buffer.alloc(18));
      assert.deepEqual([s.key, s.asc, s.ascq], [0x6, 0x28, 0x00]);
      await bench.good(c.write(64), { dataOut: block(7, 0, 64) });
      await bench.good(c.weof(1));
      const pos = await second.command(LUN, c.tell, { expectedDataInLength: 20 });
      assert.equal(pos.dataIn.readUInt32BE(4), 2);
      await second.logout();
    } finally {
      second.destroy();
    }
  });
});

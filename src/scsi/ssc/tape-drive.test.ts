import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DriveRemovalPreventedError } from '../../library/drive-port.js';
import { cdb, createHarness, decodeFixedSense, nexus } from './testing/drive-harness.js';

const bytes = (n: number): Buffer => Buffer.alloc(n, 0x5a);

describe('TapeDrive as the robot sees it (DriveMechanism)', () => {
  test('an empty drive answers NOT READY 3A/00', async () => {
    const h = await createHarness();
    await h.run(cdb.testUnitReady()); // power-on unit attention
    const s = await h.check(cdb.testUnitReady());
    assert.deepEqual([s.key, s.asc, s.ascq], [0x2, 0x3a, 0x00]);
    assert.deepEqual(h.drive.state(), { loaded: undefined, removalPrevented: false, ejected: false });
  });

  test('while loading the drive answers NOT READY 04/01, then raises 28/00 on every nexus', async () => {
    const h = await createHarness();
    await h.run(cdb.testUnitReady(), { nexus: nexus(1) });
    await h.run(cdb.testUnitReady(), { nexus: nexus(2) });
    let open!: () => void;
    h.store.openGate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const loading = h.drive.load({ barcode: 'A00001L8', generation: 8, worm: false, cleaning: false, writeProtected: false, capacityBytes: 1 << 20 });
    const s = await h.check(cdb.testUnitReady());
    assert.deepEqual([s.key, s.asc, s.ascq], [0x2, 0x04, 0x01]);
    const r = await h.check(cdb.read6(10));
    assert.deepEqual([r.asc, r.ascq], [0x04, 0x01]);
    open();
    await loading;
    for (const n of [nexus(1), nexus(2)]) {
      const ua = await h.check(cdb.testUnitReady(), { nexus: n });
      assert.deepEqual([ua.key, ua.asc, ua.ascq], [0x6, 0x28, 0x00]);
      await h.good(cdb.testUnitReady(), { nexus: n });
    }
    assert.equal(h.drive.state().loaded, 'A00001L8');
  });

  test('a cartridge unloaded while it was still being opened is closed once the open completes', async () => {
    const h = await createHarness();
    let open!: () => void;
    h.store.openGate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const loading = h.drive.load({ barcode: 'A00001L8', generation: 8, worm: false, cleaning: false, writeProtected: false, capacityBytes: 1 << 20 });
    await h.drive.unload({ force: false });
    open();
    await loading;
    assert.equal(h.store.media.get('A00001L8')?.closed, true);
    assert.equal(h.drive.state().loaded, undefined);
    assert.equal((await h.check(cdb.testUnitReady())).asc, 0x3a);
  });

  test('unload flushes, rewinds and closes the cartridge', async () => {
    const h = await createHarness();
    const m = await h.load();
    await h.good(cdb.write6(4), { dataOut: bytes(4) });
    await h.drive.unload({ force: false });
    assert.equal(m.closed, true);
    assert.equal(m.flushCount, 1);
    assert.equal(h.drive.state().loaded, undefined);
    assert.equal((await h.check(cdb.testUnitReady())).asc, 0x3a);
  });

  test('PREVENT MEDIUM REMOVAL stops the robot and LOAD UNLOAD, until a forced unload', async () => {
    const h = await createHarness();
    await h.load();
    await h.good([0x1e, 0, 0, 0, 1, 0]);
    assert.equal(h.drive.state().removalPrevented, true);
    await assert.rejects(h.drive.unload({ force: false }), DriveRemovalPreventedError);
    const s = await h.check([0x1b, 0, 0, 0, 0, 0]);
    assert.deepEqual([s.key, s.asc, s.ascq], [0x5, 0x53, 0x02]);
    await h.drive.unload({ force: true });
    assert.equal(h.drive.state().removalPrevented, false);
  });

  test('a host UNLOAD ejects the cartridge into the drive; LOAD threads it again at BOP', async () => {
    const h = await createHarness();
    const m = await h.load();
    await h.good(cdb.write6(4), { dataOut: bytes(4) });
    await h.good([0x1b, 0, 0, 0, 0, 0]);
    assert.equal(m.flushCount, 1);
    assert.deepEqual(h.drive.state(), { loaded: 'A00001L8', removalPrevented: false, ejected: true });
    assert.equal((await h.check(cdb.testUnitReady())).asc, 0x3a);
    await h.good([0x1b, 0, 0, 0, 1, 0]);
    assert.equal(h.drive.state().ejected, false);
    assert.equal((await h.good(cdb.readPositionShort())).readUInt32BE(4), 0);
    // LOAD with EOT is invalid.
    assert.deepEqual((await h.check([0x1b, 0, 0, 0, 0x05, 0])).field, [4, 2]);
  });

  test('a cleaning cartridge answers NOT READY 30/03, is ejected, and clears the clean-now flag', async () => {
    const h = await createHarness();
    h.drive.tapeAlert.set(20);
    await h.load('CLN001L1', { cleaning: true });
    const s = await h.check(cdb.testUnitReady());
    assert.deepEqual([s.key, s.asc, s.ascq], [0x2, 0x30, 0x03]);
    assert.equal(h.drive.state().ejected, true);
    assert.equal(h.drive.tapeAlert.isSet(20), false);
    assert.equal(h.store.media.size, 0);
  });
});

describe('generation compatibility', () => {
  test('an LTO-8 drive does not use LTO-6 media: MEDIUM ERROR 30/00 and the cartridge is ejected', async () => {
    const h = await createHarness({ generation: 8 });
    await h.load('A00001L6', { generation: 6 });
    const s = await h.check(cdb.testUnitReady());
    assert.deepEqual([s.asc, s.ascq], [0x30, 0x00]);
    assert.equal(h.drive.state().ejected, true);
  });

  test('an LTO-7 drive reads LTO-5 media but refuses to write it with DATA PROTECT 30/05 and reports WP', async () => {
    const h = await createHarness({ generation: 7 });
    const m = await h.load('A00001L5', { generation: 5 });
    m.objects.push({ kind: 'block', data: bytes(4), compressed: false });
    assert.deepEqual(await h.good(cdb.read6(4)), bytes(4));
    const s = await h.check(cdb.write6(4), { dataOut: bytes(4) });
    assert.deepEqual([s.key, s.asc, s.ascq], [0x7, 0x30, 0x05]);
    const sense = await h.good([0x1a, 0, 0x3f, 0, 255, 0]);
    assert.equal(sense[2] & 0x80, 0x80);
  });

  test('an LTO-8 drive writes LTO-7 media, and the block reaches the cartridge', async () => {
    const h = await createHarness({ generation: 8 });
    const m = await h.load('A00001L7', { generation: 7 });
    const block = Buffer.from('LTO-7 block');
    await h.good(cdb.write6(block.length), { dataOut: block });
    assert.equal(m.objects.length, 1);
    assert.equal(m.objects[0].kind, 'block');
    assert.deepEqual(m.objects[0].kind === 'block' ? m.objects[0].data : undefined, block);
    const sense = await h.good([0x1a, 0, 0x3f, 0, 255, 0]);
    assert.equal(sense[2] & 0x80, 0, 'an LTO-7 cartridge in an LTO-8 drive is not write-protected');
  });
});

describe('one owner of ordering (the unit queue)', () => {
  test('REWIND with IMMED runs before a READ POSITION that arrived while the rewind was still queued', async () => {
    const h = await createHarness();
    await h.load();
    await h.good(cdb.write6(4), { dataOut: bytes(4) });
    // Both are queued before either runs, as an initiator pipelining commands makes them arrive.
    const [, position] = await Promise.all([h.good(cdb.rewind(true)), h.good(cdb.readPositionShort())]);
    assert.equal(position.readUInt32BE(4), 0);
  });

  test('a failed IMMED operation is reported once, as a deferred error, by the next medium command', async () => {
    const h = await createHarness();
    const m = await h.load();
    m.rewind = () => Promise.reject(new Error('the rewind failed'));
    await h.good(cdb.rewind(true));
    const deferred = await h.check(cdb.readPositionShort());
    assert.deepEqual([deferred.deferred, deferred.key, deferred.asc], [true, 0x4, 0x44]);
    await h.good(cdb.readPositionShort());
  });

  test('a robot unload waits for the host WRITE queued before it, then flushes and closes', async () => {
    const h = await createHarness();
    const m = await h.load();
    const [data] = await Promise.all([h.good(cdb.write6(4), { dataOut: bytes(4) }), h.drive.unload({ force: false })]);
    assert.equal(data.length, 0);
    assert.equal(m.objects.length, 1);
    assert.deepEqual([m.flushCount, m.closed], [1, true]);
  });
});

describe('events', () => {
  test('a logical unit reset clears PREVENT state, returns mode settings to defaults and raises 29/03', async () => {
    const h = await createHarness({ compression: true });
    await h.load();
    await h.good([0x1e, 0, 0, 0, 1, 0]);
    h.drive.mode.selectBlockDescriptor(0, 512);
    h.drive.mode.setCompression(false);
    h.drive.mode.setAppendOnly(true);
    h.unit.handleEvent({ kind: 'logical-unit-reset', lun: 1, by: nexus(1) });
    assert.equal(h.drive.state().removalPrevented, false);
    assert.deepEqual([h.drive.mode.blockLength, h.drive.mode.bufferedMode, h.drive.mode.compression, h.drive.mode.appendOnly], [0, 1, true, false]);
    const r = await h.run(cdb.testUnitReady());
    assert.deepEqual([decodeFixedSense(r.sense ?? Buffer.alloc(18)).asc], [0x29]);
  });
});

describe('cartridge memory at load', () => {
  test('each load records the drive in DEVICE VENDOR/SERIAL NUMBER AT LAST LOAD and shifts the history', async () => {
    const h = await createHarness();
    const m = await h.load();
    assert.equal(m.attributes.get(0x020a)?.subarray(0, 8).toString('ascii'), 'IBM     ');
    assert.equal(m.attributes.get(0x020a)?.subarray(8).toString('ascii').trim(), h.drive.identity.serial);
    assert.equal(m.attributes.get(0x0400)?.toString('ascii'), 'VTL     ');
    const serial = m.attributes.get(0x0401);
    await h.drive.unload({ force: false });
    await h.load();
    assert.deepEqual(m.attributes.get(0x020b), m.attributes.get(0x020a));
    assert.deepEqual(m.attributes.get(0x0401), serial, 'the medium serial is set once');
  });

  test('UNLOAD with IMMED and EOT ejects after moving to end of data', async () => {
    const h = await createHarness();
    const m = await h.load();
    await h.good(cdb.write6(4), { dataOut: bytes(4) });
    await h.good(cdb.rewind());
    await h.good([0x1b, 0x01, 0, 0, 0x04, 0]);
    await h.drive.unload({ force: false }); // waits for the background unload
    assert.equal(m.closed, true);
    assert.ok(m.flushCount >= 1);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cdb, createHarness, nexus } from './testing/drive-harness.js';
import type { Harness } from './testing/drive-harness.js';
import { RecordingProtection } from './testing/recording-protection.js';
import { MediaGuard, WRITE_NOTE_INTERVAL_MS, initiatorOf } from './media-guard.js';
import { silentLogger } from '../../log.js';
import type { TapeMedium } from '../../media/tape-medium.js';

const DATA_PROTECT = 0x07;
const block = (n: number, seed = 1): Buffer => Buffer.alloc(n, seed);

async function drive(): Promise<{ h: Harness; p: RecordingProtection }> {
  const p = new RecordingProtection();
  const h = await createHarness({ protection: p });
  return { h, p };
}

/** Three blocks and a filemark, then back to the beginning. */
async function backup(h: Harness): Promise<void> {
  for (let i = 0; i < 3; i++) await h.good(cdb.write6(10), { dataOut: block(10, i) });
  await h.good(cdb.writeFilemarks(1));
  await h.good(cdb.rewind());
}

/** A second host: its first commands report power-on and the medium change. */
async function secondHost(h: Harness): Promise<ReturnType<typeof nexus>> {
  const other = nexus(2);
  for (let i = 0; i < 3; i++) if ((await h.run(cdb.testUnitReady(), { nexus: other })).sense?.[2] !== 0x06) break;
  return other;
}

describe('retention locks at the drive', () => {
  test('on a locked cartridge a WRITE before end of data is refused with DATA PROTECT 27/06, recorded, and nothing is cut', async () => {
    const { h, p } = await drive();
    const m = await h.load();
    await backup(h);
    p.lock('A00001L8');
    const s = await h.check(cdb.write6(10), { dataOut: block(10, 9) });
    assert.deepEqual([s.key, s.asc, s.ascq], [DATA_PROTECT, 0x27, 0x06]);
    assert.equal(m.objects.length, 4, 'the backup is intact');
    assert.deepEqual(p.records.map((r) => [r.kind, r.outcome, r.barcode, r.initiator, r.isid, r.lun, r.detail?.reason]), [
      ['scsi.write', 'refused', 'A00001L8', 'iqn.test:i1', '00023d000001', 1, 'retention'],
    ]);
  });

  test('on a locked cartridge appending at end of data works and records nothing', async () => {
    const { h, p } = await drive();
    const m = await h.load();
    await backup(h);
    p.lock('A00001L8');
    await h.good(cdb.space6(3, 0));
    await h.good(cdb.write6(10), { dataOut: block(10, 7) });
    await h.good(cdb.writeFilemarks(1));
    assert.equal(m.objects.length, 6);
    assert.deepEqual(p.records, []);
  });

  test('on a locked cartridge WRITE FILEMARKS before end of data is refused, and WRITE FILEMARKS 0 (a flush) is not', async () => {
    const { h, p } = await drive();
    await h.load();
    await backup(h);
    p.lock('A00001L8', 'governance');
    const s = await h.check(cdb.writeFilemarks(1));
    assert.deepEqual([s.key, s.asc, s.ascq], [DATA_PROTECT, 0x27, 0x06]);
    await h.good(cdb.writeFilemarks(0));
  });

  test('on a locked cartridge ERASE and SET CAPACITY are refused with 27/06, also with IMMED, and the data stays', async () => {
    const { h, p } = await drive();
    const m = await h.load();
    await backup(h);
    p.lock('A00001L8');
    for (const c of [cdb.erase(), cdb.erase(true, true), cdb.setCapacity(0xffff), cdb.setCapacity(0x8000, true)]) {
      const s = await h.check(c);
      assert.deepEqual([s.key, s.asc, s.ascq, s.deferred], [DATA_PROTECT, 0x27, 0x06, false], Buffer.from(c).toString('hex'));
    }
    await h.good(cdb.testUnitReady());
    assert.equal(m.objects.length, 4);
    assert.deepEqual(p.records.map((r) => r.kind), ['scsi.erase', 'scsi.erase', 'scsi.set-capacity', 'scsi.set-capacity']);
  });

  test('a lock set while a drive is writing takes effect for the next destructive command, not the appends', async () => {
    const { h, p } = await drive();
    const m = await h.load();
    await h.good(cdb.write6(10), { dataOut: block(10, 1) });
    p.lock('A00001L8');
    await h.good(cdb.write6(10), { dataOut: block(10, 2) });
    await h.good(cdb.locate10(1));
    const s = await h.check(cdb.write6(10), { dataOut: block(10, 3) });
    assert.deepEqual([s.asc, s.ascq], [0x27, 0x06]);
    assert.deepEqual(m.objects.map((o) => (o.kind === 'block' ? o.data[0] : 'F')), [1, 2]);
  });

  test('a deferred error is reported before a lock refusal, and the lock still refuses the next command', async () => {
    const { h, p } = await drive();
    await h.load();
    await backup(h);
    p.lock('A00001L8');
    h.drive.queue.background(() => Promise.reject(new Error('buffered records lost')), () => ({ key: 0x03, asc: 0x0c, ascq: 0x00 }));
    await h.drive.queue.idle();
    const first = await h.check(cdb.write6(10), { dataOut: block(10) });
    assert.deepEqual([first.deferred, first.key, first.asc], [true, 0x03, 0x0c]);
    const second = await h.check(cdb.write6(10), { dataOut: block(10) });
    assert.deepEqual([second.deferred, second.key, second.asc, second.ascq], [false, DATA_PROTECT, 0x27, 0x06]);
  });

  test('after the lock expires the cartridge is ordinary again: rewritten from the beginning, recorded as done', async () => {
    const { h, p } = await drive();
    const m = await h.load();
    await backup(h);
    p.lock('A00001L8', 'compliance', '2026-12-01T10:00:05.000Z');
    await h.check(cdb.write6(10), { dataOut: block(10, 9) });
    p.clock = new Date('2026-12-01T10:00:05.000Z');
    await h.good(cdb.write6(10), { dataOut: block(10, 9) });
    assert.equal(m.objects.length, 1);
    assert.deepEqual(p.records.map((r) => [r.kind, r.outcome, r.detail?.position]), [['scsi.write', 'refused', 0], ['scsi.write', 'done', 0]]);
  });
});

describe('read-only initiators', () => {
  test('a read-only initiator is refused every change with DATA PROTECT 27/00; it loads, reads, positions and sets its block size', async () => {
    const { h, p } = await drive();
    const m = await h.load();
    await backup(h);
    p.readOnly.add('iqn.test:i2');
    const ro = await secondHost(h);
    const attribute = Buffer.from([0, 0, 0, 13, 0x08, 0x00, 0x01, 0x00, 0x08, ...Buffer.from('ACME    ')]);
    const changes: [number[], Buffer | undefined][] = [
      [cdb.write6(10), block(10)], [cdb.writeFilemarks(1), undefined], [cdb.erase(), undefined], [cdb.setCapacity(0xffff), undefined],
      [[0x8d, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, attribute.length, 0, 0], attribute],
    ];
    for (const [c, dataOut] of changes) {
      const s = await h.check(c, { nexus: ro, ...(dataOut ? { dataOut } : {}) });
      assert.deepEqual([s.key, s.asc, s.ascq], [DATA_PROTECT, 0x27, 0x00], Buffer.from(c).toString('hex'));
    }
    await h.good(cdb.space6(3, 0), { nexus: ro });
    const refusedAtEnd = await h.check(cdb.write6(10), { nexus: ro, dataOut: block(10) });
    assert.equal(refusedAtEnd.asc, 0x27, 'appending is a change too');
    await h.good(cdb.rewind(), { nexus: ro });
    assert.deepEqual(await h.good(cdb.read6(10), { nexus: ro }), block(10, 0));
    await h.good([0x15, 0x10, 0, 0, 12, 0], { nexus: ro, dataOut: Buffer.from([0, 0, 0x10, 8, 0, 0, 0, 0, 0, 0, 0, 0]) });
    assert.equal(m.objects.length, 4);
    assert.deepEqual(p.records.map((r) => [r.kind, r.initiator, r.isid, r.detail?.reason]).at(-1), ['scsi.write', 'iqn.test:i2', '00023d000002', 'read-only-initiator']);
    assert.equal(p.records.length, 6);
    await h.good(cdb.write6(10), { dataOut: block(10, 5) });
  });

  test('the initiator name and ISID are read from the iSCSI initiator port name', () => {
    assert.deepEqual(initiatorOf(nexus(3)), { name: 'iqn.test:i3', isid: '00023d000003' });
    assert.deepEqual(initiatorOf({ ...nexus(3), initiatorPort: 'naa.5000' }), { name: 'naa.5000', isid: undefined });
  });
});

describe('the audit of SCSI commands', () => {
  test('ERASE, SET CAPACITY and a write before end of data on an unlocked cartridge are recorded as done once they ran', async () => {
    const { h, p } = await drive();
    await h.load();
    await backup(h);
    await h.good(cdb.locate10(2));
    await h.good(cdb.write6(10), { dataOut: block(10) });
    await h.good(cdb.locate10(1));
    await h.good(cdb.erase());
    await h.good(cdb.rewind());
    await h.good(cdb.setCapacity(0xffff));
    assert.deepEqual(p.records.map((r) => [r.kind, r.outcome, r.detail?.position, r.lun]), [
      ['scsi.write', 'done', 2, 1], ['scsi.erase', 'done', 1, 1], ['scsi.set-capacity', 'done', 0, 1],
    ]);
  });

  test('a WORM overwrite is refused with 30/0C and recorded as refused by WORM', async () => {
    const { h, p } = await drive();
    await h.load('A00001LY', { worm: true });
    await h.good(cdb.write6(10), { dataOut: block(10) });
    await h.good(cdb.rewind());
    const s = await h.check(cdb.write6(10), { dataOut: block(10) });
    assert.deepEqual([s.asc, s.ascq], [0x30, 0x0c]);
    // Only the refusal: a destructive command is recorded as done once it has run, and this one did not.
    assert.deepEqual(p.records.map((r) => [r.kind, r.outcome, r.detail?.reason]), [['scsi.write', 'refused', 'worm']]);
  });

  test('an audit log that cannot take the entry does not change the answer', async () => {
    const { h, p } = await drive();
    await h.load();
    await backup(h);
    p.failRecord = new Error('the audit log does not verify');
    p.lock('A00001L8');
    assert.equal((await h.check(cdb.erase())).asc, 0x27);
    p.locks.clear();
    await h.good(cdb.erase());
  });
});

describe('what the drive tells the library', () => {
  test('the first write of a mount is noted at once, later ones at most once a minute, the last one at unload', async () => {
    const { h, p } = await drive();
    await h.load();
    const t0 = p.clock.getTime();
    const at = (ms: number): string => new Date(t0 + ms).toISOString();
    await h.good(cdb.write6(10), { dataOut: block(10) });
    p.clock = new Date(t0 + 1000);
    await h.good(cdb.writeFilemarks(1));
    p.clock = new Date(t0 + WRITE_NOTE_INTERVAL_MS);
    await h.good(cdb.write6(10), { dataOut: block(10) });
    p.clock = new Date(t0 + WRITE_NOTE_INTERVAL_MS + 5000);
    await h.good(cdb.write6(10), { dataOut: block(10) });
    assert.deepEqual(p.writes.map((w) => w.at), [at(0), at(WRITE_NOTE_INTERVAL_MS)]);
    await h.drive.unload({ force: true });
    assert.deepEqual(p.writes.map((w) => w.at), [at(0), at(WRITE_NOTE_INTERVAL_MS), at(WRITE_NOTE_INTERVAL_MS + 5000)]);
  });

  test('a write not yet noted is noted at shutdown', async () => {
    const { h, p } = await drive();
    await h.load();
    await h.good(cdb.write6(10), { dataOut: block(10) });
    p.clock = new Date(p.clock.getTime() + 1000);
    await h.good(cdb.write6(10), { dataOut: block(10) });
    assert.equal(p.writes.length, 1);
    await h.drive.shutdown();
    assert.deepEqual(p.writes.map((w) => w.at), ['2026-12-01T10:00:00.000Z', '2026-12-01T10:00:01.000Z']);
  });

  test('at load the stricter of the catalog lock and the cartridge lock wins, and is written onto the cartridge', async () => {
    const { h, p } = await drive();
    const m = await h.load();
    p.lock('A00001L8', 'governance', '2027-06-01T00:00:00.000Z');
    await h.drive.unload({ force: true });
    assert.equal(m.retention?.until, '2027-06-01T00:00:00.000Z', 'a lock set while loaded is on the cartridge when it leaves');
    // An old catalog: no lock at all. The cartridge brings its own back.
    p.locks.clear();
    await h.load();
    assert.deepEqual([p.lockOf('A00001L8')?.mode, p.lockOf('A00001L8')?.until], ['governance', '2027-06-01T00:00:00.000Z']);
    assert.equal((await h.check(cdb.erase())).asc, 0x27);
    await h.drive.unload({ force: true });
    // A catalog lock stricter than the cartridge's is written onto the cartridge at the next load.
    p.lock('A00001L8', 'compliance', '2028-01-01T00:00:00.000Z');
    await h.load();
    assert.deepEqual([m.retention?.mode, m.retention?.until], ['compliance', '2028-01-01T00:00:00.000Z']);
  });
});

describe('MediaGuard.passes', () => {
  test('passes() is true exactly where check() lets the command through without recording anything', async () => {
    const kinds = ['write', 'write-filemarks', 'erase', 'set-capacity', 'write-attribute'] as const;
    let seen = 0;
    for (const kind of kinds) {
      for (const readOnly of [false, true]) {
        for (const locked of [false, true]) {
          for (const atEndOfData of [false, true]) {
            const p = new RecordingProtection();
            if (readOnly) p.readOnly.add('iqn.test:i1');
            if (locked) p.lock('A00001L8');
            const guard = new MediaGuard(p, 1, silentLogger());
            const medium = {
              barcode: 'A00001L8',
              position: () => ({ objectNumber: 3, fileNumber: 0, atEndOfData }),
              retentionLock: () => undefined,
              keepRetentionLock: () => Promise.resolve(),
            } as unknown as TapeMedium;
            const passes = guard.passes(kind, nexus(1), medium);
            const outcome = await guard.check(kind, 0x0a, nexus(1), medium).then((d) => d ?? 'through', () => 'refused');
            const label = `${kind} readOnly=${readOnly} locked=${locked} atEndOfData=${atEndOfData}`;
            assert.equal(passes, outcome === 'through' && p.records.length === 0, label);
            if (passes) seen++;
          }
        }
      }
    }
    // Appends (write, write-filemarks at end of data) and attributes pass for a writing initiator, locked or not.
    assert.equal(seen, 2 * 2 + 2 * 2);
  });
});

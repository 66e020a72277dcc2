import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ScsiStatus } from '../../src/scsi/status.js';
import { smallConfig } from '../library/harness.js';
import { changerHarness, nexus } from './changer-harness.js';
import type { ChangerHarness } from './changer-harness.js';

const move = (src: number, dst: number, transport = 0): number[] =>
  [0xa5, 0x00, transport >> 8, transport & 0xff, src >> 8, src & 0xff, dst >> 8, dst & 0xff, 0x00, 0x00, 0x00, 0x00];
const exchange = (src: number, first: number, second: number): number[] =>
  [0xa6, 0x00, 0x00, 0x00, src >> 8, src & 0xff, first >> 8, first & 0xff, second >> 8, second & 0xff, 0x00, 0x00];
const ILLEGAL_REQUEST = 0x5;

describe('the SMC changer', () => {
  let h: ChangerHarness;
  afterEach(() => h.close());

  test('INQUIRY reports a medium changer (peripheral device type 08h) as an IBM 3584 by default', async () => {
    h = await changerHarness();
    const data = await h.good([0x12, 0x00, 0x00, 0x00, 0x60, 0x00]);
    assert.equal(data[0], 0x08);
    assert.equal(data.subarray(8, 36).toString('ascii'), 'IBM     03584L32        0402');
    const serial = await h.good([0x12, 0x01, 0x80, 0x00, 0xff, 0x00]);
    // IBM 3584 form: the serial's last 12 characters, then the first storage element address in hexadecimal ASCII.
    assert.match(serial.subarray(4).toString('ascii'), /^L[0-9A-F]{8}L001000$/);
  });

  test('MOVE MEDIUM from a slot to a drive loads the drive; back again unloads it', async () => {
    h = await changerHarness();
    await h.good(move(0x1000, 0x0100));
    assert.equal(h.drives[0].loaded?.barcode, 'A00001L8');
    assert.equal(h.manager.element('lib0', 0x0100).cartridge?.source?.address, 0x1000);
    await h.good(move(0x0100, 0x1000));
    assert.equal(h.drives[0].loaded, undefined);
    assert.equal(h.manager.element('lib0', 0x1000).cartridge?.barcode, 'A00001L8');
  });

  test('MOVE MEDIUM refuses an empty source with 3B/0E and a full destination with 3B/0D', async () => {
    h = await changerHarness();
    await h.check(move(0x1005, 0x1004), ILLEGAL_REQUEST, 0x3b, 0x0e);
    await h.check(move(0x1000, 0x1001), ILLEGAL_REQUEST, 0x3b, 0x0d);
  });

  test('MOVE MEDIUM refuses addresses that are no element, and a transport address that is not the robot, with 21/01', async () => {
    h = await changerHarness();
    await h.check(move(0x1000, 0x2000), ILLEGAL_REQUEST, 0x21, 0x01);
    await h.check(move(0x0999, 0x1004), ILLEGAL_REQUEST, 0x21, 0x01);
    await h.check(move(0x1000, 0x1004, 0x1003), ILLEGAL_REQUEST, 0x21, 0x01);
    await h.good(move(0x1000, 0x1004, 0x0000));
  });

  test('MOVE MEDIUM with INVERT is refused as INVALID FIELD IN CDB (the robot cannot rotate media)', async () => {
    h = await changerHarness();
    const cdb = move(0x1000, 0x1004);
    cdb[10] = 0x01;
    const sense = await h.check(cdb, ILLEGAL_REQUEST, 0x24, 0x00);
    assert.deepEqual([sense[15], sense.readUInt16BE(16)], [0xc8, 10]);
  });

  test('moving out of a drive whose tape is loaded and locked is MEDIUM REMOVAL PREVENTED 53/02', async () => {
    h = await changerHarness();
    await h.good(move(0x1000, 0x0100));
    h.drives[0].removalPrevented = true;
    await h.check(move(0x0100, 0x1000), ILLEGAL_REQUEST, 0x53, 0x02);
    // READ ELEMENT STATUS shows the drive full but not accessible.
    const data = await h.good([0xb8, 0x04, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00]);
    assert.equal(data[18], 0x01);
  });

  test('a drive that fails to load answers MEDIA LOAD OR EJECT FAILED and the cartridge stays put', async () => {
    h = await changerHarness();
    h.drives[1].failLoad = true;
    await h.check(move(0x1001, 0x0101), 0x3, 0x53, 0x00);
    assert.equal(h.manager.element('lib0', 0x1001).cartridge?.barcode, 'A00002L8');
  });

  test('EXCHANGE MEDIUM moves the source to the first destination and that one to the second', async () => {
    h = await changerHarness();
    await h.good(move(0x1000, 0x0100));
    await h.good(exchange(0x1001, 0x0100, 0x1000));
    assert.equal(h.drives[0].loaded?.barcode, 'A00002L8');
    assert.equal(h.manager.element('lib0', 0x1000).cartridge?.barcode, 'A00001L8');
    await h.check(exchange(0x1005, 0x1000, 0x1004), ILLEGAL_REQUEST, 0x3b, 0x0e);
    await h.check(exchange(0x1000, 0x1002, 0x0100), ILLEGAL_REQUEST, 0x3b, 0x0d);
  });

  test('POSITION TO ELEMENT accepts any element and refuses other addresses', async () => {
    h = await changerHarness();
    await h.good([0x2b, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00]);
    await h.check([0x2b, 0x00, 0x00, 0x00, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00], ILLEGAL_REQUEST, 0x21, 0x01);
  });

  test('INITIALIZE ELEMENT STATUS rescans the media files: a vanished file shows as EXCEPT, a restored one clears it', async () => {
    h = await changerHarness();
    const file = h.store.files.get('A00002L8');
    h.store.files.delete('A00002L8');
    await h.good([0x07, 0x00, 0x00, 0x00, 0x00, 0x00]);
    const res = (): Promise<Buffer> => h.good([0xb8, 0x02, 0x10, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00]);
    assert.deepEqual([...(await res()).subarray(18, 22)], [0x0d, 0x00, 0x30, 0x00]);
    if (file) h.store.files.set('A00002L8', file);
    await h.good([0x37, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);
    assert.deepEqual([...(await res()).subarray(18, 22)], [0x09, 0x00, 0x00, 0x00]);
  });

  test('INITIALIZE ELEMENT STATUS WITH RANGE checks the starting element and scans only the range', async () => {
    h = await changerHarness();
    await h.good([0x37, 0x01, 0x10, 0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00]);
    await h.check([0x37, 0x01, 0x20, 0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00], ILLEGAL_REQUEST, 0x21, 0x01);
    await h.good([0x37, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00]);
    // Both files vanish; a range of one element from 1001h marks only A00002L8 (slot 1001h), not A00001L8 (1000h).
    h.store.files.delete('A00001L8');
    h.store.files.delete('A00002L8');
    await h.good([0x37, 0x01, 0x10, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00]);
    assert.equal(h.manager.element('lib0', 0x1000).exception, undefined);
    assert.equal(h.manager.element('lib0', 0x1001).exception, 'media-missing');
    // NUMBER OF ELEMENTS 0 scans nothing; RANGE=0 scans everything.
    await h.good([0x37, 0x01, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);
    assert.equal(h.manager.element('lib0', 0x1000).exception, undefined);
    await h.good([0x37, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);
    assert.equal(h.manager.element('lib0', 0x1000).exception, 'media-missing');
  });

  test('PREVENT MEDIUM REMOVAL locks the mail slots against the operator until ALLOW or nexus loss', async () => {
    h = await changerHarness();
    await h.manager.exportCartridge('A00001L8', { actor: 'host' });
    await h.good([0x1e, 0x00, 0x00, 0x00, 0x01, 0x00]);
    assert.equal(h.manager.removalPrevented('lib0'), true);
    await assert.rejects(h.manager.shelveCartridge('A00001L8'), /prevents medium removal/);
    await h.good([0x1e, 0x00, 0x00, 0x00, 0x00, 0x00]);
    assert.equal(h.manager.removalPrevented('lib0'), false);
    await h.good([0x1e, 0x00, 0x00, 0x00, 0x01, 0x00]);
    h.unit.handleEvent({ kind: 'nexus-loss', nexus: nexus(1) });
    assert.equal(h.manager.removalPrevented('lib0'), false);
  });

  test('an operator change to a mail slot raises UNIT ATTENTION 28/01 on every nexus of the changer', async () => {
    h = await changerHarness();
    await h.run([0x00, 0, 0, 0, 0, 0], { nexus: nexus(2) });
    await h.manager.exportCartridge('A00003L8');
    await h.check([0x00, 0, 0, 0, 0, 0], 0x6, 0x28, 0x01);
    await h.check([0x00, 0, 0, 0, 0, 0], 0x6, 0x28, 0x01, { nexus: nexus(2) });
    await h.good([0x00, 0, 0, 0, 0, 0]);
    // A host's own move through the changer raises nothing.
    await h.good(move(0x0010, 0x1002));
    await h.good([0x00, 0, 0, 0, 0, 0]);
    // An operator move between slots is not a mail slot access: it is 28/00 (the inventory may have changed).
    await h.manager.move('lib0', 0x1002, 0x1005);
    await h.check([0x00, 0, 0, 0, 0, 0], 0x6, 0x28, 0x00);
    await h.good([0x00, 0, 0, 0, 0, 0]);
  });

  test('OPEN IMPORT/EXPORT ELEMENT takes a mail slot out of reach until CLOSE; refused while removal is prevented', async () => {
    h = await changerHarness();
    await h.good([0x1b, 0x00, 0x00, 0x10, 0x00, 0x00]);
    const data = await h.good([0xb8, 0x03, 0x00, 0x10, 0x00, 0x01, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00]);
    assert.equal(data[18], 0x30); // INENAB, EXENAB, no ACCESS
    await h.check(move(0x1000, 0x0010), ILLEGAL_REQUEST, 0x3b, 0x11);
    await h.good([0x1b, 0x00, 0x00, 0x10, 0x01, 0x00]);
    await h.good(move(0x1000, 0x0010));
    await h.check([0x1b, 0x00, 0x10, 0x00, 0x00, 0x00], ILLEGAL_REQUEST, 0x21, 0x01);
    await h.good([0x1e, 0x00, 0x00, 0x00, 0x01, 0x00]);
    await h.check([0x1b, 0x00, 0x00, 0x11, 0x00, 0x00], ILLEGAL_REQUEST, 0x53, 0x02);
  });

  test('MODE SENSE page 1Dh reports the element address assignment (ch reads it with DBD)', async () => {
    h = await changerHarness();
    const data = await h.good([0x1a, 0x08, 0x1d, 0x00, 0xff, 0x00]);
    assert.equal(data[3], 0); // no block descriptors
    assert.deepEqual([data[4] & 0x3f, ...data.subarray(5)], [
      0x1d, 0x12, 0x00, 0x00, 0x00, 0x01, 0x10, 0x00, 0x00, 0x06, 0x00, 0x10, 0x00, 0x02, 0x01, 0x00, 0x00, 0x02, 0x00, 0x00,
    ]);
  });

  test('MODE SENSE pages 1Eh and 1Fh report transport geometry and device capabilities', async () => {
    h = await changerHarness();
    const geometry = await h.good([0x1a, 0x08, 0x1e, 0x00, 0xff, 0x00]);
    assert.deepEqual([geometry[4] & 0x3f, ...geometry.subarray(5)], [0x1e, 0x02, 0x00, 0x00]);
    const caps = await h.good([0x1a, 0x08, 0x1f, 0x00, 0xff, 0x00]);
    assert.deepEqual([caps[4] & 0x3f, ...caps.subarray(5)], [
      0x1f, 0x12, 0x38, 0x00, 0x00, 0x0e, 0x0e, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0e, 0x0e, 0x0e, 0x00, 0x00, 0x00, 0x00,
    ]);
  });

  test('LOG SENSE lists page 2Eh and returns 64 clear TapeAlert flags', async () => {
    h = await changerHarness();
    const list = await h.good([0x4d, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x00]);
    assert.ok([...list.subarray(4)].includes(0x2e));
    const page = await h.good([0x4d, 0x00, 0x40 | 0x2e, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00]);
    assert.equal(page[0] & 0x3f, 0x2e);
    assert.equal(page.readUInt16BE(2), 64 * 5);
    assert.deepEqual([...page.subarray(4, 9)], [0x00, 0x01, 0x03, 0x01, 0x00]);
  });

  test('RESERVE by one nexus makes MOVE MEDIUM from another a RESERVATION CONFLICT', async () => {
    h = await changerHarness();
    await h.run([0x00, 0, 0, 0, 0, 0], { nexus: nexus(2) });
    await h.good([0x16, 0x00, 0x00, 0x00, 0x00, 0x00]);
    const r = await h.run(move(0x1000, 0x1004), { nexus: nexus(2) });
    assert.equal(r.status, ScsiStatus.RESERVATION_CONFLICT);
    await h.good([0x17, 0x00, 0x00, 0x00, 0x00, 0x00]);
    await h.good(move(0x1000, 0x1004), { nexus: nexus(2) });
  });

  test('REPORT SUPPORTED OPERATION CODES lists the changer commands', async () => {
    h = await changerHarness();
    const data = await h.good([0xa3, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00]);
    const opcodes = new Set<number>();
    for (let p = 4; p < 4 + data.readUInt32BE(0); p += 8 + ((data[p + 5] & 0x02) ? 12 : 0)) opcodes.add(data[p]);
    for (const op of [0x07, 0x1b, 0x1e, 0x2b, 0x37, 0xa5, 0xa6, 0xb8]) assert.ok(opcodes.has(op), `opcode ${op.toString(16)}`);
  });
});

describe('a changer with configured element addresses', () => {
  test('page 1Dh and READ ELEMENT STATUS follow the configured first addresses', async () => {
    const config = smallConfig({ elementAddresses: { transport: 0x0001, storage: 0x0020, importExport: 0x0400, dataTransfer: 0x0200 } });
    const h = await changerHarness(config);
    try {
      const page = await h.good([0x1a, 0x08, 0x1d, 0x00, 0xff, 0x00]);
      assert.deepEqual([...page.subarray(6, 22)], [0x00, 0x01, 0x00, 0x01, 0x00, 0x20, 0x00, 0x06, 0x04, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x02]);
      await h.good(move(0x0020, 0x0201, 0x0001));
      const data = await h.good([0xb8, 0x04, 0x02, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00]);
      assert.deepEqual([...data.subarray(16, 28)], [0x02, 0x01, 0x09, 0x00, 0x00, 0x00, 0x12, 0x00, 0x00, 0x81, 0x00, 0x20]);
    } finally {
      h.close();
    }
  });
});

describe('changer personalities', () => {
  test('an STK L700 changer reports STK L700 in INQUIRY, and READ ELEMENT STATUS DVCID names each drive as it names itself', async () => {
    const h = await changerHarness(smallConfig({ changer: { personality: 'stk-l700' }, drives: [{}, { personality: 'hpe', generation: 8 }] }));
    try {
      const data = await h.good([0x12, 0x00, 0x00, 0x00, 0x60, 0x00]);
      assert.equal(data.subarray(8, 32).toString('ascii'), 'STK     L700            ');
      // Data transfer elements with DVCID: each descriptor's identifier starts with the drive's vendor and product.
      const res = await h.good([0xb8, 0x04, 0x01, 0x00, 0x00, 0x02, 0x01, 0x00, 0x10, 0x00, 0x00, 0x00]);
      const text = res.toString('latin1');
      assert.ok(text.includes('IBM     ULT3580-TD8'), text);
      assert.ok(text.includes('HPE     Ultrium 8-SCSI'), text);
    } finally {
      h.close();
    }
  });
});

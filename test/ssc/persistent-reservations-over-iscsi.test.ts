// Persistent reservations as `vtl serve` wires them, from two I_T nexuses (two initiator names) over iSCSI: the
// drive and the changer each keep their own, conflicts follow the type, and APTPL state survives a restart.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { configSchema } from '../../src/config/schema.js';
import type { VtlConfig } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log.js';
import { startServer } from '../../src/start-server.js';
import type { RunningServer } from '../../src/start-server.js';
import { IscsiInitiator } from '../initiator/iscsi-initiator.js';

const IQN = 'iqn.2026-11.org.vtl:lib0';
const HOST_A = 'iqn.2026-11.org.vtl.test:host-a';
const HOST_B = 'iqn.2026-11.org.vtl.test:host-b';
const CHANGER = 0;
const DRIVE = 1;
const GOOD = 0x00;
const RESERVATION_CONFLICT = 0x18;
const WRITE_EXCLUSIVE = 0x01;
const EXCLUSIVE_ACCESS = 0x03;
const Out = { REGISTER: 0, RESERVE: 1 } as const;
const In = { READ_KEYS: 0, READ_RESERVATION: 1, READ_FULL_STATUS: 3 } as const;
const WRITE_FILEMARKS_0 = [0x10, 0, 0, 0, 0, 0];
const READ_6 = [0x08, 0x00, 0, 0x10, 0, 0];
const READ_16 = [0x88, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0];
const WRITE_FILEMARKS_16_0 = [0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const CHECK_CONDITION = 0x02;
const MODE_SENSE_6 = [0x1a, 0x08, 0x3f, 0, 255, 0];
const READ_ELEMENT_STATUS = [0xb8, 0x10, 0, 0, 0xff, 0xff, 0, 0, 0x10, 0, 0, 0];
const INQUIRY = [0x12, 0, 0, 0, 36, 0];

/** SPC-4 6.14.3 basic parameter list. */
function list(reservationKey: bigint, serviceActionKey: bigint, aptpl: boolean): Buffer {
  const b = Buffer.alloc(24);
  b.writeBigUInt64BE(reservationKey, 0);
  b.writeBigUInt64BE(serviceActionKey, 8);
  b[20] = aptpl ? 0x01 : 0x00;
  return b;
}

async function prOut(s: IscsiInitiator, lun: number, sa: number, type: number, params: Buffer): Promise<number> {
  return (await s.command(lun, [0x5f, sa, type, 0, 0, 0, 0, 0, params.length, 0], { dataOut: params })).status;
}

async function prIn(s: IscsiInitiator, lun: number, sa: number): Promise<Buffer> {
  const r = await s.command(lun, [0x5e, sa, 0, 0, 0, 0, 0, 0x04, 0x00, 0], { expectedDataInLength: 1024 });
  assert.equal(r.status, GOOD);
  return r.dataIn;
}

async function status(s: IscsiInitiator, lun: number, cdb: readonly number[]): Promise<number> {
  return (await s.command(lun, cdb, { expectedDataInLength: 4096 })).status;
}

describe('persistent reservations over iSCSI from two initiators', () => {
  let dir: string;
  let config: VtlConfig;
  let server: RunningServer;

  async function connect(initiatorName: string): Promise<IscsiInitiator> {
    const s = await IscsiInitiator.connect({ host: '127.0.0.1', port: server.iscsiAddress.port, initiatorName, targetName: IQN });
    for (const lun of [CHANGER, DRIVE]) await s.command(lun, [0, 0, 0, 0, 0, 0]); // power-on unit attention
    return s;
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vtl-pr-'));
    config = configSchema.parse({
      server: { dataDir: dir, listen: '127.0.0.1:0' },
      api: { enabled: false, listen: '127.0.0.1:0' },
      libraries: [{ name: 'lib0', driveCount: 1, slots: 4, mailSlots: 1, initialCartridges: { count: 1, capacityBytes: 8 << 20 } }],
    });
    server = await startServer(config, silentLogger());
  });

  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('reservations conflict per logical unit and type, and the drive keeps its APTPL state across a restart', async () => {
    const a = await connect(HOST_A);
    const b = await connect(HOST_B);
    try {
      assert.equal(await prOut(b, DRIVE, Out.REGISTER, 0, list(0n, 0xbbn, false)), GOOD);
      assert.equal(await prOut(a, DRIVE, Out.REGISTER, 0, list(0n, 0xaan, true)), GOOD);
      assert.equal(await prOut(a, DRIVE, Out.RESERVE, WRITE_EXCLUSIVE, list(0xaan, 0n, false)), GOOD);
      assert.equal(await status(b, DRIVE, MODE_SENSE_6), GOOD, 'write exclusive lets the other nexus read');
      assert.equal(await status(b, DRIVE, READ_6), CHECK_CONDITION, 'READ passes the reservation (and finds no medium)');
      assert.equal(await status(b, DRIVE, READ_16), CHECK_CONDITION, 'READ(16) passes the reservation as READ(6) does');
      assert.equal(await status(b, DRIVE, WRITE_FILEMARKS_0), RESERVATION_CONFLICT);
      assert.equal(await status(b, DRIVE, WRITE_FILEMARKS_16_0), RESERVATION_CONFLICT);

      const full = await prIn(b, DRIVE, In.READ_FULL_STATUS);
      const text = full.toString('latin1');
      assert.ok(text.includes(`${HOST_A},i,0x`) && text.includes(`${HOST_B},i,0x`), 'TransportIDs name both initiator ports');

      assert.equal(await prOut(a, CHANGER, Out.REGISTER, 0, list(0n, 0xa0n, false)), GOOD);
      assert.equal(await prOut(a, CHANGER, Out.RESERVE, EXCLUSIVE_ACCESS, list(0xa0n, 0n, false)), GOOD);
      assert.equal(await status(b, CHANGER, READ_ELEMENT_STATUS), RESERVATION_CONFLICT);
      assert.equal(await status(b, CHANGER, INQUIRY), GOOD);
      assert.equal(await status(a, CHANGER, READ_ELEMENT_STATUS), GOOD);
    } finally {
      await a.logout();
      await b.logout();
    }
    assert.deepEqual(await readdir(join(dir, 'reservations')), ['lib0-lun1.json'], 'only the drive asked for APTPL');

    await server.close();
    server = await startServer(config, silentLogger());
    const a2 = await connect(HOST_A);
    const b2 = await connect(HOST_B);
    try {
      const keys = await prIn(b2, DRIVE, In.READ_KEYS);
      assert.equal(keys.readUInt32BE(4), 16);
      assert.deepEqual([keys.readBigUInt64BE(8), keys.readBigUInt64BE(16)], [0xbbn, 0xaan]);
      const reservation = await prIn(b2, DRIVE, In.READ_RESERVATION);
      assert.deepEqual([reservation.readBigUInt64BE(8), reservation[21]], [0xaan, WRITE_EXCLUSIVE]);
      assert.equal(await status(b2, DRIVE, WRITE_FILEMARKS_0), RESERVATION_CONFLICT);
      assert.equal((await prIn(b2, CHANGER, In.READ_KEYS)).readUInt32BE(4), 0, 'the changer had no APTPL: nothing kept');
      assert.equal(await status(b2, CHANGER, READ_ELEMENT_STATUS), GOOD);
    } finally {
      await a2.logout();
      await b2.logout();
    }
  });
});

// The changer as `vtl serve` wires it, driven over iSCSI: element status matches the drives' own identities, and
// a MOVE MEDIUM really loads the real drive on the LUN that READ ELEMENT STATUS names.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { configSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log.js';
import { startServer } from '../../src/start-server.js';
import type { RunningServer } from '../../src/start-server.js';
import { IscsiInitiator } from '../initiator/iscsi-initiator.js';

const IQN = 'iqn.2026-11.org.vtl:lib0';
const INITIATOR = 'iqn.2026-11.org.vtl.test:changer';

describe('the changer over iSCSI', () => {
  let dir: string;
  let server: RunningServer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vtl-changer-'));
    const config = configSchema.parse({
      server: { dataDir: dir, listen: '127.0.0.1:0' },
      api: { enabled: false, listen: '127.0.0.1:0' },
      libraries: [{ name: 'lib0', driveCount: 2, slots: 8, mailSlots: 2, initialCartridges: { count: 4, capacityBytes: 8 << 20 } }],
    });
    server = await startServer(config, silentLogger());
  });

  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("DVCID identifiers equal the drives' VPD 83h T10 designators and MOVE MEDIUM loads the named LUN", async () => {
    const s = await IscsiInitiator.connect({ host: '127.0.0.1', port: server.iscsiAddress.port, initiatorName: INITIATOR, targetName: IQN });
    try {
      await s.command(0, [0x00, 0, 0, 0, 0, 0]); // power-on unit attention
      const res = await s.command(0, [0xb8, 0x14, 0x00, 0x00, 0xff, 0xff, 0x01, 0x00, 0x10, 0x00, 0x00, 0x00], { expectedDataInLength: 4096 });
      assert.equal(res.status, 0);
      const length = res.dataIn.readUInt16BE(10);
      for (let i = 0; i < 2; i++) {
        const d = res.dataIn.subarray(16 + i * length, 16 + (i + 1) * length);
        const lun = d[6] & 0x07;
        assert.equal(lun, i + 1);
        const id = d.subarray(12 + 36 + 4, 12 + 36 + 4 + d[12 + 36 + 3]);
        const vpd = await s.command(lun, [0x12, 0x01, 0x83, 0x00, 0xff, 0x00], { expectedDataInLength: 255 });
        // The first designator of VPD 83h is the T10 vendor ID one.
        const first = vpd.dataIn.subarray(8, 8 + vpd.dataIn[7]);
        assert.equal(id.toString('ascii'), first.toString('ascii'));
      }
      await s.command(2, [0x00, 0, 0, 0, 0, 0]);
      const move = await s.command(0, [0xa5, 0, 0, 0, 0x10, 0x01, 0x01, 0x01, 0, 0, 0, 0]);
      assert.equal(move.status, 0);
      let ready = false;
      for (let i = 0; i < 50 && !ready; i++) {
        ready = (await s.command(2, [0x00, 0, 0, 0, 0, 0])).status === 0;
        if (!ready) await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(ready, 'drive on LUN 2 never became ready');
      const back = await s.command(0, [0xa5, 0, 0, 0, 0x01, 0x01, 0x10, 0x01, 0, 0, 0, 0]);
      assert.equal(back.status, 0);
      const tur = await s.command(2, [0x00, 0, 0, 0, 0, 0]);
      assert.equal(tur.status, 2);
    } finally {
      await s.logout();
    }
  });
});

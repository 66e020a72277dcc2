// The whole server as `vtl serve` composes it: the default library over iSCSI, driven by the project's initiator
// and by libiscsi's own tools.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { defaultConfig } from '../../src/config/schema.js';
import type { VtlConfig } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log.js';
import { startServer } from '../../src/start-server.js';
import type { RunningServer } from '../../src/start-server.js';
import { IscsiInitiator } from '../initiator/iscsi-initiator.js';
import type { CommandResult } from '../initiator/iscsi-initiator.js';

const run = promisify(execFile);
const IQN = 'iqn.2026-11.org.vtl:lib0';
const INITIATOR = 'iqn.2026-11.org.vtl.test:serve';

function senseTriple(r: CommandResult): string {
  const s = r.sense;
  if (!s) return 'none';
  return [s[2] & 0x0f, s[12], s[13]].map((n) => (n ?? 0).toString(16).padStart(2, '0')).join('/');
}

async function untilReady(s: IscsiInitiator, lun: number): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < 50; i++) {
    const r = await s.command(lun, [0x00, 0, 0, 0, 0, 0]);
    if (r.status === 0) return seen;
    seen.push(senseTriple(r));
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error(`LUN ${lun} never became ready: ${seen.join(', ')}`);
}

function write6(length: number): number[] {
  return [0x0a, 0x00, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff, 0];
}

function read6(length: number): number[] {
  return [0x08, 0x00, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff, 0];
}

describe('vtl serve with the embedded default library', () => {
  let dir: string;
  let server: RunningServer;
  let config: VtlConfig;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vtl-serve-'));
    const base = defaultConfig();
    config = { ...base, server: { ...base.server, dataDir: dir, listen: '127.0.0.1:0' }, api: { ...base.api, listen: '127.0.0.1:0' } };
    server = await startServer(config, silentLogger());
  });

  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('discovery lists the library target at the portal', async () => {
    const targets = await IscsiInitiator.discover({ host: '127.0.0.1', port: server.iscsiAddress.port, initiatorName: INITIATOR });
    assert.deepEqual(targets.map((t) => t.name), [IQN]);
    assert.match(targets[0].addresses[0], /^127\.0\.0\.1:\d+,1$/);
  });

  test('REPORT LUNS and INQUIRY show a changer on LUN 0 and four tape drives on LUNs 1-4', async () => {
    const s = await IscsiInitiator.connect({ host: '127.0.0.1', port: server.iscsiAddress.port, initiatorName: INITIATOR, targetName: IQN });
    try {
      const luns = await s.command(0, [0xa0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0], { expectedDataInLength: 4096 });
      assert.equal(luns.status, 0);
      assert.equal(luns.dataIn.readUInt32BE(0), 5 * 8);
      const types: number[] = [];
      for (let lun = 0; lun <= 4; lun++) {
        const inq = await s.command(lun, [0x12, 0, 0, 0, 96, 0], { expectedDataInLength: 96 });
        assert.equal(inq.status, 0);
        types.push(inq.dataIn[0] & 0x1f);
      }
      assert.deepEqual(types, [0x08, 0x01, 0x01, 0x01, 0x01]);
      await s.logout();
    } finally {
      s.destroy();
    }
  });

  test('a cartridge moved into a drive becomes ready, takes records and a filemark, and reads back identically', async () => {
    const s = await IscsiInitiator.connect({ host: '127.0.0.1', port: server.iscsiAddress.port, initiatorName: INITIATOR, targetName: IQN });
    try {
      await untilReady(s, 0);
      const addrs = config.libraries[0].elementAddresses;
      // MOVE MEDIUM: transport, source = first slot, destination = first drive.
      const move = await s.command(0, [0xa5, 0, addrs.transport >> 8, addrs.transport & 0xff, addrs.storage >> 8, addrs.storage & 0xff,
        addrs.dataTransfer >> 8, addrs.dataTransfer & 0xff, 0, 0, 0, 0]);
      assert.equal(move.status, 0, `MOVE MEDIUM failed: ${senseTriple(move)}`);
      const seen = await untilReady(s, 1);
      assert.ok(seen.includes('06/28/00') || seen.includes('06/29/00'), `expected a unit attention first, saw ${seen.join(', ')}`);

      const records = [Buffer.alloc(65536, 0x41), Buffer.from('x'.repeat(1000)), Buffer.alloc(262144, 7)];
      for (const r of records) {
        const w = await s.command(1, write6(r.length), { dataOut: r });
        assert.equal(w.status, 0, `WRITE(6) failed: ${senseTriple(w)}`);
      }
      const fm = await s.command(1, [0x10, 0, 0, 0, 1, 0]);
      assert.equal(fm.status, 0);
      const rewind = await s.command(1, [0x01, 0, 0, 0, 0, 0]);
      assert.equal(rewind.status, 0);
      for (const r of records) {
        const rd = await s.command(1, read6(262144), { expectedDataInLength: 262144 });
        // A shorter record than asked: CHECK CONDITION, ILI, positive residue; the data is the whole record.
        if (r.length < 262144) assert.equal(senseTriple(rd), '00/00/00');
        assert.ok(rd.dataIn.equals(r), 'record reads back identically');
      }
      const atFilemark = await s.command(1, read6(65536), { expectedDataInLength: 65536 });
      assert.equal(senseTriple(atFilemark), '00/00/01');
      assert.equal(atFilemark.sense![2] & 0x80, 0x80, 'FILEMARK bit');
      const atEod = await s.command(1, read6(65536), { expectedDataInLength: 65536 });
      assert.equal(senseTriple(atEod), '08/00/05');
      await s.logout();
    } finally {
      s.destroy();
    }
  });

  test('libiscsi iscsi-ls lists the target with its changer and tape LUNs', { skip: !hasBinary('iscsi-ls') && 'iscsi-ls is not installed' }, async () => {
    const { stdout } = await run('iscsi-ls', ['-s', '-i', INITIATOR, `iscsi://127.0.0.1:${server.iscsiAddress.port}`], { timeout: 20000 });
    assert.match(stdout, new RegExp(`Target:${IQN.replace(/\./g, '\\.')}`));
    assert.match(stdout, /Lun:0\s+Type:MEDIA_CHANGER/);
    for (let lun = 1; lun <= 4; lun++) assert.match(stdout, new RegExp(`Lun:${lun}\\s+Type:SEQUENTIAL_ACCESS`));
  });
});

function hasBinary(name: string): boolean {
  return (process.env['PATH'] ?? '').split(':').some((d) => existsSync(join(d, name)));
}

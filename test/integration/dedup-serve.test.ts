// Deduplication as `vtl serve` composes it (src/open-media-stores.ts): a deduplicating library serves its cartridges
// over iSCSI like any other, seals its chunk containers with encryption at rest, and an S3 library is refused at start.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError } from '../../src/config/load-config.js';
import { configSchema, type VtlConfig } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log.js';
import { startServer } from '../../src/start-server.js';
import { IscsiInitiator } from '../initiator/iscsi-initiator.js';
import { runCli } from '../management/run-cli.js';

const IQN = 'iqn.2026-11.org.vtl:lib0';
const dirs: string[] = [];

async function configWith(library: Record<string, unknown>): Promise<VtlConfig> {
  const dir = await mkdtemp(join(tmpdir(), 'vtl-dedup-serve-'));
  dirs.push(dir);
  return configSchema.parse({
    server: { dataDir: dir, listen: '127.0.0.1:0' },
    api: { listen: '127.0.0.1:0' },
    libraries: [{ name: 'lib0', ...library }],
  });
}

describe('vtl serve with a deduplicating library', () => {
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  test('a cartridge written over iSCSI reads back, and the chunk store is in the data directory', async () => {
    const config = await configWith({ dedup: { enabled: true } });
    const server = await startServer(config, silentLogger());
    const record = randomBytes(64 * 1024);
    try {
      const s = await IscsiInitiator.connect({ host: '127.0.0.1', port: server.iscsiAddress.port, initiatorName: 'iqn.2026-11.org.vtl.test:dedup', targetName: IQN });
      for (let i = 0; i < 3 && (await s.command(0, [0x00, 0, 0, 0, 0, 0])).status !== 0; i++);
      assert.equal((await s.command(0, [0xa5, 0, 0, 0, 0x10, 0x00, 0x01, 0x00, 0, 0, 0, 0])).status, 0, 'MOVE MEDIUM slot 1 -> drive 1');
      for (let i = 0; i < 20 && (await s.command(1, [0x00, 0, 0, 0, 0, 0])).status !== 0; i++);
      assert.equal((await s.command(1, [0x0a, 0, 0x01, 0x00, 0x00, 0], { dataOut: record })).status, 0, 'WRITE(6) 64 KiB');
      assert.equal((await s.command(1, [0x10, 0, 0, 0, 1, 0])).status, 0, 'WRITE FILEMARKS');
      assert.equal((await s.command(1, [0x01, 0, 0, 0, 0, 0])).status, 0, 'REWIND');
      const r = await s.command(1, [0x08, 0, 0x01, 0x00, 0x00, 0], { expectedDataInLength: 64 * 1024 });
      assert.equal(r.status, 0);
      assert.ok(r.dataIn.equals(record));
      s.destroy();
      // GET /dedup (vtl dedup status): the cartridge's 64 KiB are logical bytes still in its data file (the pass
      // runs only after a quiet round), so the backlog holds them; no other cartridge has data.
      const token = (await readFile(join(config.server.dataDir, 'api-token'), 'utf8')).trim();
      const api = server.apiAddress;
      assert.ok(api);
      const res = await fetch(`http://127.0.0.1:${api.port}/api/v1/dedup`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200);
      const status = (await res.json()) as { logicalBytes: number; backlogBytes: number; ratio: number; cartridges: { barcode: string; logicalBytes: number }[]; pass: { rounds: number } };
      // Data not moved yet counts by its data file's length: the record and the filemark with their headers.
      assert.ok(status.logicalBytes >= 64 * 1024 && status.logicalBytes < 65 * 1024, `logical ${status.logicalBytes}`);
      assert.ok(status.backlogBytes >= 64 * 1024, `backlog ${status.backlogBytes}`);
      assert.equal(status.cartridges.filter((c) => c.logicalBytes > 0).length, 1);
      assert.ok(status.cartridges.length > 1, 'every cartridge of the library is listed');
      const metrics = await (await fetch(`http://127.0.0.1:${api.port}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
      const logical = /^vtl_dedup_bytes\{library="lib0",kind="logical"\} (\d+)$/m.exec(metrics);
      assert.equal(Number(logical?.[1]), status.logicalBytes, 'the metric agrees with GET /dedup');
      assert.match(metrics, /^vtl_dedup_pass\{kind="rounds"\} \d+$/m);
      const cli = await runCli(['dedup', 'status', '--api', `http://127.0.0.1:${api.port}`, '--token', token]);
      assert.equal(cli.code, 0, cli.stderr);
      assert.match(cli.stdout, /Ratio/);
      assert.match(cli.stdout, /BARCODE +LIBRARY +LOGICAL +STORED +RATIO +BACKLOG/);
    } finally {
      await server.close();
    }
    assert.ok((await readdir(join(config.server.dataDir, 'cartridges'))).includes('.dedup'), 'the chunk store folder exists');
  });

  test('deduplication of an S3 library is refused at start naming the field', async () => {
    const s3 = await configWith({ dedup: { enabled: true }, storage: { kind: 's3', endpoint: 'http://127.0.0.1:1', bucket: 'vtl-bucket' } });
    await assert.rejects(startServer(s3, silentLogger()), (err: unknown) => err instanceof ConfigError && /libraries\.lib0\.dedup/.test(err.message) && /S3/.test(err.message));
  });

  test('with encryption at rest a host marker written twice is in no file of the data directory after the pass, and reads back', async () => {
    const previous = process.env['VTL_MASTER_KEY'];
    process.env['VTL_MASTER_KEY'] = randomBytes(32).toString('hex');
    const marker = Buffer.from('DEDUP-AT-REST-MARKER-91d2 ');
    const record = Buffer.concat(Array.from({ length: 2600 }, () => marker)).subarray(0, 64 * 1024);
    try {
      const config = await configWith({ dedup: { enabled: true } });
      const server = await startServer(config, silentLogger());
      try {
        const s = await IscsiInitiator.connect({ host: '127.0.0.1', port: server.iscsiAddress.port, initiatorName: 'iqn.2026-11.org.vtl.test:dedup', targetName: IQN });
        for (let i = 0; i < 3 && (await s.command(0, [0x00, 0, 0, 0, 0, 0])).status !== 0; i++);
        assert.equal((await s.command(0, [0xa5, 0, 0, 0, 0x10, 0x00, 0x01, 0x00, 0, 0, 0, 0])).status, 0, 'MOVE MEDIUM slot 1 -> drive 1');
        for (let i = 0; i < 20 && (await s.command(1, [0x00, 0, 0, 0, 0, 0])).status !== 0; i++);
        for (let i = 0; i < 2; i++) assert.equal((await s.command(1, [0x0a, 0, 0x01, 0x00, 0x00, 0], { dataOut: record })).status, 0, 'WRITE(6) 64 KiB');
        assert.equal((await s.command(1, [0x10, 0, 0, 0, 1, 0])).status, 0, 'WRITE FILEMARKS');
        assert.equal((await s.command(1, [0x1b, 0, 0, 0, 0, 0])).status, 0, 'UNLOAD');
        assert.equal((await s.command(0, [0xa5, 0, 0, 0, 0x01, 0x00, 0x10, 0x00, 0, 0, 0, 0])).status, 0, 'back to its slot');
        const token = (await readFile(join(config.server.dataDir, 'api-token'), 'utf8')).trim();
        const api = server.apiAddress;
        assert.ok(api);
        const pass = await fetch(`http://127.0.0.1:${api.port}/api/v1/dedup/pass`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
        const status = (await pass.json()) as { backlogBytes: number; stores: { uniqueChunks: number }[] };
        assert.equal(status.backlogBytes, 0, 'the pass moved the cartridge into sealed containers');
        assert.ok((status.stores[0]?.uniqueChunks ?? 0) > 0);
        for (const file of await filesUnder(config.server.dataDir)) assert.equal((await readFile(file)).includes(marker), false, `${file} holds the marker`);
        assert.equal((await s.command(0, [0xa5, 0, 0, 0, 0x10, 0x00, 0x01, 0x00, 0, 0, 0, 0])).status, 0, 'MOVE MEDIUM slot 1 -> drive 1');
        for (let i = 0; i < 20 && (await s.command(1, [0x00, 0, 0, 0, 0, 0])).status !== 0; i++);
        for (let i = 0; i < 2; i++) {
          const r = await s.command(1, [0x08, 0, 0x01, 0x00, 0x00, 0], { expectedDataInLength: 64 * 1024 });
          assert.equal(r.status, 0);
          assert.ok(r.dataIn.equals(record), `record ${i} reads back from the sealed chunks`);
        }
        s.destroy();
      } finally {
        await server.close();
      }
    } finally {
      if (previous === undefined) delete process.env['VTL_MASTER_KEY'];
      else process.env['VTL_MASTER_KEY'] = previous;
    }
  });
});

async function filesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await filesUnder(path)));
    else if (entry.isFile()) found.push(path);
  }
  return found;
}

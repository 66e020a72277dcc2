// Deduplication's figures through `vtl serve` (issue 17, visibility): the same data written to two cartridges over
// iSCSI shows, after a pass, the second stored almost for free in `vtl tape list` and GET /cartridges, the library's
// and the chunk store's figures in `vtl status` and GET /status, and the pass's progress and backlog; both read back.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { configSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log.js';
import { startServer } from '../../src/start-server.js';
import type { DedupStatusView } from '../../src/management/dedup-status.js';
import type { ServerStatus } from '../../src/management/service-types.js';
import type { CartridgeView } from '../../src/management/views.js';
import { IscsiInitiator } from '../initiator/iscsi-initiator.js';
import { runCli } from '../management/run-cli.js';

const IQN = 'iqn.2026-11.org.vtl:lib0';
const RECORD = 64 * 1024;
const dirs: string[] = [];

type Session = Awaited<ReturnType<typeof IscsiInitiator.connect>>;

const slot = (n: number): number[] => [0x10, n];

/** Load the cartridge of slot `n` (0-based) into drive 0, run `body`, and put it back. */
async function withCartridge(s: Session, n: number, body: () => Promise<void>): Promise<void> {
  assert.equal((await s.command(0, [0xa5, 0, 0, 0, ...slot(n), 0x01, 0x00, 0, 0, 0, 0])).status, 0, `MOVE MEDIUM slot ${n} -> drive 0`);
  for (let i = 0; i < 20 && (await s.command(1, [0x00, 0, 0, 0, 0, 0])).status !== 0; i++);
  await body();
  assert.equal((await s.command(1, [0x1b, 0, 0, 0, 0, 0])).status, 0, 'UNLOAD');
  assert.equal((await s.command(0, [0xa5, 0, 0, 0, 0x01, 0x00, ...slot(n), 0, 0, 0, 0])).status, 0, `MOVE MEDIUM drive 0 -> slot ${n}`);
}

async function writeAll(s: Session, records: readonly Buffer[]): Promise<void> {
  for (const record of records) assert.equal((await s.command(1, [0x0a, 0, 0x01, 0x00, 0x00, 0], { dataOut: record })).status, 0, 'WRITE(6) 64 KiB');
  assert.equal((await s.command(1, [0x10, 0, 0, 0, 1, 0])).status, 0, 'WRITE FILEMARKS');
}

async function readAll(s: Session, count: number): Promise<Buffer[]> {
  assert.equal((await s.command(1, [0x01, 0, 0, 0, 0, 0])).status, 0, 'REWIND');
  const read: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const r = await s.command(1, [0x08, 0, 0x01, 0x00, 0x00, 0], { expectedDataInLength: RECORD });
    assert.equal(r.status, 0, `READ(6) ${i}`);
    read.push(r.dataIn);
  }
  return read;
}

describe('deduplication figures through vtl serve', () => {
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  test('the same data on two cartridges shows the second stored almost for free after a pass, in tape list, status and the API', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vtl-dedup-visibility-'));
    dirs.push(dir);
    const config = configSchema.parse({
      server: { dataDir: dir, listen: '127.0.0.1:0' },
      api: { listen: '127.0.0.1:0' },
      libraries: [{ name: 'lib0', dedup: { enabled: true }, initialCartridges: { count: 3 } }],
    });
    const server = await startServer(config, silentLogger());
    const records = Array.from({ length: 16 }, () => randomBytes(RECORD)); // 1 MiB that does not compress
    try {
      const api = server.apiAddress;
      assert.ok(api);
      const base = `http://127.0.0.1:${api.port}`;
      const token = (await readFile(join(dir, 'api-token'), 'utf8')).trim();
      const get = async <T>(path: string): Promise<T> => (await fetch(`${base}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } })).json() as Promise<T>;
      const cli = async (...args: string[]): Promise<string> => {
        const r = await runCli([...args, '--api', base, '--token', token]);
        assert.equal(r.code, 0, r.stderr);
        return r.stdout;
      };

      const s = await IscsiInitiator.connect({ host: '127.0.0.1', port: server.iscsiAddress.port, initiatorName: 'iqn.2026-11.org.vtl.test:dedup', targetName: IQN });
      for (let i = 0; i < 3 && (await s.command(0, [0x00, 0, 0, 0, 0, 0])).status !== 0; i++);
      await withCartridge(s, 0, () => writeAll(s, records));
      await withCartridge(s, 1, () => writeAll(s, records));

      // Before the pass: everything is backlog, each cartridge costs what it holds.
      const before = await get<CartridgeView[]>('/cartridges');
      const [a, b, blank] = before;
      assert.ok(a?.dedup && b?.dedup && blank?.dedup, 'every cartridge of the library has figures');
      assert.ok(a.dedup.backlogBytes >= 16 * RECORD && a.dedup.storedBytes >= 16 * RECORD, JSON.stringify(a.dedup));
      assert.deepEqual(blank.dedup, { logicalBytes: 0, storedBytes: 0, ratio: 1, backlogBytes: 0 });
      const statusBefore = await get<ServerStatus>('/status');
      assert.ok((statusBefore.libraries[0]?.dedup?.backlogBytes ?? 0) >= 32 * RECORD, 'the library shows its backlog');
      assert.equal(statusBefore.dedup?.pass.rounds, 0);

      const afterPass = JSON.parse(await cli('dedup', 'run', '--json')) as DedupStatusView;
      assert.equal(afterPass.backlogBytes, 0);
      assert.equal(afterPass.pass.running, false);
      assert.ok(afterPass.pass.movedBytes >= 32 * RECORD, `moved ${afterPass.pass.movedBytes}`);

      const [a2, b2] = await get<CartridgeView[]>('/cartridges');
      assert.ok(a2?.dedup && b2?.dedup);
      assert.equal(a2.dedup.logicalBytes, 16 * RECORD);
      assert.equal(b2.dedup.logicalBytes, 16 * RECORD);
      assert.ok(a2.dedup.storedBytes >= 16 * RECORD, 'the first holds the chunks');
      assert.ok(b2.dedup.storedBytes < RECORD / 8, `the second costs its recipe only: ${b2.dedup.storedBytes} bytes`);
      assert.ok(b2.dedup.ratio > 100, `ratio ${b2.dedup.ratio}`);
      assert.equal(b2.dedup.backlogBytes, 0);
      assert.deepEqual((await get<CartridgeView>(`/cartridges/${b2.barcode}`)).dedup, b2.dedup);

      const status = await get<ServerStatus>('/status');
      const library = status.libraries[0]?.dedup;
      assert.ok(library && status.dedup);
      assert.equal(library.logicalBytes, 32 * RECORD);
      assert.ok(library.ratio > 1.9, `library ratio ${library.ratio}`);
      const [store] = status.dedup.stores;
      assert.equal(store?.name, 'lib0', 'scope library: the library has its own chunk store');
      assert.deepEqual(store.libraries, ['lib0']);
      assert.ok(store.containerBytes >= 16 * RECORD && store.containerBytes < 17 * RECORD, `containers ${store.containerBytes}`);
      assert.ok(store.ratio > 1.9 && store.ratio <= 2, `store ratio ${store.ratio}`);
      assert.equal(status.dedup.pass.rounds, 1);

      const list = await cli('tape', 'list');
      assert.match(list, /BARCODE +MEDIA +CAPACITY +LOGICAL +STORED +RATIO/);
      assert.match(list, new RegExp(`^${b2.barcode} .* 1\\.05 MB +\\d+ B +\\d+\\.\\d\\dx`, 'm'), list);
      const text = await cli('status');
      assert.match(text, /LIBRARY .* LOGICAL +STORED +RATIO/);
      assert.match(text, /Deduplication pass: idle; 0 B waiting; 2\.1\d MB moved/);
      assert.match(text, /^lib0 +lib0 +2\.1\d MB/m);

      // Both read back as written, from their recipes.
      for (const n of [0, 1]) await withCartridge(s, n, async () => assert.ok((await readAll(s, 16)).every((r, i) => r.equals(records[i] ?? Buffer.alloc(0)))));
      s.destroy();
    } finally {
      await server.close();
    }
  });
});

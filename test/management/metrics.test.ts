// GET /metrics on a real server (`startServer`, as `vtl serve` composes it): a cartridge loaded and written over
// iSCSI with the project's initiator, then the exposition scraped over HTTP and read with an independent parser.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { configSchema, type VtlConfig } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log.js';
import { startServer, type RunningServer } from '../../src/start-server.js';
import { IscsiInitiator } from '../initiator/iscsi-initiator.js';
import { parseExposition, sampleValue, type Exposition } from './prometheus-exposition.js';

const IQN = 'iqn.2026-11.org.vtl:lib0';
const INITIATOR = 'iqn.2026-11.org.vtl.test:metrics';
const RECORDS = [Buffer.alloc(65536, 0x41), Buffer.from('x'.repeat(1000)), Buffer.alloc(32768, 7)];
const WRITTEN_BYTES = RECORDS.reduce((n, r) => n + r.length, 0);

function config(dir: string, metricsPublic: boolean): VtlConfig {
  return configSchema.parse({
    server: { dataDir: dir, listen: '127.0.0.1:0' },
    api: { listen: '127.0.0.1:0', metricsPublic },
    libraries: [{ name: 'lib0', driveCount: 2, slots: 6, mailSlots: 1, initialCartridges: { count: 3, capacityBytes: 8 << 20 } }],
  });
}

async function scrape(server: RunningServer, token: string | undefined): Promise<{ status: number; contentType: string | null; text: string }> {
  const api = server.apiAddress;
  assert.ok(api, 'the API is enabled');
  const response = await fetch(`http://127.0.0.1:${api.port}/metrics`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
}

async function untilReady(s: IscsiInitiator, lun: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await s.command(lun, [0x00, 0, 0, 0, 0, 0])).status === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`LUN ${lun} never became ready`);
}

describe('GET /metrics after a cartridge was written over iSCSI', () => {
  let dir: string;
  let server: RunningServer;
  let token: string;
  let session: IscsiInitiator;
  let metrics: Exposition;
  let serial: string;
  let addresses: VtlConfig['libraries'][number]['elementAddresses'];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vtl-metrics-'));
    const cfg = config(dir, false);
    server = await startServer(cfg, silentLogger());
    token = (await readFile(join(dir, 'api-token'), 'utf8')).trim();
    session = await IscsiInitiator.connect({ host: '127.0.0.1', port: server.iscsiAddress.port, initiatorName: INITIATOR, targetName: IQN });
    await untilReady(session, 0);
    const a = cfg.libraries[0]?.elementAddresses;
    assert.ok(a);
    addresses = a;
    const move = await session.command(0, [0xa5, 0, a.transport >> 8, a.transport & 0xff, a.storage >> 8, a.storage & 0xff, a.dataTransfer >> 8, a.dataTransfer & 0xff, 0, 0, 0, 0]);
    assert.equal(move.status, 0);
    await untilReady(session, 1);
    for (const r of RECORDS) {
      const w = await session.command(1, [0x0a, 0, (r.length >> 16) & 0xff, (r.length >> 8) & 0xff, r.length & 0xff, 0], { dataOut: r });
      assert.equal(w.status, 0);
    }
    assert.equal((await session.command(1, [0x10, 0, 0, 0, 1, 0])).status, 0); // WRITE FILEMARKS(6): one
    const drives = (await (await fetch(`http://127.0.0.1:${server.apiAddress?.port}/api/v1/drives`, { headers: { authorization: `Bearer ${token}` } })).json()) as { serial: string }[];
    serial = drives[0]?.serial ?? '';
    const scraped = await scrape(server, token);
    assert.equal(scraped.status, 200);
    assert.equal(scraped.contentType, 'text/plain; version=0.0.4; charset=utf-8');
    metrics = parseExposition(scraped.text);
  });

  after(async () => {
    await session.logout();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const drive0 = { library: 'lib0', drive: '0' };

  test('the exposition is valid: every sample belongs to a family declared by HELP and TYPE', () => {
    assert.ok(metrics.samples.length > 0);
    assert.equal(metrics.types.get('vtl_drive_host_bytes_written_total'), 'counter');
    assert.equal(metrics.types.get('vtl_drive_command_duration_seconds'), 'histogram');
    assert.equal(metrics.types.get('process_cpu_user_seconds_total'), 'counter', 'the process metrics are there');
  });

  test('the bytes, blocks and filemarks written are what the host wrote, labelled with the drive serial', () => {
    assert.notEqual(serial, '');
    assert.equal(sampleValue(metrics, 'vtl_drive_host_bytes_written_total', { ...drive0, serial }), WRITTEN_BYTES);
    assert.equal(sampleValue(metrics, 'vtl_drive_blocks_written_total', drive0), RECORDS.length);
    assert.equal(sampleValue(metrics, 'vtl_drive_filemarks_written_total', drive0), 1);
    const stored = sampleValue(metrics, 'vtl_drive_stored_bytes_written_total', drive0);
    assert.ok(stored > 0 && stored < WRITTEN_BYTES, `compression stored ${stored} of ${WRITTEN_BYTES} bytes`);
    assert.equal(sampleValue(metrics, 'vtl_library_stored_ratio', { library: 'lib0' }), WRITTEN_BYTES / stored);
  });

  test('the loaded drive shows 1 and one load, the empty drive 0', () => {
    assert.equal(sampleValue(metrics, 'vtl_drive_loaded', drive0), 1);
    assert.equal(sampleValue(metrics, 'vtl_drive_loaded', { library: 'lib0', drive: '1' }), 0);
    assert.equal(sampleValue(metrics, 'vtl_drive_loads_total', drive0), 1);
    assert.equal(sampleValue(metrics, 'vtl_drive_errors_total', { ...drive0, direction: 'write' }), 0);
  });

  test('commands are counted by name, CHECK CONDITIONs by sense key, and the latency histogram counts them all', () => {
    assert.equal(sampleValue(metrics, 'vtl_drive_commands_total', { ...drive0, command: 'WRITE(6)' }), RECORDS.length);
    assert.equal(sampleValue(metrics, 'vtl_drive_commands_total', { ...drive0, command: 'WRITE FILEMARKS(6)' }), 1);
    // The first TEST UNIT READY after the load reports the medium change.
    assert.ok(sampleValue(metrics, 'vtl_drive_check_conditions_total', { ...drive0, sense_key: 'UNIT_ATTENTION' }) >= 1);
    const commands = metrics.samples.filter((s) => s.name === 'vtl_drive_commands_total' && s.labels['drive'] === '0').reduce((n, s) => n + s.value, 0);
    assert.equal(sampleValue(metrics, 'vtl_drive_command_duration_seconds_count', drive0), commands);
    assert.equal(sampleValue(metrics, 'vtl_drive_command_duration_seconds_bucket', { ...drive0, le: '+Inf' }), commands);
  });

  test('cartridges are counted by location, and the data dir disk and iSCSI session are reported', () => {
    const where = (location: string): number => sampleValue(metrics, 'vtl_library_cartridges', { library: 'lib0', location, worm: 'false' });
    assert.equal(where('drive'), 1);
    assert.equal(where('slot'), 2);
    assert.ok(sampleValue(metrics, 'vtl_data_dir_bytes', { kind: 'size' }) > 0);
    assert.equal(sampleValue(metrics, 'vtl_iscsi_sessions', { type: 'normal' }), 1);
    assert.equal(sampleValue(metrics, 'vtl_iscsi_connections'), 1);
  });

  test('every series the Grafana dashboard (docs/grafana-vtl.json) queries is one the server exposes', async () => {
    const dashboard = JSON.parse(await readFile(new URL('../../../docs/grafana-vtl.json', import.meta.url), 'utf8')) as { panels: { targets?: { expr: string }[] }[] };
    const queried = new Set(dashboard.panels.flatMap((p) => p.targets ?? []).flatMap((t) => t.expr.match(/\b(?:vtl|process|nodejs)_[a-z0-9_]+/g) ?? []));
    assert.ok(queried.size >= 15, `the dashboard queries ${queried.size} series`);
    const exposed = new Set(metrics.samples.map((s) => s.name));
    for (const name of queried) assert.ok(exposed.has(name), `${name} is queried by the dashboard but not exposed`);
  });

  test('a viewer token may scrape; without a token the answer is 401', async () => {
    const created = await fetch(`http://127.0.0.1:${server.apiAddress?.port}/api/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'prometheus', role: 'viewer' }),
    });
    const { secret } = (await created.json()) as { secret: string };
    assert.equal((await scrape(server, secret)).status, 200);
    assert.equal((await scrape(server, undefined)).status, 401);
  });

  test('after the cartridge is unloaded the drive shows 0 and its counters keep what the cartridge took', async () => {
    const unload = await fetch(`http://127.0.0.1:${server.apiAddress?.port}/api/v1/drives/lib0/0/unload`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
    assert.equal(unload.status, 200);
    const after = parseExposition((await scrape(server, token)).text);
    assert.equal(sampleValue(after, 'vtl_drive_loaded', drive0), 0);
    assert.equal(sampleValue(after, 'vtl_drive_host_bytes_written_total', drive0), WRITTEN_BYTES);
    assert.equal(sampleValue(after, 'vtl_drive_filemarks_written_total', drive0), 1);
    assert.equal(sampleValue(after, 'vtl_library_cartridges', { library: 'lib0', location: 'slot' }), 3);
  });

  test('a cartridge loaded, written and unloaded between two scrapes is counted', async () => {
    const a = addresses;
    const move = (from: number, to: number) => session.command(0, [0xa5, 0, a.transport >> 8, a.transport & 0xff, from >> 8, from & 0xff, to >> 8, to & 0xff, 0, 0, 0, 0]);
    // The operator's unload above changed the inventory: the changer reports UNIT ATTENTION 28/00 first.
    await session.command(0, [0x00, 0, 0, 0, 0, 0]);
    assert.equal((await move(a.storage + 1, a.dataTransfer + 1)).status, 0);
    await untilReady(session, 2);
    assert.equal((await session.command(2, [0x0a, 0, 0, 0x10, 0, 0], { dataOut: Buffer.alloc(4096, 1) })).status, 0);
    assert.equal((await move(a.dataTransfer + 1, a.storage + 1)).status, 0);
    const after = parseExposition((await scrape(server, token)).text);
    const drive1 = { library: 'lib0', drive: '1' };
    assert.equal(sampleValue(after, 'vtl_drive_host_bytes_written_total', drive1), 4096);
    assert.equal(sampleValue(after, 'vtl_drive_loads_total', drive1), 1);
    assert.equal(sampleValue(after, 'vtl_drive_loaded', drive1), 0);
  });
});

describe('GET /metrics after a restart with a cartridge in a drive', () => {
  test('what the reloaded cartridge takes counts even when it leaves the drive before the first scrape', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vtl-metrics-restart-'));
    const cfg = config(dir, true);
    const a = cfg.libraries[0]?.elementAddresses;
    assert.ok(a);
    const move = (s: IscsiInitiator, from: number, to: number) => s.command(0, [0xa5, 0, a.transport >> 8, a.transport & 0xff, from >> 8, from & 0xff, to >> 8, to & 0xff, 0, 0, 0, 0]);
    let server = await startServer(cfg, silentLogger());
    try {
      let s = await IscsiInitiator.connect({ host: '127.0.0.1', port: server.iscsiAddress.port, initiatorName: INITIATOR, targetName: IQN });
      await untilReady(s, 0);
      assert.equal((await move(s, a.storage, a.dataTransfer)).status, 0);
      await s.logout();
      await server.close();
      server = await startServer(cfg, silentLogger());
      s = await IscsiInitiator.connect({ host: '127.0.0.1', port: server.iscsiAddress.port, initiatorName: INITIATOR, targetName: IQN });
      await untilReady(s, 0);
      await untilReady(s, 1);
      assert.equal((await s.command(1, [0x0a, 0, 0, 0x08, 0, 0], { dataOut: Buffer.alloc(2048, 3) })).status, 0);
      assert.equal((await move(s, a.dataTransfer, a.storage)).status, 0);
      await s.logout();
      const metrics = parseExposition((await scrape(server, undefined)).text);
      assert.equal(sampleValue(metrics, 'vtl_drive_host_bytes_written_total', { library: 'lib0', drive: '0' }), 2048);
      assert.equal(sampleValue(metrics, 'vtl_drive_loaded', { library: 'lib0', drive: '0' }), 0);
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('GET /metrics with api.metricsPublic', () => {
  test('a scraper without a token reads /metrics, and the rest of the API still needs one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vtl-metrics-public-'));
    const server = await startServer(config(dir, true), silentLogger());
    try {
      const scraped = await scrape(server, undefined);
      assert.equal(scraped.status, 200);
      assert.equal(sampleValue(parseExposition(scraped.text), 'vtl_drive_loaded', { library: 'lib0', drive: '0' }), 0);
      assert.equal((await fetch(`http://127.0.0.1:${server.apiAddress?.port}/api/v1/status`)).status, 401);
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

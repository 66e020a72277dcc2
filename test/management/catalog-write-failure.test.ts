// The API while the catalog cannot write (issue 22, finding 5): a status and a body that name the reason, one log line
// when it starts and one when it ends, and nothing changed by the refused requests.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { CatalogDisk } from '../library/catalog-disk.js';
import { startApi, type ApiHarness } from './harness.js';
import { runCli } from './run-cli.js';
import type { ServerStatus } from '../../src/management/service.js';
import type { CartridgeView } from '../../src/management/views.js';

describe('the management API while the catalog cannot write', () => {
  let h: ApiHarness;
  let disk: CatalogDisk;
  const lines: { level: number; msg: string; component?: string }[] = [];
  before(async () => {
    h = await startApi({ log: pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as (typeof lines)[number]) }) });
    disk = new CatalogDisk(h.db);
  });
  after(async () => {
    await h.close();
  });
  const catalogLines = (): string[] => lines.filter((l) => l.component === 'catalog').map((l) => `${l.level} ${l.msg}`);
  const locationOf = async (barcode: string): Promise<string> => {
    const c = (await h.call('GET', `/api/v1/cartridges/${barcode}`)).body as CartridgeView;
    return `${c.location.kind} ${c.location.index ?? ''}`;
  };

  test('a full disk is 507 catalog-full naming the reason; reads still answer; nothing moves', async () => {
    disk.fill();
    try {
      for (let i = 0; i < 3; i++) {
        const reply = await h.call('POST', '/api/v1/cartridges/A00001L8/export');
        assert.equal(reply.status, 507);
        assert.deepEqual(reply.body, { error: { status: 507, code: 'catalog-full', message: 'The catalog cannot be written: no space left on its disk (SQLITE_FULL); nothing was changed' } });
      }
      const create = await h.call('POST', '/api/v1/cartridges', { library: 'lib0', barcode: 'G00001L8' });
      assert.equal(create.status, 507);
      assert.equal((await h.call('GET', '/api/v1/cartridges/G00001L8')).status, 404);
      assert.equal(await locationOf('A00001L8'), 'slot 0');
      const { catalog } = (await h.call('GET', '/api/v1/status')).body as ServerStatus;
      assert.equal(catalog.writable, false);
      assert.equal(catalog.problem, 'no-space');
      assert.ok(catalog.since !== null && !Number.isNaN(Date.parse(catalog.since)));
      const cli = await runCli(['status'], { VTL_API: h.url, VTL_TOKEN: h.token });
      assert.match(cli.stdout, /\nWARNING: the catalog cannot write \(no space left on its disk since .+\): library changes are refused\n/);
    } finally {
      disk.free();
    }
    assert.deepEqual(catalogLines(), ['50 catalog cannot write: no space left on its disk; moves and other library changes are refused until space returns']);
  });

  test('once space returns the same request succeeds and the recovery is logged once', async () => {
    const reply = await h.call('POST', '/api/v1/cartridges/A00001L8/export');
    assert.equal(reply.status, 200);
    assert.equal(await locationOf('A00001L8'), 'mailslot 0');
    assert.equal((await h.call('POST', '/api/v1/cartridges/A00001L8/import')).status, 200);
    assert.deepEqual(catalogLines().slice(1), ['30 catalog writes succeed again']);
    assert.deepEqual(((await h.call('GET', '/api/v1/status')).body as ServerStatus).catalog, { writable: true, problem: null, since: null });
    assert.doesNotMatch((await runCli(['status'], { VTL_API: h.url, VTL_TOKEN: h.token })).stdout, /WARNING/);
  });

  test('an I/O error is 503 catalog-io-error naming the reason', async () => {
    disk.breakWrites(true);
    try {
      const reply = await h.call('POST', '/api/v1/cartridges/A00002L8/protect', { on: true });
      assert.equal(reply.status, 503);
      assert.deepEqual(reply.body, { error: { status: 503, code: 'catalog-io-error', message: 'The catalog cannot be written: I/O error on its disk (SQLITE_READONLY); nothing was changed' } });
      assert.equal(((await h.call('GET', '/api/v1/cartridges/A00002L8')).body as CartridgeView).writeProtected, false);
    } finally {
      disk.breakWrites(false);
    }
  });
});

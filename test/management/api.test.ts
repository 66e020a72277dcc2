import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { startApi, type ApiHarness } from './harness.js';
import type { CartridgeView, DriveView, ElementView, EventView, LibraryView } from '../../src/management/views.js';
import type { ServerStatus } from '../../src/management/service.js';

interface ErrorReply {
  error: { status: number; code: string; message: string };
}

describe('management API', () => {
  let h: ApiHarness;
  before(async () => {
    h = await startApi();
  });
  after(async () => {
    await h.close();
  });

  const errorOf = (body: unknown): ErrorReply['error'] => (body as ErrorReply).error;

  test('creates a 64-hex-digit token file readable only by its owner', async () => {
    assert.match(h.token, /^[0-9a-f]{64}$/);
    assert.equal((await stat(h.tokenFile)).mode & 0o777, 0o600);
  });

  test('answers 401 without the token and with a wrong one', async () => {
    const none = await h.call('GET', '/api/v1/status', undefined, null);
    assert.equal(none.status, 401);
    assert.equal(errorOf(none.body).code, 'unauthorized');
    assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="vtl"');
    const wrong = await h.call('GET', '/api/v1/libraries', undefined, 'f'.repeat(64));
    assert.equal(wrong.status, 401);
  });

  test('GET /status reports version, uptime, libraries and iSCSI sessions', async () => {
    h.sessions.push({ tsih: 1, initiatorName: 'iqn.1993-08.org.debian:01:a', isid: '400001370000', target: 'iqn.2026-11.org.vtl:lib0', discovery: false, connections: 1, remoteAddress: '127.0.0.1:50000', activeTasks: 0 });
    const started = h.clock.now;
    // 90.9 s later: uptime counts whole seconds since the start.
    h.clock.now = new Date(started.getTime() + 90_900);
    const reply = await h.call('GET', '/api/v1/status');
    h.clock.now = started;
    h.sessions.length = 0;
    assert.equal(reply.status, 200);
    const status = reply.body as ServerStatus;
    assert.equal(status.version, '9.9.9-test');
    assert.equal(status.pid, process.pid);
    assert.equal(status.startedAt, started.toISOString());
    assert.equal(status.uptimeSeconds, 90);
    assert.deepEqual(status.libraries.map((l) => [l.name, l.drives, l.cartridges]), [['lib0', 2, 3], ['lib1', 1, 1]]);
    assert.deepEqual(status.sessions, [
      { tsih: 1, initiator: 'iqn.1993-08.org.debian:01:a', initiatorAlias: null, isid: '400001370000', target: 'iqn.2026-11.org.vtl:lib0', discovery: false, connections: 1, remoteAddress: '127.0.0.1:50000', activeTasks: 0 },
    ]);
  });

  test('GET /libraries and /libraries/{name} describe the layout', async () => {
    const list = (await h.call('GET', '/api/v1/libraries')).body as LibraryView[];
    assert.deepEqual(list.map((l) => l.name), ['lib0', 'lib1']);
    const one = await h.call('GET', '/api/v1/libraries/lib0');
    assert.equal(one.status, 200);
    const lib = one.body as LibraryView;
    assert.equal(lib.iqn, 'iqn.2026-11.org.vtl:lib0');
    assert.deepEqual(lib.elementAddresses, { robot: { first: 0, count: 1 }, slot: { first: 0x1000, count: 6 }, mailslot: { first: 0x10, count: 2 }, drive: { first: 0x100, count: 2 } });
  });

  test('an unknown library is 404 with the library\'s message', async () => {
    const reply = await h.call('GET', '/api/v1/libraries/nope');
    assert.equal(reply.status, 404);
    assert.equal(errorOf(reply.body).code, 'not-found');
    assert.match(errorOf(reply.body).message, /nope/);
  });

  test('GET /libraries/{name}/elements lists elements in address order, filtered by kind', async () => {
    const all = (await h.call('GET', '/api/v1/libraries/lib0/elements')).body as ElementView[];
    assert.deepEqual(all.map((e) => e.address), [...all.map((e) => e.address)].sort((a, b) => a - b));
    assert.equal(all.length, 1 + 6 + 2 + 2);
    const slots = (await h.call('GET', '/api/v1/libraries/lib0/elements?kind=slot')).body as ElementView[];
    assert.deepEqual(slots.map((e) => e.barcode), ['A00001L8', 'A00002L8', 'A00003L8', null, null, null]);
    const bad = await h.call('GET', '/api/v1/libraries/lib0/elements?kind=shelf');
    assert.equal(bad.status, 400);
    assert.match(errorOf(bad.body).message, /^query\.kind: /);
  });

  test('GET /drives shows the mounted cartridge, position and bytes from the drive', async () => {
    await h.manager.move('lib0', 0x1000, 0x100);
    try {
      const drives = (await h.call('GET', '/api/v1/drives?library=lib0')).body as DriveView[];
      assert.equal(drives.length, 2);
      const first = drives[0];
      assert.equal(first?.barcode, 'A00001L8');
      assert.equal(first?.mounted, true);
      assert.deepEqual(first?.position, { partition: 0, blockNumber: 42, fileNumber: 2 });
      assert.equal(first?.bytesWritten, 4096);
      assert.equal(first?.bytesRead, 512);
      assert.equal(drives[1]?.barcode, null);
      assert.equal(drives[1]?.bytesWritten, null);
      const everyDrive = (await h.call('GET', '/api/v1/drives')).body as DriveView[];
      assert.deepEqual(everyDrive.map((d) => `${d.library}/${d.index}`), ['lib0/0', 'lib0/1', 'lib1/0']);
    } finally {
      await h.manager.unloadDrive('lib0', 0, { force: true });
    }
  });

  test('POST /drives/{library}/{index}/unload returns the cartridge home; a prevented removal is 409 unless forced', async () => {
    await h.manager.move('lib0', 0x1001, 0x101);
    const drive = h.drives[1];
    assert.ok(drive);
    drive.removalPrevented = true;
    const refused = await h.call('POST', '/api/v1/drives/lib0/1/unload');
    assert.equal(refused.status, 409);
    assert.equal(errorOf(refused.body).code, 'removal-prevented');
    const forced = await h.call('POST', '/api/v1/drives/lib0/1/unload', { force: true });
    assert.equal(forced.status, 200);
    const { cartridge } = forced.body as { cartridge: CartridgeView };
    assert.equal(cartridge.barcode, 'A00002L8');
    assert.deepEqual(cartridge.location, { kind: 'slot', library: 'lib0', address: 0x1001, index: 1 });
    const empty = await h.call('POST', '/api/v1/drives/lib0/1/unload');
    assert.deepEqual(empty.body, { cartridge: null });
  });

  test('unload validates the drive index', async () => {
    const notNumber = await h.call('POST', '/api/v1/drives/lib0/x/unload');
    assert.equal(notNumber.status, 400);
    assert.match(errorOf(notNumber.body).message, /^path\.index: must be a non-negative integer/);
    assert.equal((await h.call('POST', '/api/v1/drives/lib0/9/unload')).status, 404);
  });

  test('GET /cartridges filters by library, barcode prefix, location, generation and WORM', async () => {
    const barcodes = async (query: string): Promise<string[]> => ((await h.call('GET', `/api/v1/cartridges${query}`)).body as CartridgeView[]).map((c) => c.barcode);
    assert.deepEqual(await barcodes(''), ['A00001L8', 'A00002L8', 'A00003L8', 'B00001L8']);
    assert.deepEqual(await barcodes('?library=lib1'), ['B00001L8']);
    assert.deepEqual(await barcodes('?barcode=A0000'), ['A00001L8', 'A00002L8', 'A00003L8']);
    assert.deepEqual(await barcodes('?barcode=*3L8'), ['A00003L8']);
    assert.deepEqual(await barcodes('?location=slot&library=lib0'), ['A00001L8', 'A00002L8', 'A00003L8']);
    assert.deepEqual(await barcodes('?location=shelf'), []);
    assert.deepEqual(await barcodes('?generation=8&worm=false'), ['A00001L8', 'A00002L8', 'A00003L8', 'B00001L8']);
    assert.deepEqual(await barcodes('?worm=true'), []);
  });

  test('bad cartridge filters are 400 naming the query field', async () => {
    const reply = await h.call('GET', '/api/v1/cartridges?generation=4&location=attic&colour=red');
    assert.equal(reply.status, 400);
    const message = errorOf(reply.body).message;
    assert.match(message, /query\.generation: must be an LTO generation 5\.\.10/);
    assert.match(message, /query\.location: /);
    assert.match(message, /query\.colour: unknown field/);
  });

  test('POST /cartridges validates the body and names the field', async () => {
    const zero = await h.call('POST', '/api/v1/cartridges', { library: 'lib0', barcode: 'D00001L8', count: 0 });
    assert.equal(zero.status, 400);
    assert.equal(errorOf(zero.body).message, 'body.count: Too small: expected number to be >=1');
    const missing = await h.call('POST', '/api/v1/cartridges', { barcode: 'D00001L8', colour: 'red' });
    assert.equal(missing.status, 400);
    assert.match(errorOf(missing.body).message, /body\.library: .*; body\.colour: unknown field/);
    const notJson = await h.call('POST', '/api/v1/cartridges', '{"library": ');
    assert.deepEqual(errorOf(notJson.body), { status: 400, code: 'invalid-request', message: 'body: not valid JSON' });
    const badBarcode = await h.call('POST', '/api/v1/cartridges', { library: 'lib0', barcode: 'D00001XX' });
    assert.equal(badBarcode.status, 400);
    assert.equal(errorOf(badBarcode.body).code, 'invalid-argument');
  });

  test('a cartridge goes through its whole life: create, import, export, shelve, unshelve, protect, delete', async () => {
    const created = await h.call('POST', '/api/v1/cartridges', { library: 'lib0', barcode: 'E00010L8', count: 2, capacityBytes: 2097152, mailSlot: true });
    assert.equal(created.status, 201);
    const pair = created.body as CartridgeView[];
    assert.deepEqual(pair.map((c) => [c.barcode, c.location.kind, c.capacityBytes]), [['E00010L8', 'mailslot', 2097152], ['E00011L8', 'mailslot', 2097152]]);

    const again = await h.call('POST', '/api/v1/cartridges', { library: 'lib0', barcode: 'E00010L8' });
    assert.equal(again.status, 409);
    assert.equal(errorOf(again.body).code, 'already-exists');

    const imported = (await h.call('POST', '/api/v1/cartridges/E00010L8/import')).body as CartridgeView;
    assert.equal(imported.location.kind, 'slot');
    const exported = (await h.call('POST', '/api/v1/cartridges/E00010L8/export')).body as CartridgeView;
    assert.equal(exported.location.kind, 'mailslot');
    const shelved = (await h.call('POST', '/api/v1/cartridges/E00010L8/shelve')).body as CartridgeView;
    assert.deepEqual(shelved.location, { kind: 'shelf', library: 'lib0', address: null, index: null });
    const onShelf = (await h.call('GET', '/api/v1/cartridges?location=shelf')).body as CartridgeView[];
    assert.deepEqual(onShelf.map((c) => c.barcode), ['E00010L8']);
    const back = (await h.call('POST', '/api/v1/cartridges/E00010L8/unshelve', {})).body as CartridgeView;
    assert.equal(back.location.kind, 'mailslot');

    const protectedOn = (await h.call('POST', '/api/v1/cartridges/E00010L8/protect', { on: true })).body as CartridgeView;
    assert.equal(protectedOn.writeProtected, true);
    const noFlag = await h.call('POST', '/api/v1/cartridges/E00010L8/protect', {});
    assert.equal(noFlag.status, 400);
    assert.match(errorOf(noFlag.body).message, /^body\.on: /);

    for (const barcode of ['E00010L8', 'E00011L8']) {
      const deleted = await h.call('DELETE', `/api/v1/cartridges/${barcode}`);
      assert.equal(deleted.status, 204);
      assert.equal(deleted.body, undefined);
    }
    const gone = await h.call('GET', '/api/v1/cartridges/E00010L8');
    assert.equal(gone.status, 404);
  });

  test('shelving a cartridge that is in a slot is a 409 conflict', async () => {
    const reply = await h.call('POST', '/api/v1/cartridges/A00003L8/shelve');
    assert.equal(reply.status, 409);
    assert.equal(errorOf(reply.body).code, 'wrong-location');
  });

  test('a WORM cartridge cannot be deleted', async () => {
    await h.call('POST', '/api/v1/cartridges', { library: 'lib1', barcode: 'W00001LY' });
    const reply = await h.call('DELETE', '/api/v1/cartridges/W00001LY');
    assert.equal(reply.status, 409);
    assert.equal(errorOf(reply.body).code, 'worm');
    const worms = (await h.call('GET', '/api/v1/cartridges?worm=1')).body as CartridgeView[];
    assert.deepEqual(worms.map((c) => [c.barcode, c.media]), [['W00001LY', 'LTO-8 WORM']]);
  });

  test('GET /events returns recent events after `since`, oldest first', async () => {
    const all = (await h.call('GET', '/api/v1/events?limit=1000')).body as EventView[];
    assert.ok(all.length > 3);
    assert.deepEqual(all.map((e) => e.id), all.map((_, i) => (all[0]?.id ?? 0) + i));
    const last = all[all.length - 1];
    assert.ok(last);
    const later = (await h.call('GET', `/api/v1/events?since=${last.id - 2}`)).body as EventView[];
    assert.deepEqual(later.map((e) => e.id), [last.id - 1, last.id]);
    const two = (await h.call('GET', '/api/v1/events?limit=2')).body as EventView[];
    assert.deepEqual(two.map((e) => e.id), [last.id - 1, last.id]);
  });

  test('GET /events?follow=1 streams new events as server-sent events', async () => {
    const controller = new AbortController();
    const response = await fetch(`${h.url}/api/v1/events?follow=1`, { headers: { authorization: `Bearer ${h.token}` }, signal: controller.signal });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    const reader = response.body?.getReader();
    assert.ok(reader);
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (needle: string): Promise<void> => {
      while (!text.includes(needle)) {
        const chunk = await reader.read();
        if (chunk.done) throw new Error(`stream ended before ${needle}`);
        text += decoder.decode(chunk.value as Uint8Array);
      }
    };
    await readUntil(': following');
    await h.call('POST', '/api/v1/cartridges', { library: 'lib1', barcode: 'F00001L8' });
    await readUntil('\n\n' + 'id: ');
    await readUntil('F00001L8');
    const frame = text.slice(text.indexOf('id: '));
    assert.match(frame, /^id: \d+\nevent: cartridge-created\ndata: \{.*"barcode":"F00001L8".*\}\n/);
    controller.abort();
    await reader.cancel().catch(() => undefined);
  });

  test('a wrong method is 405 with Allow, an unknown path 404', async () => {
    const wrong = await h.call('DELETE', '/api/v1/libraries');
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get('allow'), 'GET');
    assert.equal((await h.call('GET', '/api/v1/nothing')).status, 404);
    assert.equal((await h.call('GET', '/other')).status, 404);
  });

  test('a body over 64 KiB is refused with 413', async () => {
    const reply = await h.call('POST', '/api/v1/cartridges', { library: 'lib0', barcode: 'x'.repeat(70000) });
    assert.equal(reply.status, 413);
  });
});

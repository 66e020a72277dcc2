// The served OpenAPI document against the running server: it lists exactly the operations the router serves, each
// operation answers (in success and in error) what the document states, read back from the document itself (its JSON
// Schema turned into a validator by zod's fromJSONSchema, not the route's zod schema), and every operation refuses an
// unknown query parameter or body field with a 400 naming it. Every other API test checks its answers against the
// routes' schemas too (harness.ts turns on the server's checkResponses).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createParser } from 'eventsource-parser';
import { z } from 'zod';
import { dedupTotals, type DedupView } from '../../src/management/dedup-status.js';
import { dedupRoutes } from '../../src/management/http/dedup-routes.js';
import { stagingRoutes } from '../../src/management/http/staging-routes.js';
import type { CopyEngine } from '../../src/physical/copy-engine.js';
import type { CopyJob } from '../../src/physical/copy-job-store.js';
import { StagingService } from '../../src/physical/staging-service.js';
import { startApi, type ApiHarness } from './harness.js';

type Json = Record<string, unknown>;
interface Doc {
  paths: Record<string, Record<string, { responses: Record<string, Json> }>>;
  components: { schemas: Record<string, Json>; responses: Record<string, Json> };
}

const job: CopyJob = {
  id: 'job-1', barcode: 'A00001L8', library: 'lib0', physicalLibrary: 'tgt', state: 'running', phase: 'copy', attempts: 1,
  totalBytes: 4096, totalObjects: 4, objectsCopied: 1, bytesCopied: 1024, objectsVerified: 0, bytesVerified: 0,
  createdAt: '2026-12-01T08:00:00.000Z', updatedAt: '2026-12-01T08:00:01.000Z', startedAt: '2026-12-01T08:00:00.500Z', rateBytesPerSecond: 2048,
};
const physical = {
  name: 'tgt', config: { portal: '127.0.0.1:3260', iqn: 'iqn.2003-01.org.linux-iscsi:tgt' }, session: { connected: true, reconnects: 0 },
  inventory: async () => ({
    vendor: 'STK', product: 'L700', changerLun: 0,
    drives: [{ address: 500, full: false, lun: 1, identifier: 'SN1' }],
    slots: [{ address: 1000, full: true, barcode: 'A00001L8' }, { address: 1001, full: false }],
    mailSlots: [{ address: 10, full: false }],
  }),
};
// The real StagingService (so its views are what is checked) over a copy engine that holds one job.
const engine = { libraries: [physical], list: () => [job], job: (id: string) => (id === job.id ? job : undefined), enqueue: async () => job, enqueueImport: async () => ({ ...job, trigger: 'import' as const }), cancel: async (id: string) => (id === job.id ? { ...job, state: 'cancelled' } : undefined) };
const dedupCartridges = [{ barcode: 'A00001L8', library: 'lib0', logicalBytes: 4096, storedBytes: 1024, ratio: 4, backlogBytes: 0 }];
const dedupPass = { movedBytes: 4096, busySeconds: 0.5, rounds: 2, containersCollected: 0, running: false, cartridge: null, lastRoundAt: '2026-12-01T08:00:02.000Z' };
const dedupStores = [{ name: 'lib0', libraries: ['lib0'], ...dedupTotals(dedupCartridges), uniqueChunks: 1, containers: 1, containerBytes: 1024, indexMemoryBytes: 16384 }];
const dedupStatus = async (): ReturnType<DedupView['status']> => ({ ...dedupTotals(dedupCartridges), pass: dedupPass, stores: dedupStores, cartridges: dedupCartridges });
const dedup: DedupView = {
  status: dedupStatus, runPass: dedupStatus, summary: () => ({ pass: dedupPass, stores: dedupStores }),
  cartridge: (barcode) => (dedupCartridges.some((c) => c.barcode === barcode) ? dedupTotals(dedupCartridges.filter((c) => c.barcode === barcode)) : undefined), library: (name) => (name === 'lib0' ? dedupTotals(dedupCartridges) : undefined),
};

/** A concrete path for a documented one; `at` names other values. */
const fill = (template: string, at: Readonly<Record<string, string>> = {}): string => {
  const values: Record<string, string> = { name: template.startsWith('/physical-libraries') ? 'tgt' : 'lib0', library: 'lib0', index: '0', barcode: 'A00002L8', id: 'job-1', ...at };
  return template.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? name);
};

describe('the served OpenAPI document matches what the API serves and answers', () => {
  let h: ApiHarness;
  let doc: Doc;
  /** `METHOD /template` of every operation that answered a success the document states. */
  const answered = new Set<string>();

  /** The document's schema for an answer, as a validator: its components go in as `$defs`. */
  const documented = (method: string, template: string, status: number): { schema: z.ZodType | undefined } | undefined => {
    let response = doc.paths[template]?.[method.toLowerCase()]?.responses[String(status)];
    if (response === undefined) return undefined;
    if (typeof response['$ref'] === 'string') response = doc.components.responses[response['$ref'].split('/').pop() ?? ''] ?? {};
    const schema = (response['content'] as Record<string, { schema: Json }> | undefined)?.['application/json']?.schema;
    return { schema: schema === undefined ? undefined : validatorOf(schema) };
  };

  /** A validator for a schema of the document, its references to components/schemas as `$defs`. */
  const validatorOf = (schema: Json): z.ZodType => {
    const linked = JSON.parse(JSON.stringify(schema).replaceAll('#/components/schemas/', '#/$defs/')) as Json;
    const defs = JSON.parse(JSON.stringify(doc.components.schemas).replaceAll('#/components/schemas/', '#/$defs/')) as Json;
    return z.fromJSONSchema({ ...linked, $defs: defs } as Parameters<typeof z.fromJSONSchema>[0]);
  };

  const conforms = async (method: string, template: string, body?: unknown, query = '', at: Readonly<Record<string, string>> = {}): Promise<number> => {
    const reply = await h.call(method, `/api/v1${fill(template, at)}${query}`, body);
    const stated = documented(method, template, reply.status);
    assert.ok(stated, `${method} ${template} answered ${reply.status}, which the document does not state`);
    if (stated.schema === undefined) assert.equal(reply.body, undefined, `${method} ${template} ${reply.status} has no body in the document`);
    else {
      const result = stated.schema.safeParse(reply.body);
      assert.ok(result.success, `${method} ${template} ${reply.status}: ${result.success ? '' : JSON.stringify(result.error.issues)}`);
    }
    if (reply.status < 300) answered.add(`${method} ${template}`);
    return reply.status;
  };

  before(async () => {
    h = await startApi({ extraRoutes: [...stagingRoutes(new StagingService(engine as unknown as CopyEngine, { cartridge: () => ({ location: { library: 'lib0' } }), libraries: () => [{ name: 'lib0' }], createCartridges: async () => [] } as never)), ...dedupRoutes(dedup)] });
    doc = (await h.call('GET', '/api/v1/openapi.json')).body as Doc;
    await h.manager.move('lib0', 0x1000, 0x100);
    h.sessions.push({ tsih: 3, initiatorName: 'iqn.1993-08.org.debian:01:b', isid: '400001370001', target: undefined, discovery: true, connections: 1, remoteAddress: '127.0.0.1:40000', activeTasks: 0 });
  });
  after(async () => {
    await h.close();
  });

  test('the document lists exactly the operations the router serves, the optional parts included', () => {
    const documentedOps = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)).sort();
    const served = h.server.routes.map((r) => `${r.method} ${r.path}`).sort();
    assert.deepEqual(documentedOps, served);
    assert.ok(served.includes('GET /dedup') && served.includes('POST /cartridges/{barcode}/copy'));
  });

  test("the document's schemas refuse a wrong shape: the check below is not vacuous", () => {
    const cartridge = documented('GET', '/cartridges/{barcode}', 200)?.schema;
    assert.ok(cartridge);
    assert.equal(cartridge.safeParse({ barcode: 'A00001L8' }).success, false);
    const unloaded = documented('POST', '/drives/{library}/{index}/unload', 200)?.schema;
    assert.ok(unloaded);
    assert.equal(unloaded.safeParse({ cartridge: null }).success, true);
    assert.equal(unloaded.safeParse({ cartridge: null, colour: 'red' }).success, false);
    assert.equal(unloaded.safeParse({ cartridge: { barcode: 1 } }).success, false);
  });

  test('every query answers in its documented shape', async () => {
    for (const template of ['/openapi.json', '/status', '/whoami', '/libraries', '/libraries/{name}', '/libraries/{name}/elements', '/drives', '/cartridges', '/cartridges/{barcode}', '/events', '/physical-libraries', '/physical-libraries/{name}', '/copy-jobs', '/copy-jobs/{id}', '/dedup']) {
      assert.equal(await conforms('GET', template), 200, template);
    }
    assert.equal(await conforms('GET', '/cartridges', undefined, '?location=mailslot&generation=8&worm=false'), 200);
    assert.equal(await conforms('GET', '/events', undefined, '?since=0&limit=5'), 200);
    assert.equal(await conforms('GET', '/libraries/{name}', undefined, '', { name: 'attic' }), 404);
    assert.equal(await conforms('GET', '/copy-jobs/{id}', undefined, '', { id: 'job-2' }), 404);
  });

  test('every change answers in its documented shape, and so do its refusals', async () => {
    assert.equal(await conforms('POST', '/cartridges', { library: 'lib0', barcode: 'H00001L8', count: 2, mailSlot: true }), 201);
    assert.equal(await conforms('POST', '/cartridges', { library: 'lib0', barcode: 'H00001L8' }), 409);
    assert.equal(await conforms('POST', '/cartridges', { library: 'lib0' }), 400);
    for (const [verb, body] of [['import', {}], ['export', {}], ['shelve', {}], ['unshelve', {}], ['protect', { on: true }]] as const) {
      assert.equal(await conforms('POST', `/cartridges/{barcode}/${verb}`, body, '', { barcode: 'H00001L8' }), 200, verb);
    }
    assert.equal(await conforms('POST', '/drives/{library}/{index}/unload', {}), 200);
    assert.equal(await conforms('POST', '/drives/{library}/{index}/unload', { force: true }), 200);
    assert.equal(await conforms('POST', '/cartridges/{barcode}/copy', {}), 202);
    assert.equal(await conforms('POST', '/copy-jobs/{id}/cancel', {}), 200);
    assert.equal(await conforms('POST', '/physical-libraries/{name}/import', { barcode: 'I00001L8', library: 'lib0' }), 202);
    assert.equal(await conforms('POST', '/physical-libraries/{name}/import', { barcode: 'I00001L8' }, '', { name: 'nowhere' }), 404);
    assert.equal(await conforms('POST', '/dedup/pass', {}), 200);
    assert.equal(await conforms('DELETE', '/cartridges/{barcode}', undefined, '', { barcode: 'H00002L8' }), 204);
    assert.equal(await conforms('GET', '/cartridges/{barcode}', undefined, '', { barcode: 'H00002L8' }), 404);
  });

  test('the security operations answer in their documented shapes, and so do their refusals', async () => {
    assert.equal(await conforms('POST', '/tokens', { name: 'monitor', role: 'viewer' }), 201);
    assert.equal(await conforms('POST', '/tokens', { name: 'monitor', role: 'viewer' }), 409);
    assert.equal(await conforms('GET', '/tokens'), 200);
    assert.equal(await conforms('DELETE', '/tokens/{name}', undefined, '', { name: 'monitor' }), 204);
    assert.equal(await conforms('DELETE', '/tokens/{name}', undefined, '', { name: 'monitor' }), 404);
    assert.equal(await conforms('GET', '/cartridges/{barcode}/retention'), 200);
    assert.equal(await conforms('POST', '/cartridges/{barcode}/retention', { mode: 'governance', days: 2 }), 200);
    assert.equal(await conforms('POST', '/cartridges/{barcode}/retention', { mode: 'governance', days: 1 }), 409);
    assert.equal(await conforms('DELETE', '/cartridges/{barcode}/retention', undefined, '?bypassGovernance=true'), 200);
    assert.equal(await conforms('POST', '/cartridges/{barcode}/retention', { mode: 'always', days: 1 }), 400);
    assert.equal(await conforms('GET', '/audit'), 200);
    assert.equal(await conforms('GET', '/audit', undefined, '?barcode=A00002L8&limit=2'), 200);
    assert.equal(await conforms('GET', '/audit', undefined, '?since=never'), 400);
    assert.equal(await conforms('GET', '/audit/verify'), 200);
  });

  test("the event stream answers text/event-stream, and each data line is the document's Event", async () => {
    const content = (doc.paths['/events']?.['get']?.responses['200']?.['content'] ?? {}) as Record<string, Json>;
    assert.deepEqual(Object.keys(content).sort(), ['application/json', 'text/event-stream']);
    const item = content['text/event-stream']?.['x-vtl-data'] as Json;
    const eventSchema = validatorOf(item);
    const controller = new AbortController();
    const response = await fetch(`${h.url}/api/v1/events?follow=1`, { headers: { authorization: `Bearer ${h.token}` }, signal: controller.signal });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.ok(response.body);
    const data: unknown[] = [];
    const parser = createParser({ onEvent: (message) => data.push(JSON.parse(message.data)) });
    assert.equal((await h.call('POST', '/api/v1/cartridges', { library: 'lib1', barcode: 'S00001L8' })).status, 201);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    while (data.length === 0) {
      const { done, value } = await reader.read();
      assert.equal(done, false, 'the stream ended before an event');
      parser.feed(value ?? '');
    }
    controller.abort();
    assert.equal((data[0] as { barcode?: unknown }).barcode, 'S00001L8');
    const result = eventSchema.safeParse(data[0]);
    assert.ok(result.success, JSON.stringify(result.error?.issues));
    assert.equal(eventSchema.safeParse({ ...(data[0] as object), colour: 'red' }).success, false);
  });

  test('every operation refuses an unknown query parameter, and every body an unknown field, with a 400 naming it', async () => {
    for (const route of h.server.routes) {
      const path = `/api/v1${fill(route.path)}`;
      const query = await h.call(route.method, `${path}?colour=red`, route.body ? {} : undefined);
      assert.equal(query.status, 400, `${route.method} ${route.path}?colour=red`);
      assert.match(JSON.stringify(query.body), /query\.colour: unknown field/, `${route.method} ${route.path}`);
      if (route.body === undefined) continue;
      const body = await h.call(route.method, path, { colour: 'red' });
      assert.equal(body.status, 400, `${route.method} ${route.path} { colour }`);
      assert.match(JSON.stringify(body.body), /body\.colour: unknown field/, `${route.method} ${route.path}`);
    }
  });

  test('every operation the document lists was answered with a success it states', () => {
    const documentedOps = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    assert.deepEqual(documentedOps.filter((op) => !answered.has(op)), []);
  });
});

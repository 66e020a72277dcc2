import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startApi, type ApiHarness } from './harness.js';

type Schema = Record<string, unknown>;
interface Operation {
  responses: Record<string, { $ref?: string; content?: Record<string, { schema: Schema }> }>;
}
interface Doc {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; responses: Record<string, { content: Record<string, { schema: Schema }> }> };
}

/** The JSON Schema subset the document uses: type (with null), properties, required, additionalProperties, items, enum, oneOf, $ref, minimum, maximum. */
function check(doc: Doc, schema: Schema, value: unknown, at: string): string[] {
  if (typeof schema['$ref'] === 'string') return check(doc, doc.components.schemas[schema['$ref'].split('/').pop() ?? ''] ?? {}, value, at);
  if (Array.isArray(schema['oneOf'])) {
    const matches = (schema['oneOf'] as Schema[]).filter((s) => check(doc, s, value, at).length === 0).length;
    return matches === 1 ? [] : [`${at}: matches ${matches} of oneOf`];
  }
  if (Array.isArray(schema['enum'])) return (schema['enum'] as unknown[]).includes(value) ? [] : [`${at}: ${JSON.stringify(value)} not in enum`];
  const types = schema['type'] === undefined ? [] : Array.isArray(schema['type']) ? (schema['type'] as string[]) : [schema['type'] as string];
  const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
  if (types.length > 0 && !types.includes(actual) && !(actual === 'integer' && types.includes('number'))) return [`${at}: ${actual}, expected ${types.join('|')}`];
  const problems: string[] = [];
  if (typeof value === 'number') {
    if (typeof schema['minimum'] === 'number' && value < schema['minimum']) problems.push(`${at}: below minimum`);
    if (typeof schema['maximum'] === 'number' && value > schema['maximum']) problems.push(`${at}: above maximum`);
  }
  if (actual === 'array' && schema['items']) (value as unknown[]).forEach((item, i) => problems.push(...check(doc, schema['items'] as Schema, item, `${at}[${i}]`)));
  if (actual === 'object') {
    const object = value as Record<string, unknown>;
    const properties = (schema['properties'] ?? {}) as Record<string, Schema>;
    for (const key of (schema['required'] ?? []) as string[]) if (!(key in object)) problems.push(`${at}.${key}: missing`);
    for (const [key, v] of Object.entries(object)) {
      const property = properties[key];
      if (property) problems.push(...check(doc, property, v, `${at}.${key}`));
      else if (schema['additionalProperties'] === false) problems.push(`${at}.${key}: not in the schema`);
    }
  }
  return problems;
}

describe('the served OpenAPI document matches what the API returns', () => {
  let h: ApiHarness;
  let doc: Doc;
  before(async () => {
    h = await startApi();
    doc = (await h.call('GET', '/api/v1/openapi.json')).body as Doc;
    await h.manager.move('lib0', 0x1000, 0x100);
    h.sessions.push({ tsih: 3, initiatorName: 'iqn.1993-08.org.debian:01:b', isid: '400001370001', target: undefined, discovery: true, connections: 1, remoteAddress: '127.0.0.1:40000', activeTasks: 0 });
  });
  after(async () => {
    await h.close();
  });

  const conforms = async (method: string, path: string, template: string, body?: unknown): Promise<number> => {
    const reply = await h.call(method, `/api/v1${path}`, body);
    const operation = doc.paths[template]?.[method.toLowerCase()];
    assert.ok(operation, `${method} ${template} is not documented`);
    let response = operation.responses[String(reply.status)];
    assert.ok(response, `${method} ${path} answered ${reply.status}, which is not documented`);
    if (response.$ref) response = doc.components.responses[response.$ref.split('/').pop() ?? ''];
    const schema = response?.content?.['application/json']?.schema;
    if (schema) assert.deepEqual(check(doc, schema, reply.body, 'body'), [], `${method} ${path}`);
    else assert.equal(reply.body, undefined);
    return reply.status;
  };

  test('the shape check itself refuses wrong types, missing and extra fields', () => {
    const problems = check(doc, { $ref: '#/components/schemas/Location' }, { kind: 'attic', library: 1, address: null, colour: 'red' }, 'body');
    assert.deepEqual(problems, ['body.index: missing', 'body.kind: "attic" not in enum', 'body.library: integer, expected string', 'body.colour: not in the schema']);
  });

  test('every query endpoint answers in its documented shape', async () => {
    assert.equal(await conforms('GET', '/status', '/status'), 200);
    assert.equal(await conforms('GET', '/libraries', '/libraries'), 200);
    assert.equal(await conforms('GET', '/libraries/lib0', '/libraries/{name}'), 200);
    assert.equal(await conforms('GET', '/libraries/lib0/elements', '/libraries/{name}/elements'), 200);
    assert.equal(await conforms('GET', '/drives', '/drives'), 200);
    assert.equal(await conforms('GET', '/cartridges', '/cartridges'), 200);
    assert.equal(await conforms('GET', '/cartridges/A00002L8', '/cartridges/{barcode}'), 200);
    assert.equal(await conforms('GET', '/events', '/events'), 200);
  });

  test('every operation answers in its documented shape, and so do its errors', async () => {
    assert.equal(await conforms('POST', '/cartridges', '/cartridges', { library: 'lib0', barcode: 'H00001L8', count: 2, mailSlot: true }), 201);
    assert.equal(await conforms('POST', '/cartridges', '/cartridges', { library: 'lib0', barcode: 'H00001L8' }), 409);
    assert.equal(await conforms('POST', '/cartridges', '/cartridges', { library: 'lib0' }), 400);
    assert.equal(await conforms('POST', '/cartridges/H00001L8/import', '/cartridges/{barcode}/import'), 200);
    assert.equal(await conforms('POST', '/cartridges/H00001L8/export', '/cartridges/{barcode}/export'), 200);
    assert.equal(await conforms('POST', '/cartridges/H00001L8/shelve', '/cartridges/{barcode}/shelve', {}), 200);
    assert.equal(await conforms('POST', '/cartridges/H00001L8/unshelve', '/cartridges/{barcode}/unshelve', {}), 200);
    assert.equal(await conforms('POST', '/cartridges/H00001L8/protect', '/cartridges/{barcode}/protect', { on: true }), 200);
    assert.equal(await conforms('DELETE', '/cartridges/H00001L8', '/cartridges/{barcode}'), 204);
    assert.equal(await conforms('GET', '/cartridges/H00001L8', '/cartridges/{barcode}'), 404);
    assert.equal(await conforms('POST', '/drives/lib0/0/unload', '/drives/{library}/{index}/unload', {}), 200);
    assert.equal(await conforms('POST', '/drives/lib0/0/unload', '/drives/{library}/{index}/unload', {}), 200);
    assert.equal(await conforms('GET', '/events?since=0', '/events'), 200);
  });

  test('the security operations answer in their documented shapes, and so do their refusals', async () => {
    assert.equal(await conforms('POST', '/tokens', '/tokens', { name: 'monitor', role: 'viewer' }), 201);
    assert.equal(await conforms('POST', '/tokens', '/tokens', { name: 'monitor', role: 'viewer' }), 409);
    assert.equal(await conforms('GET', '/tokens', '/tokens'), 200);
    assert.equal(await conforms('DELETE', '/tokens/monitor', '/tokens/{name}'), 204);
    assert.equal(await conforms('DELETE', '/tokens/monitor', '/tokens/{name}'), 404);
    assert.equal(await conforms('GET', '/cartridges/A00003L8/retention', '/cartridges/{barcode}/retention'), 200);
    assert.equal(await conforms('POST', '/cartridges/A00003L8/retention', '/cartridges/{barcode}/retention', { mode: 'governance', days: 2 }), 200);
    assert.equal(await conforms('POST', '/cartridges/A00003L8/retention', '/cartridges/{barcode}/retention', { mode: 'governance', days: 1 }), 409);
    assert.equal(await conforms('DELETE', '/cartridges/A00003L8/retention?bypassGovernance=true', '/cartridges/{barcode}/retention'), 200);
    assert.equal(await conforms('POST', '/cartridges/A00003L8/retention', '/cartridges/{barcode}/retention', { mode: 'always', days: 1 }), 400);
    assert.equal(await conforms('GET', '/audit', '/audit'), 200);
    assert.equal(await conforms('GET', '/audit?barcode=A00003L8&limit=2', '/audit'), 200);
    assert.equal(await conforms('GET', '/audit?since=never', '/audit'), 400);
    assert.equal(await conforms('GET', '/audit/verify', '/audit/verify'), 200);
  });
});

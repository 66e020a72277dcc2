import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import type { AuditTrail } from '../../library/audit-trail.js';
import type { StagingService } from '../../physical/staging-service.js';
import type { DedupView } from '../dedup-status.js';
import type { ManagementService } from '../service.js';
import { dedupRoutes } from './dedup-routes.js';
import type { EventFollowers } from './event-follower.js';
import { openApiDocument } from './openapi.js';
import { route } from './router.js';
import { managementRoutes } from './routes.js';
import { stagingRoutes } from './staging-routes.js';

interface Operation {
  'x-vtl-role': string;
  'x-vtl-audit'?: string;
  parameters?: { name: string; in: string; required: boolean }[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
}
interface Doc {
  openapi: string;
  info: { version: string };
  paths: Record<string, Record<string, Operation>>;
}

// Building the tables calls nothing on the services, the followers or the audit log.
const routes = [...managementRoutes({} as ManagementService, {} as EventFollowers, {} as AuditTrail), ...stagingRoutes({} as StagingService), ...dedupRoutes({} as DedupView)];
const doc = openApiDocument('1.2.3', routes) as unknown as Doc;
const operationOf = (r: (typeof routes)[number]): Operation | undefined => doc.paths[r.path]?.[r.method.toLowerCase()];

test('the OpenAPI document is version 3.1 and carries the server version', () => {
  assert.equal(doc.openapi, '3.1.0');
  assert.equal(doc.info.version, '1.2.3');
});

test('the document has exactly one operation per route', () => {
  const documented = Object.entries(doc.paths).flatMap(([path, operations]) => Object.keys(operations).map((m) => `${m.toUpperCase()} ${path}`));
  assert.deepEqual(documented.sort(), routes.map((r) => `${r.method} ${r.path}`).sort());
});

test("each operation's role and audit kind are its route's, and a 403 is stated exactly when a weaker token exists", () => {
  for (const r of routes) {
    const operation = operationOf(r);
    assert.equal(operation?.['x-vtl-role'], r.role, `${r.method} ${r.path}`);
    assert.equal(operation['x-vtl-audit'], r.audit, `${r.method} ${r.path}`);
    assert.equal('403' in operation.responses, r.role !== 'viewer', `${r.method} ${r.path}`);
  }
});

test('every path parameter of a route is declared in the document, required', () => {
  for (const r of routes) {
    const names = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const declared = (operationOf(r)?.parameters ?? []).filter((p) => p.in === 'path');
    assert.deepEqual(declared.map((p) => p.name).sort(), names.sort(), `${r.method} ${r.path}`);
    assert.ok(declared.every((p) => p.required));
  }
});

test('every POST documents its body and every operation a success answer', () => {
  for (const r of routes) {
    const operation = operationOf(r);
    assert.equal(operation?.requestBody !== undefined, r.method === 'POST', `${r.method} ${r.path}`);
    assert.ok(Object.keys(operation?.responses ?? {}).some((s) => s.startsWith('2')), `${r.method} ${r.path}`);
  }
});

test('every $ref in the document resolves', () => {
  const text = JSON.stringify(doc);
  const root = doc as unknown as Record<string, unknown>;
  for (const [, ref] of text.matchAll(/"\$ref":"#\/([^"]+)"/g)) {
    let node: unknown = root;
    for (const part of (ref ?? '').split('/')) node = (node as Record<string, unknown> | undefined)?.[part];
    assert.ok(node !== undefined, `unresolved $ref #/${ref ?? ''}`);
  }
});

test('route() refuses a table where a path parameter has no schema or a POST has no body schema', () => {
  const handle = () => ({ body: {} });
  const responses = { 200: z.strictObject({}) };
  assert.throws(() => route({ method: 'GET', path: '/things/{id}', summary: '', role: 'viewer', responses, handle }), /params declares \[\], the path has \[id\]/);
  assert.throws(() => route({ method: 'POST', path: '/things', summary: '', role: 'operator', audit: 'thing.make', responses, handle }), /a POST, and only a POST, declares a body/);
  assert.throws(() => route({ method: 'GET', path: '/things', summary: '', role: 'viewer', body: z.strictObject({}), responses, handle }), /a POST, and only a POST/);
});

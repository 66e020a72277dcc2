import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditTrail } from '../../library/audit-trail.js';
import type { ManagementService } from '../service.js';
import type { EventFollowers } from './event-follower.js';
import { openApiDocument } from './openapi.js';
import { managementRoutes } from './routes.js';

interface Doc {
  openapi: string;
  info: { version: string };
  paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; responses: Record<string, unknown> }>>;
}

// Building the table calls nothing on the service, the followers or the audit log.
const routes = managementRoutes({} as ManagementService, {} as EventFollowers, {} as AuditTrail);
const doc = openApiDocument('1.2.3', routes) as unknown as Doc;

test('the OpenAPI document is version 3.1 and carries the server version', () => {
  assert.equal(doc.openapi, '3.1.0');
  assert.equal(doc.info.version, '1.2.3');
});

test('every route is documented under its path and method', () => {
  for (const route of routes) {
    assert.ok(doc.paths[route.path]?.[route.method.toLowerCase()], `${route.method} ${route.path} is not in the OpenAPI document`);
  }
});

test('every documented operation has a route', () => {
  const served = new Set(routes.map((r) => `${r.method} ${r.path}`));
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const method of Object.keys(operations)) {
      assert.ok(served.has(`${method.toUpperCase()} ${path}`), `${method.toUpperCase()} ${path} is documented but not served`);
    }
  }
});

test('every path parameter of a route is declared in the document', () => {
  for (const route of routes) {
    const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const declared = (doc.paths[route.path]?.[route.method.toLowerCase()]?.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
    assert.deepEqual(declared.sort(), names.sort(), `${route.method} ${route.path}`);
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

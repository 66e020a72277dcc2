import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { HttpError } from './http-error.js';
import { matchRoute, route as defineRoute, validate, type Route, type RouteDefinition } from './router.js';

const route = (method: Route['method'], path: string): Route => ({ method, path, summary: '', role: 'viewer', query: z.strictObject({}), responses: {}, errors: [], handle: () => ({}) });
const routes = [route('GET', '/cartridges'), route('POST', '/cartridges'), route('GET', '/cartridges/{barcode}'), route('POST', '/drives/{library}/{index}/unload')];

test('matchRoute() extracts decoded path parameters', () => {
  const match = matchRoute(routes, 'POST', '/drives/my%20lib/3/unload');
  assert.equal(match.kind, 'found');
  assert.deepEqual(match.kind === 'found' ? match.params : undefined, { library: 'my lib', index: '3' });
});

test('matchRoute() tells a wrong method from an unknown path', () => {
  assert.deepEqual(matchRoute(routes, 'DELETE', '/cartridges'), { kind: 'wrong-method', allow: ['GET', 'POST'] });
  assert.deepEqual(matchRoute(routes, 'GET', '/cartridges/A00001L8/extra'), { kind: 'none' });
  assert.deepEqual(matchRoute(routes, 'GET', '/cartridges/'), { kind: 'none' });
  assert.deepEqual(matchRoute(routes, 'GET', '/cartridges/%E0%A4%A'), { kind: 'none' });
});

test('validate() throws a 400 naming every bad field with its place', () => {
  const schema = z.strictObject({ count: z.number().min(1), name: z.string() });
  assert.throws(
    () => validate(schema, { count: 0, extra: true }, 'body'),
    (error: unknown) => {
      assert.ok(error instanceof HttpError);
      assert.equal(error.status, 400);
      assert.equal(error.message, 'body.count: Too small: expected number to be >=1; body.name: Invalid input: expected string, received undefined; body.extra: unknown field');
      return true;
    },
  );
  assert.deepEqual(validate(schema, { count: 2, name: 'x' }, 'body'), { count: 2, name: 'x' });
});

test('route() type-checks each handler against the answers its route declares (the build fails otherwise)', () => {
  const responses = { 200: z.strictObject({ name: z.string() }), 204: null };
  const define = (handle: RouteDefinition<undefined, undefined, undefined, undefined, typeof responses>['handle']): Route =>
    defineRoute({ method: 'GET', path: '/things', summary: '', role: 'viewer', responses, handle });
  define(() => ({ body: { name: 'x' } }));
  define(() => ({ status: 204 as const }));
  // @ts-expect-error: the schema says the name is a string.
  define(() => ({ body: { name: 1 } }));
  // @ts-expect-error: 201 is not a declared answer.
  define(() => ({ status: 201 as const, body: { name: 'x' } }));
  // @ts-expect-error: a 204 has no body.
  define(() => ({ status: 204 as const, body: { name: 'x' } }));
  assert.equal(define(() => ({ body: { name: 'x' } })).path, '/things');
});

// The management API's routes (under /api/v1): validate the request, call the service, return a view. Each route
// names the role it needs and, when it changes something, its audit kind; the server and openapi.ts read both here.
import { z } from 'zod';
import type { AuditTrail } from '../../library/audit-trail.js';
import type { LtoGeneration } from '../../library/lto.js';
import type { ManagementService } from '../service.js';
import { LOCATION_KINDS } from '../views.js';
import type { EventFollowers } from './event-follower.js';
import { streamEvents } from './event-stream.js';
import { openApiDocument } from './openapi.js';
import { queryObject, validate, type Route } from './router.js';
import { securityRoutes } from './security-routes.js';

const generationNumber = z.number().int().min(5, 'must be an LTO generation 5..10').max(10, 'must be an LTO generation 5..10');
const generationText = z
  .string()
  .regex(/^(5|6|7|8|9|10)$/, 'must be an LTO generation 5..10')
  .transform((v) => Number(v) as LtoGeneration);
const booleanText = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const countText = (max: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, 'must be a non-negative integer')
    .transform(Number)
    .pipe(z.number().max(max));

const cartridgeQuery = z.strictObject({
  library: z.string().min(1).optional(),
  barcode: z.string().min(1).max(32).optional(),
  location: z.enum(LOCATION_KINDS).optional(),
  generation: generationText.optional(),
  worm: booleanText.optional(),
});

const createBody = z.strictObject({
  library: z.string().min(1),
  barcode: z.string().min(1).max(32),
  count: z.number().int().min(1).max(10000).optional(),
  generation: generationNumber.optional(),
  capacityBytes: z.number().int().min(1024 * 1024).max(Number.MAX_SAFE_INTEGER).optional(),
  worm: z.boolean().optional(),
  mailSlot: z.boolean().optional(),
});

const elementsQuery = z.strictObject({ kind: z.enum(['robot', 'slot', 'mailslot', 'drive']).optional() });
const drivesQuery = z.strictObject({ library: z.string().min(1).optional() });
const unloadParams = z.object({ library: z.string(), index: countText(0xffff) });
const unloadBody = z.strictObject({ force: z.boolean().optional() });
const shelveBody = z.strictObject({ direct: z.boolean().optional() });
const unshelveBody = z.strictObject({ library: z.string().min(1).optional() });
const protectBody = z.strictObject({ on: z.boolean() });
const emptyBody = z.strictObject({});
const eventsQuery = z.strictObject({
  since: countText(Number.MAX_SAFE_INTEGER).optional(),
  limit: countText(1000).pipe(z.number().min(1)).optional(),
  follow: booleanText.optional(),
});
const noQuery = z.strictObject({});

export function managementRoutes(service: ManagementService, followers: EventFollowers, audit: AuditTrail): Route[] {
  const barcodeOf = (params: Readonly<Record<string, string>>): string => params['barcode'] ?? '';
  const routes: Route[] = [
    { method: 'GET', path: '/openapi.json', role: 'viewer', handle: () => ({ body: openApiDocument(service.version, routes) }) },
    { method: 'GET', path: '/status', role: 'viewer', handle: ({ query }) => (validate(noQuery, queryObject(query), 'query'), { body: service.status() }) },
    // The console asks it which controls to show; the CLI could print it. Nothing secret: the caller holds the token.
    { method: 'GET', path: '/whoami', role: 'viewer', handle: ({ principal }) => ({ body: { name: principal.name, role: principal.role } }) },
    { method: 'GET', path: '/libraries', role: 'viewer', handle: () => ({ body: service.libraries() }) },
    { method: 'GET', path: '/libraries/{name}', role: 'viewer', handle: ({ params }) => ({ body: service.libraryByName(params['name'] ?? '') }) },
    {
      method: 'GET',
      path: '/libraries/{name}/elements',
      role: 'viewer',
      handle: ({ params, query }) => ({ body: service.elements(params['name'] ?? '', validate(elementsQuery, queryObject(query), 'query').kind) }),
    },
    { method: 'GET', path: '/drives', role: 'viewer', handle: ({ query }) => ({ body: service.drives(validate(drivesQuery, queryObject(query), 'query').library) }) },
    {
      method: 'POST',
      path: '/drives/{library}/{index}/unload',
      role: 'operator',
      audit: 'drive.unload',
      handle: async ({ params, body }) => {
        const { library, index } = validate(unloadParams, params, 'path');
        const { force } = validate(unloadBody, body, 'body');
        return { body: { cartridge: await service.unloadDrive(library, index, force ?? false) } };
      },
    },
    { method: 'GET', path: '/cartridges', role: 'viewer', handle: ({ query }) => ({ body: service.cartridges(validate(cartridgeQuery, queryObject(query), 'query')) }) },
    {
      method: 'POST',
      path: '/cartridges',
      role: 'operator',
      audit: 'cartridge.create',
      handle: async ({ body }) => {
        const request = validate(createBody, body, 'body');
        return { status: 201, body: await service.createCartridges({ ...request, generation: request.generation as LtoGeneration | undefined }) };
      },
    },
    { method: 'GET', path: '/cartridges/{barcode}', role: 'viewer', handle: ({ params }) => ({ body: service.cartridge(barcodeOf(params)) }) },
    {
      method: 'DELETE',
      path: '/cartridges/{barcode}',
      role: 'admin',
      audit: 'cartridge.delete',
      handle: async ({ params }) => (await service.deleteCartridge(barcodeOf(params)), { status: 204 }),
    },
    {
      method: 'POST',
      path: '/cartridges/{barcode}/import',
      role: 'operator',
      audit: 'cartridge.import',
      handle: async ({ params, body }) => (validate(emptyBody, body, 'body'), { body: await service.importCartridge(barcodeOf(params)) }),
    },
    {
      method: 'POST',
      path: '/cartridges/{barcode}/export',
      role: 'operator',
      audit: 'cartridge.export',
      handle: async ({ params, body }) => (validate(emptyBody, body, 'body'), { body: await service.exportCartridge(barcodeOf(params)) }),
    },
    {
      method: 'POST',
      path: '/cartridges/{barcode}/shelve',
      role: 'operator',
      audit: 'cartridge.shelve',
      handle: async ({ params, body }) => ({ body: await service.shelveCartridge(barcodeOf(params), validate(shelveBody, body, 'body').direct ?? false) }),
    },
    {
      method: 'POST',
      path: '/cartridges/{barcode}/unshelve',
      role: 'operator',
      audit: 'cartridge.unshelve',
      handle: async ({ params, body }) => ({ body: await service.unshelveCartridge(barcodeOf(params), validate(unshelveBody, body, 'body').library) }),
    },
    {
      method: 'POST',
      path: '/cartridges/{barcode}/protect',
      role: 'admin',
      audit: 'cartridge.protect',
      handle: async ({ params, body }) => ({ body: await service.protectCartridge(barcodeOf(params), validate(protectBody, body, 'body').on) }),
    },
    {
      method: 'GET',
      path: '/events',
      role: 'viewer',
      handle: (context) => {
        const { since, limit, follow } = validate(eventsQuery, queryObject(context.query), 'query');
        if (follow === true) return streamEvents(followers, context, since);
        return { body: service.events(since ?? 0, limit ?? 100) };
      },
    },
    ...securityRoutes(service, audit),
  ];
  return routes;
}

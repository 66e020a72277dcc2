// The management API's routes (under /api/v1): what each takes and answers (schemas under ../schemas), the role it
// needs and, when it changes something, its audit kind. The router validates with the schemas, openapi.ts documents
// them, management-server.ts enforces the role and writes the audit log.
import { z } from 'zod';
import type { AuditTrail } from '../../library/audit-trail.js';
import type { LtoGeneration } from '../../library/lto.js';
import {
  CartridgeQuerySchema,
  CartridgeSchema,
  CreateCartridgesSchema,
  DriveSchema,
  ELEMENT_KINDS,
  ElementSchema,
  EventSchema,
  LibrarySchema,
  ProtectBodySchema,
  ShelveBodySchema,
  StatusSchema,
  UnloadAnswerSchema,
  UnloadBodySchema,
  UnshelveBodySchema,
} from '../schemas/inventory-schemas.js';
import { barcodeParams, booleanText, countText, emptyBody } from '../schemas/schema-kit.js';
import { PrincipalSchema } from '../schemas/security-schemas.js';
import type { ManagementService } from '../service.js';
import type { EventFollowers } from './event-follower.js';
import { streamEvents } from './event-stream.js';
import { openApiDocument, type OpenApiDocument } from './openapi.js';
import { CHANGE_ERRORS, route, type Route } from './router.js';
import { securityRoutes } from './security-routes.js';

const libraryParams = z.strictObject({ name: z.string().describe('Library name') });
const unloadParams = z.strictObject({ library: z.string().describe('Library name'), index: countText(0xffff).describe('Drive index, from 0') });
const elementsQuery = z.strictObject({ kind: z.enum(ELEMENT_KINDS).optional().describe('Only elements of this kind') });
const drivesQuery = z.strictObject({ library: z.string().min(1).optional().describe('Only the drives of this library') });
const eventsQuery = z.strictObject({
  since: countText(Number.MAX_SAFE_INTEGER).optional().describe('Only events with a larger id'),
  limit: countText(1000).pipe(z.number().min(1)).optional().describe('At most this many, the newest (default 100)'),
  follow: booleanText.optional().describe('Stream server-sent events (each `data:` line is an Event)'),
});
const eventsHeaders = z.object({
  'last-event-id': z
    .string()
    .regex(/^\d{1,15}$/, 'must be a non-negative integer')
    .transform(Number)
    .optional()
    .describe('With follow=1: resume after this event (wins over `since`); 410 when it is no longer kept'),
});

export function managementRoutes(service: ManagementService, followers: EventFollowers, audit: AuditTrail): Route[] {
  const cartridgeAction = <B extends z.ZodObject>(
    verb: string,
    summary: string,
    role: 'operator' | 'admin',
    body: B,
    call: (barcode: string, body: z.output<B>) => Promise<z.input<typeof CartridgeSchema>>,
  ): Route =>
    route({
      method: 'POST',
      path: `/cartridges/{barcode}/${verb}`,
      summary,
      role,
      audit: `cartridge.${verb}`,
      params: barcodeParams,
      body,
      responses: { 200: CartridgeSchema },
      errors: CHANGE_ERRORS,
      handle: async ({ params, body: parsed }) => ({ body: await call(params.barcode, parsed as z.output<B>) }),
    });
  let document: OpenApiDocument | undefined;
  const routes: Route[] = [
    route({
      method: 'GET',
      path: '/openapi.json',
      summary: 'This document',
      role: 'viewer',
      responses: { 200: z.record(z.string(), z.unknown()).describe('OpenAPI 3.1 document') },
      // Made once (10 ms of CPU), at the first request: the server has added the optional parts' routes by then.
      handle: () => ({ body: (document ??= openApiDocument(service.version, routes)) }),
    }),
    route({ method: 'GET', path: '/status', summary: 'Server status: version, uptime, libraries, iSCSI sessions', role: 'viewer', responses: { 200: StatusSchema }, handle: () => ({ body: service.status() }) }),
    // The console asks it which controls to show; the CLI could print it. Nothing secret: the caller holds the token.
    route({
      method: 'GET',
      path: '/whoami',
      summary: 'The token making the request: its name and role',
      role: 'viewer',
      responses: { 200: PrincipalSchema },
      handle: ({ principal }) => ({ body: { name: principal.name, role: principal.role } }),
    }),
    route({ method: 'GET', path: '/libraries', summary: 'List libraries', role: 'viewer', responses: { 200: z.array(LibrarySchema) }, handle: () => ({ body: service.libraries() }) }),
    route({
      method: 'GET',
      path: '/libraries/{name}',
      summary: 'One library',
      role: 'viewer',
      params: libraryParams,
      responses: { 200: LibrarySchema },
      errors: [404],
      handle: ({ params }) => ({ body: service.libraryByName(params.name) }),
    }),
    route({
      method: 'GET',
      path: '/libraries/{name}/elements',
      summary: "A library's elements in address order, with their contents",
      role: 'viewer',
      params: libraryParams,
      query: elementsQuery,
      responses: { 200: z.array(ElementSchema) },
      errors: [404],
      handle: ({ params, query }) => ({ body: service.elements(params.name, query.kind) }),
    }),
    route({
      method: 'GET',
      path: '/drives',
      summary: 'Drives: loaded cartridge, position, bytes written and read',
      role: 'viewer',
      query: drivesQuery,
      responses: { 200: z.array(DriveSchema) },
      errors: [404],
      handle: ({ query }) => ({ body: service.drives(query.library) }),
    }),
    route({
      method: 'POST',
      path: '/drives/{library}/{index}/unload',
      summary: "Unload a drive and return its cartridge to its slot; `force` overrides a host's PREVENT MEDIUM REMOVAL",
      role: 'operator',
      audit: 'drive.unload',
      params: unloadParams,
      body: UnloadBodySchema,
      responses: { 200: UnloadAnswerSchema },
      errors: CHANGE_ERRORS,
      handle: async ({ params, body }) => ({ body: { cartridge: await service.unloadDrive(params.library, params.index, body.force ?? false) } }),
    }),
    route({
      method: 'GET',
      path: '/cartridges',
      summary: 'List cartridges (sorted by barcode)',
      role: 'viewer',
      query: CartridgeQuerySchema,
      responses: { 200: z.array(CartridgeSchema) },
      errors: [404],
      handle: ({ query }) => ({ body: service.cartridges({ ...query, generation: query.generation as LtoGeneration | undefined }) }),
    }),
    route({
      method: 'POST',
      path: '/cartridges',
      summary: 'Create one cartridge or a range of them in free slots (or mail slots)',
      role: 'operator',
      audit: 'cartridge.create',
      body: CreateCartridgesSchema,
      responses: { 201: z.array(CartridgeSchema).describe('The new cartridges') },
      errors: CHANGE_ERRORS,
      handle: async ({ body }) => ({ status: 201 as const, body: await service.createCartridges({ ...body, generation: body.generation as LtoGeneration | undefined }) }),
    }),
    route({
      method: 'GET',
      path: '/cartridges/{barcode}',
      summary: 'One cartridge',
      role: 'viewer',
      params: barcodeParams,
      responses: { 200: CartridgeSchema },
      errors: [404],
      handle: ({ params }) => ({ body: service.cartridge(params.barcode) }),
    }),
    route({
      method: 'DELETE',
      path: '/cartridges/{barcode}',
      summary: 'Delete a cartridge and its data (refused for WORM, locked and loaded cartridges)',
      role: 'admin',
      audit: 'cartridge.delete',
      params: barcodeParams,
      responses: { 204: null },
      errors: CHANGE_ERRORS,
      handle: async ({ params }) => (await service.deleteCartridge(params.barcode), { status: 204 as const }),
    }),
    cartridgeAction('import', 'Move a cartridge from a mail slot into the first free storage slot', 'operator', emptyBody, (barcode) => service.importCartridge(barcode)),
    cartridgeAction('export', 'Move a cartridge from a slot or drive to the first free mail slot', 'operator', emptyBody, (barcode) => service.exportCartridge(barcode)),
    cartridgeAction(
      'shelve',
      'Take a cartridge out of its mail slot to the offline shelf (`direct`: from a storage slot too)',
      'operator',
      ShelveBodySchema,
      (barcode, body) => service.shelveCartridge(barcode, body.direct ?? false),
    ),
    cartridgeAction(
      'unshelve',
      'Bring a cartridge back from the shelf into a free mail slot of its last library (or `library`)',
      'operator',
      UnshelveBodySchema,
      (barcode, body) => service.unshelveCartridge(barcode, body.library),
    ),
    cartridgeAction(
      'protect',
      'Set or clear write protection (takes effect at the next load)',
      'admin',
      ProtectBodySchema,
      (barcode, body) => service.protectCartridge(barcode, body.on),
    ),
    route({
      method: 'GET',
      path: '/events',
      summary: 'Recent library events, oldest first; with follow=1 a text/event-stream of new ones',
      role: 'viewer',
      query: eventsQuery,
      headers: eventsHeaders,
      responses: { 200: z.array(EventSchema) },
      eventStream: EventSchema,
      errors: [410],
      handle: ({ query, headers, response }) => {
        if (query.follow === true) return streamEvents(followers, response, headers['last-event-id'] ?? query.since);
        return { body: service.events(query.since ?? 0, query.limit ?? 100) };
      },
    }),
    ...securityRoutes(service, audit),
  ];
  return routes;
}

// The OpenAPI 3.1 description of /api/v1, written by hand next to the routes; a test checks that every route is
// documented and every documented operation exists. The role each operation needs is not written here: it is copied
// from the route table, so the document and the router cannot disagree.
import type { Route } from './router.js';
import { securityPaths, securitySchemas } from './openapi-security.js';
import { arrayOf, body, bool, errors, int, json, nullable, object, pathParam, queryParam, ref, str, type Json } from './openapi-schema.js';
const LIBRARY = pathParam('name', 'Library name');
const BARCODE = pathParam('barcode', 'Cartridge barcode, e.g. A00001L8');
const ELEMENT_KIND = { enum: ['robot', 'slot', 'mailslot', 'drive'] };
const GENERATION = { type: 'integer', minimum: 5, maximum: 10 };

const schemas: Record<string, Json> = {
  Error: object({ error: object({ status: int, code: str, message: str }) }),
  Session: object({
    tsih: int,
    initiator: str,
    initiatorAlias: nullable('string'),
    isid: str,
    target: nullable('string'),
    discovery: bool,
    connections: int,
    remoteAddress: str,
    activeTasks: int,
  }),
  Status: object({
    version: str,
    startedAt: { type: 'string', format: 'date-time' },
    uptimeSeconds: int,
    pid: int,
    libraries: arrayOf(
      object({ name: str, iqn: str, drives: int, mountedDrives: int, cartridges: int, freeSlots: int, freeMailSlots: int }),
    ),
    sessions: arrayOf(ref('Session')),
    catalog: object({ writable: bool, problem: { enum: ['no-space', 'io-error', null] }, since: nullable('string') }),
  }),
  Principal: object({ name: str, role: { enum: ['viewer', 'operator', 'admin'] } }),
  ElementRange: object({ first: int, count: int }),
  Library: object({
    name: str,
    iqn: str,
    slots: int,
    mailSlots: int,
    drives: int,
    cartridges: int,
    freeSlots: int,
    freeMailSlots: int,
    removalPrevented: bool,
    elementAddresses: object({ robot: ref('ElementRange'), slot: ref('ElementRange'), mailslot: ref('ElementRange'), drive: ref('ElementRange') }),
  }),
  Element: object({
    kind: ELEMENT_KIND,
    address: int,
    index: int,
    barcode: nullable('string'),
    accessible: bool,
    open: bool,
    exception: nullable('string'),
  }),
  Location: object({
    kind: { enum: ['slot', 'mailslot', 'drive', 'robot', 'shelf'] },
    library: str,
    address: nullable('integer'),
    index: nullable('integer'),
  }),
  Cartridge: object({
    barcode: str,
    generation: { type: ['integer', 'null'], minimum: 5, maximum: 10 },
    media: str,
    worm: bool,
    cleaning: bool,
    writeProtected: bool,
    capacityBytes: int,
    location: ref('Location'),
    sourceAddress: nullable('integer'),
    placedByOperator: bool,
    mediaMissing: bool,
    loadError: str,
    releasedTo: str,
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  }, ['barcode', 'generation', 'media', 'worm', 'cleaning', 'writeProtected', 'capacityBytes', 'location', 'sourceAddress', 'placedByOperator', 'mediaMissing', 'createdAt', 'updatedAt']),
  DrivePosition: object({ partition: int, blockNumber: int, fileNumber: nullable('integer') }),
  Drive: object({
    library: str,
    index: int,
    address: int,
    vendor: str,
    product: str,
    revision: str,
    serial: str,
    attached: bool,
    barcode: nullable('string'),
    mounted: bool,
    ejected: bool,
    removalPrevented: bool,
    position: { oneOf: [ref('DrivePosition'), { type: 'null' }] },
    bytesWritten: nullable('integer'),
    bytesRead: nullable('integer'),
  }),
  Event: object({
    id: int,
    type: { enum: ['cartridge-created', 'cartridge-moved', 'cartridge-deleted', 'cartridge-updated', 'drive-attached', 'removal-prevention-changed', 'copy-job-changed'] },
    library: str,
    barcode: nullable('string'),
    from: { oneOf: [ref('Location'), { type: 'null' }] },
    to: { oneOf: [ref('Location'), { type: 'null' }] },
    actor: { enum: ['operator', 'host', 'system'] },
    at: { type: 'string', format: 'date-time' },
    copy: object({ id: str, state: str, phase: str, percent: { type: 'number' }, bytesCopied: int, bytesVerified: int, physicalLibrary: nullable('string'), reason: nullable('string') }),
  }, ['id', 'type', 'library', 'barcode', 'from', 'to', 'actor', 'at']),
  CreateCartridges: object(
    {
      library: str,
      barcode: { type: 'string', description: 'The barcode, or the first of a range of `count`' },
      count: { type: 'integer', minimum: 1, maximum: 10000, default: 1 },
      generation: GENERATION,
      capacityBytes: { type: 'integer', minimum: 1048576 },
      worm: bool,
      mailSlot: { type: 'boolean', description: 'Create them in free mail slots instead of storage slots' },
    },
    ['library', 'barcode'],
  ),
};

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid request: the message names the field',
  401: 'Missing or wrong bearer token',
  403: 'The token\'s role is too weak; the message names the role needed',
  404: 'No such library, drive or cartridge',
  409: 'Refused by the library state (slot full, cartridge loaded, WORM, retention lock...)',
  410: 'The resume point (Last-Event-ID or since) is no longer kept (events-expired) or unknown (event-id-unknown)',
  503: 'The catalog cannot write: I/O error on its disk (catalog-io-error), or the audit log does not verify (audit-unavailable); nothing was changed',
  507: 'The catalog cannot write: no space left on its disk (nothing was changed; retry once space returns)',
};

export function openApiDocument(version: string, routes: readonly Route[]): Json {
  const cartridgeAction = (summary: string, requestBody?: Json): Json => ({
    post: {
      summary,
      parameters: [BARCODE],
      ...(requestBody ? { requestBody } : {}),
      responses: { '200': json(ref('Cartridge'), 'The cartridge after the operation'), ...errors(400, 401, 404, 409, 503, 507) },
    },
  });
  const document = {
    openapi: '3.1.0',
    info: { title: 'vtl management API', version, description: 'Manage the libraries, drives and cartridges of a running vtl server.' },
    servers: [{ url: '/api/v1' }],
    security: [{ bearer: [] }],
    paths: {
      '/openapi.json': { get: { summary: 'This document', responses: { '200': json({ type: 'object' }, 'OpenAPI 3.1 document'), ...errors(401) } } },
      '/status': { get: { summary: 'Server status: version, uptime, libraries, iSCSI sessions', responses: { '200': json(ref('Status'), 'Status'), ...errors(400, 401) } } },
      '/whoami': { get: { summary: 'The token making the request: its name and role', responses: { '200': json(ref('Principal'), 'The token'), ...errors(401) } } },
      '/libraries': { get: { summary: 'List libraries', responses: { '200': json(arrayOf(ref('Library')), 'Libraries'), ...errors(401) } } },
      '/libraries/{name}': { get: { summary: 'One library', parameters: [LIBRARY], responses: { '200': json(ref('Library'), 'Library'), ...errors(401, 404) } } },
      '/libraries/{name}/elements': {
        get: {
          summary: "A library's elements in address order, with their contents",
          parameters: [LIBRARY, queryParam('kind', 'Only elements of this kind', ELEMENT_KIND)],
          responses: { '200': json(arrayOf(ref('Element')), 'Elements'), ...errors(400, 401, 404) },
        },
      },
      '/drives': {
        get: {
          summary: 'Drives: loaded cartridge, position, bytes written and read',
          parameters: [queryParam('library', 'Only the drives of this library')],
          responses: { '200': json(arrayOf(ref('Drive')), 'Drives'), ...errors(400, 401, 404) },
        },
      },
      '/drives/{library}/{index}/unload': {
        post: {
          summary: "Unload a drive and return its cartridge to its slot; `force` overrides a host's PREVENT MEDIUM REMOVAL",
          parameters: [pathParam('library', 'Library name'), pathParam('index', 'Drive index, from 0', { type: 'integer', minimum: 0 })],
          requestBody: body(object({ force: bool }, [])),
          responses: { '200': json(object({ cartridge: { oneOf: [ref('Cartridge'), { type: 'null' }] } }), 'The cartridge put back, or null if the drive was empty'), ...errors(400, 401, 404, 409, 503, 507) },
        },
      },
      '/cartridges': {
        get: {
          summary: 'List cartridges (sorted by barcode)',
          parameters: [
            queryParam('library', 'In (or last in) this library'),
            queryParam('barcode', 'Barcode prefix, or a glob with * and ?'),
            queryParam('location', 'Where it is', { enum: ['slot', 'mailslot', 'drive', 'robot', 'shelf'] }),
            queryParam('generation', 'LTO generation', GENERATION),
            queryParam('worm', 'WORM or not', { enum: ['true', 'false', '1', '0'] }),
          ],
          responses: { '200': json(arrayOf(ref('Cartridge')), 'Cartridges'), ...errors(400, 401, 404) },
        },
        post: {
          summary: 'Create one cartridge or a range of them in free slots (or mail slots)',
          requestBody: body(ref('CreateCartridges'), true),
          responses: { '201': json(arrayOf(ref('Cartridge')), 'The new cartridges'), ...errors(400, 401, 404, 409, 503, 507) },
        },
      },
      '/cartridges/{barcode}': {
        get: { summary: 'One cartridge', parameters: [BARCODE], responses: { '200': json(ref('Cartridge'), 'Cartridge'), ...errors(400, 401, 404) } },
        delete: {
          summary: 'Delete a cartridge and its data (refused for WORM and loaded cartridges)',
          parameters: [BARCODE],
          responses: { '204': { description: 'Deleted' }, ...errors(400, 401, 404, 409, 503, 507) },
        },
      },
      '/cartridges/{barcode}/import': cartridgeAction('Move a cartridge from a mail slot into the first free storage slot'),
      '/cartridges/{barcode}/export': cartridgeAction('Move a cartridge from a slot or drive to the first free mail slot'),
      '/cartridges/{barcode}/shelve': cartridgeAction(
        'Take a cartridge out of its mail slot to the offline shelf (`direct`: from a storage slot too)',
        body(object({ direct: bool }, [])),
      ),
      '/cartridges/{barcode}/unshelve': cartridgeAction(
        'Bring a cartridge back from the shelf into a free mail slot of its last library (or `library`)',
        body(object({ library: str }, [])),
      ),
      '/cartridges/{barcode}/protect': cartridgeAction('Set or clear write protection (takes effect at the next load)', body(object({ on: bool }), true)),
      '/events': {
        get: {
          summary: 'Recent library events; with follow=1 a text/event-stream of new ones',
          parameters: [
            queryParam('since', 'Only events with a larger id', { type: 'integer', minimum: 0 }),
            queryParam('limit', 'At most this many (the newest)', { type: 'integer', minimum: 1, maximum: 1000, default: 100 }),
            queryParam('follow', 'Stream server-sent events (each `data:` line is an Event)', { enum: ['true', 'false', '1', '0'] }),
            {
              name: 'Last-Event-ID',
              in: 'header',
              required: false,
              description: 'With follow=1: resume after this event (wins over `since`); 410 when it is no longer kept',
              schema: { type: 'integer', minimum: 0 },
            },
          ],
          responses: {
            '200': {
              description: 'Events, oldest first',
              content: { 'application/json': { schema: arrayOf(ref('Event')) }, 'text/event-stream': { schema: str } },
            },
            ...errors(400, 401, 410),
          },
        },
      },
      ...securityPaths(),
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'The token in <dataDir>/api-token (admin), or one made with POST /tokens (its role)' } },
      schemas: { ...schemas, ...securitySchemas() },
      responses: Object.fromEntries(Object.entries(ERROR_TEXT).map(([s, d]) => [`E${s}`, json(ref('Error'), d)])),
    },
  };
  withRoles(document.paths as Record<string, Record<string, Json>>, routes);
  return document;
}

/** Each operation gets `x-vtl-role` from its route, and a 403 answer when a weaker token exists. */
function withRoles(paths: Record<string, Record<string, Json>>, routes: readonly Route[]): void {
  for (const route of routes) {
    const operation = paths[route.path]?.[route.method.toLowerCase()];
    if (operation === undefined) continue;
    operation['x-vtl-role'] = route.role;
    operation['description'] = `Needs a token with the ${route.role} role (or a stronger one).`;
    if (route.role !== 'viewer') operation['responses'] = { ...(operation['responses'] as Json), ...errors(403) };
  }
}

// The OpenAPI 3.1 description of /api/v1, generated from the route table: each operation's parameters, body and
// answers are the zod schemas the router validates with (converted by zod's own toJSONSchema), its role and audit
// kind are the route's. Named schemas (schema-kit.ts `component()`) become components/schemas and are referenced.
import { z } from 'zod';
import { ErrorSchema } from '../schemas/error-schema.js';
import { errorStatuses, type Route } from './router.js';

type Json = Record<string, unknown>;

export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: { readonly title: string; readonly version: string; readonly description: string };
  readonly paths: Record<string, Record<string, Json>>;
  readonly components: { readonly schemas: Record<string, Json>; readonly responses: Record<string, Json> } & Json;
  readonly [key: string]: unknown;
}

const ERROR_TEXT: Readonly<Record<number, string>> = {
  400: 'Invalid request: the message names the field',
  401: 'Missing or wrong bearer token',
  403: "The token's role is too weak; the message names the role needed",
  404: 'No such library, drive, cartridge, token or job',
  409: 'Refused by the library state (slot full, cartridge loaded, WORM, retention lock...)',
  410: 'The resume point (Last-Event-ID or since) is no longer kept (events-expired) or unknown (event-id-unknown)',
  413: 'The request body is over 64 KiB',
  503: 'The catalog cannot write: I/O error on its disk (catalog-io-error), or the audit log does not verify (audit-unavailable); nothing was changed',
  507: 'The catalog cannot write: no space left on its disk (nothing was changed; retry once space returns)',
};

const SUCCESS_TEXT: Readonly<Record<number, string>> = { 200: 'OK', 201: 'Created', 202: 'Accepted: the work goes on in the background', 204: 'Done; no content' };

export function openApiDocument(version: string, routes: readonly Route[]): OpenApiDocument {
  const converter = new SchemaConverter();
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route, converter);
  const errorSchema = converter.convert(ErrorSchema, 'output');
  const statuses = new Set(routes.flatMap(errorStatuses));
  return {
    openapi: '3.1.0',
    info: { title: 'vtl management API', version, description: 'Manage the libraries, drives and cartridges of a running vtl server.' },
    servers: [{ url: '/api/v1' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'The token in <dataDir>/api-token (admin), or one made with POST /tokens (its role)' } },
      schemas: Object.fromEntries(Object.entries(converter.components).sort(([a], [b]) => a.localeCompare(b))),
      responses: Object.fromEntries(
        [...statuses].sort((a, b) => a - b).map((s) => [`E${s}`, { description: ERROR_TEXT[s] ?? `HTTP ${s}`, content: { 'application/json': { schema: errorSchema } } }]),
      ),
    },
  };
}

function operation(route: Route, converter: SchemaConverter): Json {
  const parameters = [
    ...(route.params ? converter.parameters(route.params, 'path') : []),
    ...converter.parameters(route.query, 'query'),
    ...(route.headers ? converter.parameters(route.headers, 'header') : []),
  ];
  const responses: Json = {};
  for (const [status, schema] of Object.entries(route.responses)) {
    if (schema === undefined) continue;
    const content: Json = schema === null ? {} : { 'application/json': { schema: converter.convert(schema, 'output') } };
    if (route.eventStream !== undefined) {
      const item = converter.convert(route.eventStream, 'output');
      content['text/event-stream'] = { schema: { type: 'string', description: `Server-sent events; each \`data:\` line is one ${describeRef(item)}` }, 'x-vtl-data': item };
    }
    responses[status] = { description: schema?.description ?? SUCCESS_TEXT[Number(status)] ?? 'OK', ...(Object.keys(content).length > 0 ? { content } : {}) };
  }
  for (const status of errorStatuses(route)) responses[String(status)] = { $ref: `#/components/responses/E${status}` };
  return {
    summary: route.summary,
    description: `Needs a token with the ${route.role} role (or a stronger one).${route.audit !== undefined ? ` Recorded in the audit log as \`${route.audit}\`.` : ''}`,
    'x-vtl-role': route.role,
    ...(route.audit !== undefined ? { 'x-vtl-audit': route.audit } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body !== undefined ? { requestBody: { required: !isAllOptional(route.body), content: { 'application/json': { schema: converter.convert(route.body, 'input') } } } } : {}),
    responses,
  };
}

/** A body every field of which is optional may be sent empty (or left out: the server reads no body as `{}`). */
function isAllOptional(schema: z.ZodType): boolean {
  return schema.safeParse({}).success;
}

function describeRef(schema: Json): string {
  const ref = schema['$ref'];
  return typeof ref === 'string' ? (ref.split('/').pop() ?? 'value') : 'JSON value';
}

/** zod → JSON Schema, collecting the named schemas it meets into `components` and pointing `$ref`s at them. */
class SchemaConverter {
  readonly components: Record<string, Json> = {};

  convert(schema: z.ZodType, io: 'input' | 'output'): Json {
    const { $schema: _dialect, $defs, ...root } = z.toJSONSchema(schema, { io, override: tidy }) as Json & { $defs?: Record<string, Json> };
    for (const [id, definition] of Object.entries($defs ?? {})) {
      const linked = relink(definition) as Json;
      const known = this.components[id];
      // The same id converted for a request and for an answer must come out the same, or the document would lie once.
      if (known !== undefined && JSON.stringify(known) !== JSON.stringify(linked)) throw new Error(`The schema "${id}" converts differently in two places`);
      this.components[id] = linked;
    }
    return relink(root) as Json;
  }

  /** An object schema's properties as OpenAPI parameters (their description lifted to the parameter). */
  parameters(schema: z.ZodObject, where: 'path' | 'query' | 'header'): Json[] {
    const json = this.convert(schema, 'input');
    const required = new Set((json['required'] as string[] | undefined) ?? []);
    return Object.entries((json['properties'] ?? {}) as Record<string, Json>).map(([name, property]) => {
      const { description, ...rest } = property;
      return { name, in: where, required: where === 'path' || required.has(name), ...(description !== undefined ? { description } : {}), schema: rest };
    });
  }
}

/** Leaves out what says nothing to a reader: the date-time regex beside `format`, the ±2^53 bounds of every integer. */
function tidy({ jsonSchema }: { jsonSchema: Json }): void {
  if (jsonSchema['format'] === 'date-time') delete jsonSchema['pattern'];
  if (jsonSchema['minimum'] === Number.MIN_SAFE_INTEGER) delete jsonSchema['minimum'];
  if (jsonSchema['maximum'] === Number.MAX_SAFE_INTEGER) delete jsonSchema['maximum'];
}

function relink(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(relink);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [key, key === '$ref' && typeof v === 'string' ? v.replace(/^#\/\$defs\//, '#/components/schemas/') : relink(v)]),
  );
}

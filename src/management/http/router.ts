// The management API's route table: each route declares what it takes (path parameters, query, headers, body) and
// what it answers (a schema per success status, and its error statuses) as zod schemas. The router validates every
// request with them before the handler runs, openapi.ts generates the OpenAPI document from them, and the tests check
// every answer against them: one declaration, three uses that cannot disagree. Paths use the OpenAPI spelling
// (`/libraries/{name}`).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { formatPath } from '../../config/load-config.js';
import type { Principal } from '../../library/api-token-store.js';
import type { Role } from '../../library/role.js';
import { noQuery } from '../schemas/schema-kit.js';
import { HttpError } from './http-error.js';

export const METHODS = ['GET', 'POST', 'DELETE'] as const;
export type Method = (typeof METHODS)[number];

export interface RequestContext {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The parsed JSON body; `{}` when the request had none. */
  readonly body: unknown;
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  /** The token that made the request. */
  readonly principal: Principal;
}

/** A handler that wrote the response itself (server-sent events, /metrics). */
export const STREAMING = Symbol('streaming');

export type RouteResult = { readonly status?: number; readonly body?: unknown } | typeof STREAMING;

/** Success answers by status: the JSON body's schema, or null for an answer without a body (204). */
export type Responses = Readonly<Partial<Record<200 | 201 | 202 | 204, z.ZodType | null>>>;

export interface Route {
  readonly method: Method;
  /** Under /api/v1, with `{param}` segments. */
  readonly path: string;
  /** One line for the document. */
  readonly summary: string;
  /** The weakest role that may call it: the server enforces it and the OpenAPI document shows it, from this field. */
  readonly role: Role;
  /** The audit log's kind for a route that changes something (every non-GET route has one). */
  readonly audit?: string;
  /** One string property per `{param}` of the path; absent when the path has none. */
  readonly params?: z.ZodObject;
  /** The query parameters; a route that declares none refuses any (400 naming it). */
  readonly query: z.ZodObject;
  /** Request headers the route reads, named in lower case. */
  readonly headers?: z.ZodObject;
  /** The JSON body of a POST (every POST declares one, `{}` at least). */
  readonly body?: z.ZodType;
  readonly responses: Responses;
  /** Error statuses the operation itself can answer, besides those every route can (errorStatuses()). */
  readonly errors: readonly number[];
  /** With `follow=1` the answer is a text/event-stream whose `data:` lines each hold one of these. */
  readonly eventStream?: z.ZodType;
  handle(context: RequestContext): RouteResult | Promise<RouteResult>;
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : Record<string, never>;
/** What a schema accepts, with arrays and properties readonly: the service's readonly views pass as they are. */
type Readable<T> = T extends readonly (infer U)[] ? readonly Readable<U>[] : T extends object ? { readonly [K in keyof T]: Readable<T[K]> } : T;

/** What a typed handler may return: one of the declared statuses with its body (200 may leave the status out). */
export type Reply<R extends Responses> =
  | typeof STREAMING
  | { [S in keyof R]: R[S] extends z.ZodType ? { readonly status: S; readonly body: Readable<z.input<R[S]>> } : { readonly status: S; readonly body?: undefined } }[keyof R]
  | (R[200] extends z.ZodType ? { readonly status?: 200; readonly body: Readable<z.input<R[200]>> } : never);

export interface TypedContext<P, Q, H, B> {
  readonly params: Parsed<P>;
  readonly query: Parsed<Q>;
  readonly headers: Parsed<H>;
  readonly body: Parsed<B>;
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly principal: Principal;
}

export interface RouteDefinition<P, Q, H, B, R extends Responses> {
  readonly method: Method;
  readonly path: string;
  readonly summary: string;
  readonly role: Role;
  readonly audit?: string;
  readonly params?: P;
  readonly query?: Q;
  readonly headers?: H;
  readonly body?: B;
  readonly responses: R;
  readonly errors?: readonly number[];
  readonly eventStream?: z.ZodType;
  handle(context: TypedContext<P, Q, H, B>): Reply<R> | Promise<Reply<R>>;
}

/**
 * A route whose handler gets its input parsed by its schemas and whose answers the compiler checks against them. The
 * table is checked when it is built: a path parameter without a schema, or a POST without a body schema, throws.
 */
export function route<
  P extends z.ZodObject | undefined = undefined,
  Q extends z.ZodObject | undefined = undefined,
  H extends z.ZodObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
  R extends Responses = Responses,
>(definition: RouteDefinition<P, Q, H, B, R>): Route {
  const { params, query, headers, body } = definition;
  const named = [...definition.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  const declared = Object.keys(params?.shape ?? {}).sort();
  if (named.join() !== declared.join()) throw new Error(`${definition.method} ${definition.path}: params declares [${declared.join()}], the path has [${named.join()}]`);
  if ((definition.method === 'POST') !== (body !== undefined)) throw new Error(`${definition.method} ${definition.path}: a POST, and only a POST, declares a body`);
  return {
    method: definition.method,
    path: definition.path,
    summary: definition.summary,
    role: definition.role,
    ...(definition.audit !== undefined ? { audit: definition.audit } : {}),
    ...(params !== undefined ? { params } : {}),
    query: query ?? noQuery,
    ...(headers !== undefined ? { headers } : {}),
    ...(body !== undefined ? { body } : {}),
    responses: definition.responses,
    errors: definition.errors ?? [],
    ...(definition.eventStream !== undefined ? { eventStream: definition.eventStream } : {}),
    handle(context) {
      const input = {
        ...context,
        params: (params ? validate(params, context.params, 'path') : {}) as Parsed<P>,
        query: validate(query ?? noQuery, queryObject(context.query), 'query') as Parsed<Q>,
        headers: (headers ? validate(headers, headerObject(context.request, Object.keys(headers.shape)), 'header') : {}) as Parsed<H>,
        body: (body ? validate(body, context.body, 'body') : {}) as Parsed<B>,
      };
      return definition.handle(input) as RouteResult | Promise<RouteResult>;
    },
  };
}

/** What a change can meet besides a bad request: an unknown name, the library's refusal, a full catalog disk. */
export const CHANGE_ERRORS = [404, 409, 507] as const;

/** Every status an operation can answer: its success statuses, its own errors, and those of the server's checks. */
export function errorStatuses(route: Route): number[] {
  const statuses = new Set([400, 401, ...route.errors]);
  if (route.role !== 'viewer') statuses.add(403);
  if (route.body !== undefined) statuses.add(413);
  // Changes wait for the audit log, which refuses them (503) while it does not verify.
  if (route.audit !== undefined) statuses.add(503);
  return [...statuses].sort((a, b) => a - b);
}

export type RouteMatch =
  | { readonly kind: 'found'; readonly route: Route; readonly params: Record<string, string> }
  | { readonly kind: 'wrong-method'; readonly allow: readonly Method[] }
  | { readonly kind: 'none' };

export function matchRoute(routes: readonly Route[], method: string, pathname: string): RouteMatch {
  const segments = pathname.split('/').slice(1);
  const allow: Method[] = [];
  for (const route of routes) {
    const params = matchPath(route.path, segments);
    if (params === undefined) continue;
    if (route.method === method) return { kind: 'found', route, params };
    allow.push(route.method);
  }
  return allow.length > 0 ? { kind: 'wrong-method', allow } : { kind: 'none' };
}

function matchPath(pattern: string, segments: readonly string[]): Record<string, string> | undefined {
  const parts = pattern.split('/').slice(1);
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    const segment = segments[i] ?? '';
    if (part.startsWith('{') && part.endsWith('}')) {
      let value: string;
      try {
        value = decodeURIComponent(segment);
      } catch {
        return undefined;
      }
      if (value === '') return undefined;
      params[part.slice(1, -1)] = value;
    } else if (part !== segment) {
      return undefined;
    }
  }
  return params;
}

/** Validate request input; a failure is a 400 naming every bad field, e.g. `body.count: Too small: ...`. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'path' | 'header'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, ...issue.keys] : issue.path;
    const message = issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message;
    return `${formatPath([where, ...path])}: ${message}`;
  });
  throw new HttpError(400, 'invalid-request', problems.join('; '));
}

/** URLSearchParams as a plain object (the last value wins), for zod. */
export function queryObject(query: URLSearchParams): Record<string, string> {
  return Object.fromEntries(query.entries());
}

/** The named request headers that are present and not empty (an empty one counts as absent). */
function headerObject(request: IncomingMessage, names: readonly string[]): Record<string, unknown> {
  const headers: Record<string, unknown> = {};
  for (const name of names) {
    const value = request.headers[name];
    if (value !== undefined && value !== '') headers[name] = value;
  }
  return headers;
}

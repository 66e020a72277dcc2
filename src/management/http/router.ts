// A route table for the management API: `/libraries/{name}` patterns (the OpenAPI spelling, so the document and the
// table can be compared), parameter extraction, and zod validation that names the offending field.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { formatPath } from '../../config/load-config.js';
import type { Principal } from '../../library/api-token-store.js';
import type { Role } from '../../library/role.js';
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

/** A handler that wrote the response itself (server-sent events). */
export const STREAMING = Symbol('streaming');

export type RouteResult = { readonly status?: number; readonly body?: unknown } | typeof STREAMING;

export interface Route {
  readonly method: Method;
  /** Under /api/v1, with `{param}` segments. */
  readonly path: string;
  /** The weakest role that may call it: the server enforces it and the OpenAPI document shows it, from this field. */
  readonly role: Role;
  /** The audit log's kind for a route that changes something (every non-GET route has one). */
  readonly audit?: string;
  handle(context: RequestContext): RouteResult | Promise<RouteResult>;
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
export function validate<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'path'): z.output<S> {
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

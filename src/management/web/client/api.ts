// The console's client for /api/v1: the same endpoints and JSON the CLI uses (cli/api-client.ts), over fetch, with the
// same types (../../schemas/api-types.ts, imported as types only: the bundle carries no zod).
import type { ErrorBody } from '../../schemas/api-types.js';
import { ApiError, type Query } from '../../api-error.js';

export { ApiError } from '../../api-error.js';

export const API_PREFIX = '/api/v1';

export class Api {
  /** Called when the server refuses the token (revoked, or the server's token file changed). */
  onUnauthorized: () => void = () => undefined;

  constructor(readonly token: string) {}

  get<T>(path: string, query: Query = {}, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', path, { query, ...(signal ? { signal } : {}) });
  }

  /** `post<CartridgeView[], CreateCartridgesBody>(...)`: a body other than `{}` needs its type named. */
  post<T, B extends object = Record<string, never>>(path: string, body?: B): Promise<T> {
    return this.request<T>('POST', path, { body: body ?? {} });
  }

  delete<T = void>(path: string, query: Query = {}): Promise<T> {
    return this.request<T>('DELETE', path, { query });
  }

  /** A raw authorised fetch (the event stream and /metrics, which are not JSON). */
  async fetch(path: string, init: RequestInit & { query?: Query } = {}): Promise<Response> {
    const url = new URL(path, location.origin);
    for (const [key, value] of Object.entries(init.query ?? {})) if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${this.token}`);
    let response: Response;
    try {
      response = await fetch(url, { ...init, headers, cache: 'no-store' });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') throw error;
      throw new ApiError(0, 'unreachable', `Cannot reach the vtl API: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (response.status === 401) this.onUnauthorized();
    return response;
  }

  private async request<T>(method: string, path: string, options: { query?: Query; body?: unknown; signal?: AbortSignal }): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await this.fetch(`${API_PREFIX}${path}`, {
      method,
      headers,
      ...(options.query ? { query: options.query } : {}),
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const text = await response.text();
    if (!response.ok) throw errorOf(response.status, text);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }
}

function errorOf(status: number, text: string): ApiError {
  try {
    const parsed = JSON.parse(text) as Partial<ErrorBody>;
    if (typeof parsed.error?.message === 'string') return new ApiError(status, parsed.error.code, parsed.error.message);
  } catch {
    // Not the API's JSON (a proxy's page): the status line says enough.
  }
  return new ApiError(status, 'error', `HTTP ${status}`);
}

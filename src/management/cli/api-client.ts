// The CLI's HTTP client for /api/v1: bearer token, JSON, and the server's error message carried as ApiError. Callers
// name the answer's type and, when they send one, the body's: both from ../schemas/api-types.ts, the types of the
// schemas the server validates with, so the CLI, the console and the server cannot drift apart. Over
// HTTPS the server is checked before the token is sent: against a CA file, or against a pinned SHA-256 fingerprint
// of its certificate (for a self-signed one).
import { once } from 'node:events';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { ApiError, type Query } from '../api-error.js';

export { ApiError } from '../api-error.js';

export interface ApiClientOptions {
  /** e.g. http://127.0.0.1:8090 (the /api/v1 prefix is added). */
  readonly baseUrl: string;
  readonly token: string;
  /** PEM of the CA that signed the server's certificate (HTTPS). */
  readonly ca?: string;
  /** The SHA-256 fingerprint of the server's certificate: `sha256:AB:CD:...` or 64 hex digits (HTTPS). */
  readonly pin?: string;
}

/** `sha256:ab:cd...` or `ABCD...` as 64 upper-case hex digits, or undefined when it is not a SHA-256 fingerprint. */
export function normalizePin(pin: string): string | undefined {
  const hex = pin.replace(/^sha256:/i, '').replace(/:/g, '').toUpperCase();
  return /^[0-9A-F]{64}$/.test(hex) ? hex : undefined;
}

export class ApiClient {
  private readonly base: string;
  private readonly options: ApiClientOptions;

  constructor(options: ApiClientOptions) {
    this.base = `${options.baseUrl.replace(/\/+$/, '')}/api/v1`;
    this.options = options;
  }

  get<T>(path: string, query: Query = {}): Promise<T> {
    return this.request<T>('GET', path, query, undefined);
  }

  /** `post<CartridgeView[], CreateCartridgesBody>(...)`: a body other than `{}` needs its type named. */
  post<T, B extends object = Record<string, never>>(path: string, body?: B): Promise<T> {
    return this.request<T>('POST', path, {}, body ?? {});
  }

  /** The answer's body, when the API sends one (most DELETEs answer 204). */
  delete<T = void>(path: string): Promise<T> {
    return this.request<T>('DELETE', path, {}, undefined);
  }

  private async request<T>(method: string, path: string, query: Query, body: unknown): Promise<T> {
    const url = new URL(`${this.base}${path}`);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = { authorization: `Bearer ${this.options.token}`, accept: 'application/json' };
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    let status: number;
    let text: string;
    try {
      const socket = url.protocol === 'https:' ? await this.trustedSocket(url) : undefined;
      // The TLS socket is already open and checked: http speaks over it, so the URL's scheme is not passed on.
      const target = { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port, path: `${url.pathname}${url.search}` };
      const request = httpRequest({ ...target, method, headers, ...(socket ? { createConnection: () => socket } : {}) });
      request.end(payload);
      const [response] = (await once(request, 'response')) as [IncomingMessage];
      const chunks: Buffer[] = [];
      for await (const chunk of response as AsyncIterable<Buffer>) chunks.push(chunk);
      status = response.statusCode ?? 0;
      text = Buffer.concat(chunks).toString('utf8');
    } catch (error) {
      if (error instanceof ApiError) throw error;
      throw new ApiError(0, 'unreachable', `Cannot reach the vtl API at ${url.origin}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (status < 200 || status > 299) throw errorOf(status, text);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /** A TLS connection whose server passed the CA check or the pin, before anything (the token) is sent on it. */
  private async trustedSocket(url: URL): Promise<TLSSocket> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const pin = this.options.pin === undefined ? undefined : normalizePin(this.options.pin);
    const socket = tlsConnect({
      host,
      port: Number(url.port || 443),
      ...(isIP(host) === 0 ? { servername: host } : {}),
      ...(this.options.ca !== undefined ? { ca: this.options.ca } : {}),
      // With a pin the fingerprint is the whole check (a self-signed certificate has no CA to chain to).
      rejectUnauthorized: pin === undefined,
    });
    await once(socket, 'secureConnect');
    if (pin !== undefined) {
      const presented = socket.getPeerCertificate().fingerprint256.replace(/:/g, '').toUpperCase();
      if (presented !== pin) {
        socket.destroy();
        throw new ApiError(0, 'untrusted', `The server at ${url.origin} presented a certificate with SHA-256 fingerprint ${presented}, not the pinned ${pin}`);
      }
    }
    return socket;
  }
}

function errorOf(status: number, text: string): ApiError {
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (typeof parsed.error?.message === 'string') {
      return new ApiError(status, typeof parsed.error.code === 'string' ? parsed.error.code : 'error', parsed.error.message);
    }
  } catch {
    // Not our JSON (a proxy's page): fall through to the status line.
  }
  return new ApiError(status, 'error', `HTTP ${status}${text.trim() === '' ? '' : `: ${text.trim().slice(0, 200)}`}`);
}

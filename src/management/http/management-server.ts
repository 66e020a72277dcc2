// The management HTTP server: bearer-token check, role check, JSON in and out, routing, audit, and one error grammar.
// On loopback (the default) plain HTTP is enough; beyond it, main.ts insists on TLS (config/api-exposure.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { formatPath } from '../../config/load-config.js';
import { FILE_TOKEN_NAME, type Principal } from '../../library/api-token-store.js';
import { AuditTrailError, type AuditTrail } from '../../library/audit-trail.js';
import { roleAllows } from '../../library/role.js';
import type { Logger } from '../../log.js';
import type { VtlMetrics } from '../metrics/vtl-metrics.js';
import type { ManagementService } from '../service.js';
import { ErrorSchema } from '../schemas/error-schema.js';
import { ConsoleAssets } from '../web/console-assets.js';
import { ensureApiToken, tokensMatch } from './api-token.js';
import { EventFollowers, type FollowerStats } from './event-follower.js';
import { errorBody, HttpError, httpErrorOf } from './http-error.js';
import { METRICS_PATH, metricsRoute, PUBLIC_SCRAPER } from './metrics-route.js';
import { managementRoutes } from './routes.js';
import { errorStatuses, matchRoute, queryObject, STREAMING, type Route, type RouteResult } from './router.js';

export const API_PREFIX = '/api/v1';
/** Requests are small JSON documents; anything larger is a mistake or an attack. */
const MAX_BODY_BYTES = 64 * 1024;

export interface ManagementServerOptions {
  readonly service: ManagementService;
  /** Routes of optional parts (staging to physical libraries). */
  readonly extraRoutes?: readonly Route[];
  readonly log: Logger;
  /** `<dataDir>/api-token`: read, or created with a new random token at the first start. */
  readonly tokenFile: string;
  /** Where every change made through the API, and every refusal of an authenticated request, is recorded. */
  readonly audit: AuditTrail;
  /** Certificate and key (PEM): the API then speaks HTTPS only, and a plain HTTP request gets no answer. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** What the server may hold unsent for one event follower (default FOLLOWER_BUFFER_LIMIT_BYTES, 256 KiB). */
  readonly followerBufferLimitBytes?: number;
  /** Served at GET /metrics (viewer role); without it /metrics is 404. */
  readonly metrics?: VtlMetrics;
  /** Let GET /metrics be read without a token (config `api.metricsPublic`; Prometheus scrapers often have none). */
  readonly metricsPublic?: boolean;
  /** Where the web console's built files are (default: the package's own); without them `/` is 404. */
  readonly consoleDirectory?: string;
  /**
   * Check every answer against what its route declares (a documented status, a body its schema accepts) before it is
   * sent; a mismatch is answered 500 and kept in `responseMismatches`. The tests turn it on; in production the
   * compiler's check of the handlers against the schemas is trusted, and lists are not parsed twice.
   */
  readonly checkResponses?: boolean;
}

export class ManagementServer {
  readonly routes: readonly Route[];
  private readonly log: Logger;
  private readonly tokenFile: string;
  private readonly server: Server | TlsServer;
  private readonly followers: EventFollowers;
  private readonly service: ManagementService;
  private readonly audit: AuditTrail;
  private readonly metricsRoute: Route | undefined;
  private readonly metricsPublic: boolean;
  private token: string | undefined;
  private console: ConsoleAssets | undefined;
  private readonly consoleDirectory: string | undefined;
  private readonly checkResponses: boolean;
  /** With `checkResponses`: each answer that did not match its route's declaration, as `METHOD path status: problem`. */
  readonly responseMismatches: string[] = [];

  constructor(options: ManagementServerOptions) {
    this.log = options.log.child({ component: 'management-api' });
    this.tokenFile = options.tokenFile;
    this.service = options.service;
    this.audit = options.audit;
    this.followers = new EventFollowers(options.service, this.log, options.followerBufferLimitBytes);
    const routes = managementRoutes(options.service, this.followers, options.audit);
    // Pushed into the same array so that GET /openapi.json lists them too.
    routes.push(...(options.extraRoutes ?? []));
    this.routes = routes;
    this.metricsRoute = options.metrics === undefined ? undefined : metricsRoute(options.metrics);
    this.metricsPublic = options.metricsPublic ?? false;
    this.consoleDirectory = options.consoleDirectory;
    this.checkResponses = options.checkResponses ?? false;
    const handler = (request: IncomingMessage, response: ServerResponse): void => {
      this.handle(request, response).catch((error: unknown) => {
        this.log.error({ err: error }, 'management request failed after the response started');
        response.destroy();
      });
    };
    this.server = options.tls ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }, handler) : createServer(handler);
  }

  /** Start listening; resolves with the bound address (port 0 picks a free port). */
  async listen(host: string, port: number): Promise<{ host: string; port: number }> {
    this.token = await ensureApiToken(this.tokenFile);
    this.console = await ConsoleAssets.load(this.consoleDirectory);
    if (this.console === undefined) this.log.warn('the web console is not built (npm run build); / answers 404');
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    // main.ts announces the address at info; the token file's place is for debugging client set-ups.
    this.log.debug({ host: address.address, port: address.port, tokenFile: this.tokenFile }, 'management API bound');
    return { host: address.address, port: address.port };
  }

  /** The event followers: their cursors and what the server holds unsent for each. */
  eventFollowers(): FollowerStats {
    return this.followers.stats();
  }

  /** Stop accepting, end open event streams and idle keep-alive connections. */
  async close(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const url = new URL(request.url ?? '/', 'http://localhost');
    let status: number;
    try {
      status = await this.dispatch(request, response, url);
    } catch (error) {
      const answer = httpErrorOf(error);
      if (answer === undefined) {
        this.log.error({ err: error, method: request.method, path: url.pathname }, 'management request failed');
        status = send(response, 500, errorBody(new HttpError(500, 'internal', 'Internal error; see the server log')));
      } else {
        status = send(response, answer.status, errorBody(answer));
      }
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    this.log.debug({ method: request.method, path: url.pathname, status, ms }, 'management request');
  }

  private async dispatch(request: IncomingMessage, response: ServerResponse, url: URL): Promise<number> {
    // The console's page and script need no token: the page signs in against the API.
    if ((request.method === 'GET' || request.method === 'HEAD') && this.console?.has(url.pathname) === true) return this.console.send(request, response, url.pathname);
    const metrics = url.pathname === METRICS_PATH ? this.metricsRoute : undefined;
    const principal = metrics !== undefined && this.metricsPublic ? PUBLIC_SCRAPER : this.authenticate(request);
    if (principal === undefined) {
      response.setHeader('www-authenticate', 'Bearer realm="vtl"');
      throw new HttpError(401, 'unauthorized', 'Missing or wrong bearer token (see <dataDir>/api-token)');
    }
    if (metrics === undefined && !url.pathname.startsWith(`${API_PREFIX}/`)) throw new HttpError(404, 'not-found', `No such endpoint: ${url.pathname}`);
    const method = request.method ?? 'GET';
    const match = metrics !== undefined ? matchRoute([metrics], method, url.pathname) : matchRoute(this.routes, method, url.pathname.slice(API_PREFIX.length));
    if (match.kind === 'none') throw new HttpError(404, 'not-found', `No such endpoint: ${url.pathname}`);
    if (match.kind === 'wrong-method') {
      response.setHeader('allow', match.allow.join(', '));
      throw new HttpError(405, 'method-not-allowed', `${method} is not allowed on ${url.pathname} (allowed: ${match.allow.join(', ')})`);
    }
    const { route, params } = match;
    let result: RouteResult;
    let body: unknown = {};
    try {
      if (!roleAllows(principal.role, route.role)) {
        throw new HttpError(403, 'forbidden', `${method} ${API_PREFIX}${route.path} needs the ${route.role} role; token "${principal.name}" has the ${principal.role} role`);
      }
      if (method !== 'GET' && method !== 'DELETE') body = await readJsonBody(request);
      if (route.audit !== undefined) await this.audit.ready();
      result = await route.handle({ params, query: url.searchParams, body, request, response, principal });
      if (route.audit !== undefined) await this.record(route, params, principal, 'done', { status: result === STREAMING ? 200 : (result.status ?? 200), request: body, query: queryObject(url.searchParams) });
    } catch (error) {
      const answer = httpErrorOf(error);
      if (route.audit !== undefined && answer !== undefined && !(error instanceof AuditTrailError)) {
        await this.record(route, params, principal, 'refused', { status: answer.status, code: answer.code, message: answer.message, request: body, query: queryObject(url.searchParams) });
      }
      if (answer !== undefined) this.check(route, answer.status, errorBody(answer));
      throw error;
    }
    if (result === STREAMING) return 200;
    this.check(route, result.status ?? 200, result.body);
    return send(response, result.status ?? 200, result.body);
  }

  /** With `checkResponses`: throws (so the answer becomes a 500) when the status or body is not what the route declares. */
  private check(route: Route, status: number, body: unknown): void {
    if (!this.checkResponses) return;
    const declared = status < 400 ? route.responses[status as keyof Route['responses']] : errorStatuses(route).includes(status) ? ErrorSchema : undefined;
    let problem: string | undefined;
    if (declared === undefined) problem = 'status not declared';
    else if (declared === null) problem = body === undefined ? undefined : 'a body where none is declared';
    else {
      const result = declared.safeParse(body);
      if (!result.success) problem = result.error.issues.map((i) => `${formatPath(['body', ...i.path])}: ${i.message}`).join('; ');
    }
    if (problem === undefined) return;
    const mismatch = `${route.method} ${route.path} ${status}: ${problem}`;
    this.responseMismatches.push(mismatch);
    throw new Error(`The answer does not match its route's declaration: ${mismatch}`);
  }

  /** The change (or refusal) goes to the audit log; a log that cannot be written is logged, not hidden from the caller's answer. */
  private async record(route: Route, params: Readonly<Record<string, string>>, principal: Principal, outcome: 'done' | 'refused', detail: Record<string, unknown>): Promise<void> {
    try {
      await this.audit.record({
        kind: route.audit ?? route.path,
        outcome,
        actor: principal.name,
        ...(params['barcode'] !== undefined ? { barcode: params['barcode'] } : {}),
        detail: { ...detail, ...(detail['request'] !== undefined ? { request: bounded(detail['request']) } : {}), params },
      });
    } catch (error) {
      this.log.error({ err: error, kind: route.audit, outcome, actor: principal.name }, 'could not write the audit log');
    }
  }

  /** The file token is the first admin; every other token is looked up (by hash) in the catalog. */
  private authenticate(request: IncomingMessage): Principal | undefined {
    const header = request.headers.authorization;
    if (this.token === undefined || header === undefined) return undefined;
    const secret = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
    if (secret === undefined) return undefined;
    if (tokensMatch(this.token, secret)) return { name: FILE_TOKEN_NAME, role: 'admin' };
    return this.service.authenticate(secret);
  }
}

/** Request bodies go into the audit log whole only when small: a token holder must not fill the disk with refusals. */
const AUDITED_BODY_BYTES = 2048;

function bounded(body: unknown): unknown {
  const bytes = Buffer.byteLength(JSON.stringify(body));
  return bytes <= AUDITED_BODY_BYTES ? body : { truncated: true, bytes };
}

function send(response: ServerResponse, status: number, body: unknown): number {
  if (response.headersSent) {
    response.end();
    return status;
  }
  if (status === 204 || body === undefined) {
    response.writeHead(status).end();
    return status;
  }
  const text = `${JSON.stringify(body, null, 2)}\n`;
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
  return status;
}

async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new HttpError(413, 'too-large', `Request body over ${MAX_BODY_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    length += chunk.length;
    // Checked while reading too: a chunked body has no Content-Length to trust.
    if (length > MAX_BODY_BYTES) throw new HttpError(413, 'too-large', `Request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'invalid-request', 'body: not valid JSON');
  }
}

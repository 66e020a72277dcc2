// The web console's files, served by the API's listener: `/` is the page, `/console/<file>` its script, style and
// source map. They are read into memory once (a few hundred kB) and answered without a token: they hold no secret,
// and the page signs in with a token the user types, against the API. Built by scripts/build-console.js into
// dist/src/management/web/assets/ (beside this module once compiled).
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CONSOLE_PREFIX = '/console/';
/** The files without which there is no console: the page and its script. */
const REQUIRED = ['index.html', 'console.js'] as const;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * Everything the page loads comes from this origin (no CDN, no inline script or style): a stolen page cannot pull a
 * script from elsewhere or send the token elsewhere, and no other site may frame the console.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

interface Asset {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
}

export function defaultConsoleDirectory(): string {
  return fileURLToPath(new URL('./assets/', import.meta.url));
}

export class ConsoleAssets {
  private constructor(private readonly assets: ReadonlyMap<string, Asset>) {}

  /** The console in `directory`, or undefined when it was not built there (a build without the console). */
  static async load(directory: string = defaultConsoleDirectory()): Promise<ConsoleAssets | undefined> {
    let names: string[];
    try {
      names = await readdir(directory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    if (!REQUIRED.every((name) => names.includes(name))) return undefined;
    const assets = new Map<string, Asset>();
    for (const name of names) {
      const contentType = CONTENT_TYPES[extname(name)];
      if (contentType === undefined) continue;
      const body = await readFile(join(directory, name));
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
      assets.set(name === 'index.html' ? '/' : `${CONSOLE_PREFIX}${name}`, { body, contentType, etag });
    }
    return new ConsoleAssets(assets);
  }

  /** Whether `pathname` is one of the console's files. */
  has(pathname: string): boolean {
    return this.assets.has(pathname);
  }

  /** Answer a GET or HEAD of one of the console's files; returns the status sent. */
  send(request: IncomingMessage, response: ServerResponse, pathname: string): number {
    const asset = this.assets.get(pathname);
    if (asset === undefined) throw new Error(`Not a console file: ${pathname}`);
    // no-cache: the browser revalidates with the ETag, so an upgraded server is never shown with a stale script.
    const headers = { ...SECURITY_HEADERS, 'cache-control': 'no-cache', etag: asset.etag };
    if (request.headers['if-none-match'] === asset.etag) {
      response.writeHead(304, headers).end();
      return 304;
    }
    response.writeHead(200, { ...headers, 'content-type': asset.contentType, 'content-length': asset.body.length });
    response.end(request.method === 'HEAD' ? undefined : asset.body);
    return 200;
  }
}

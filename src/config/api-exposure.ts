// Tokens must not cross a network in clear: an API listening beyond loopback needs TLS, or an explicit
// `--insecure-api` (or `api.insecure: true`) from whoever accepts that risk. The TLS files are checked here too.
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { createSecureContext } from 'node:tls';
import { ConfigError } from './load-config.js';
import type { VtlConfig } from './schema.js';

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1';
}

/** Throws a ConfigError when the API would serve plain HTTP beyond loopback without the operator's say-so. */
export function checkApiExposure(config: VtlConfig): void {
  if (!config.api.enabled || config.api.tls !== undefined || config.api.insecure) return;
  const host = config.api.listen.slice(0, config.api.listen.lastIndexOf(':'));
  if (isLoopbackHost(host)) return;
  throw new ConfigError([
    {
      file: 'configuration',
      line: undefined,
      column: undefined,
      path: 'api.listen',
      message: `${config.api.listen} is not a loopback address: give api.tls (cert and key) or start with --insecure-api`,
    },
  ]);
}

/** The API's certificate and key, read and checked before anything starts; a problem names the field and the file. */
export async function loadApiTls(paths: { readonly cert: string; readonly key: string }): Promise<{ cert: Buffer; key: Buffer }> {
  const problem = (path: string, message: string): ConfigError => new ConfigError([{ file: 'configuration', line: undefined, column: undefined, path, message }]);
  const read = async (field: 'cert' | 'key'): Promise<Buffer> => {
    try {
      return await readFile(paths[field]);
    } catch (error) {
      throw problem(`api.tls.${field}`, `cannot read ${paths[field]}: ${(error as Error).message}`);
    }
  };
  const cert = await read('cert');
  const key = await read('key');
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    throw problem('api.tls', `${paths.cert} and ${paths.key} are not a PEM certificate and its private key: ${(error as Error).message}`);
  }
  return { cert, key };
}

// Where the CLI finds the API and its token: flags first, then environment, then the config file, then defaults
// (http://127.0.0.1:8090 and ./vtl-data/api-token, what `vtl serve` uses without a config).
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadConfig } from '../../config/load-config.js';
import { apiTokenPath, readApiToken } from '../http/api-token.js';
import { normalizePin } from './api-client.js';

export interface ClientFlags {
  readonly api?: string;
  readonly token?: string;
  readonly config?: string;
  readonly dataDir?: string;
  readonly ca?: string;
  readonly pin?: string;
}

export interface ClientSettings {
  readonly baseUrl: string;
  readonly token: string;
  /** PEM text of the CA file. */
  readonly ca?: string;
  readonly pin?: string;
}

/** A problem the user fixes with flags (exit code 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export async function resolveClientSettings(flags: ClientFlags, env: NodeJS.ProcessEnv): Promise<ClientSettings> {
  const configFile = flags.config ?? env['VTL_CONFIG'];
  const config = configFile === undefined ? undefined : await loadConfig(configFile);
  const listen = config?.api.listen;
  const scheme = config?.api.tls === undefined ? 'http' : 'https';
  const baseUrl = normalizeUrl(flags.api ?? env['VTL_API'] ?? (listen === undefined ? 'http://127.0.0.1:8090' : `${scheme}://${reachable(listen)}`));
  const trust = await serverTrust(baseUrl, flags.ca ?? env['VTL_CA'], flags.pin ?? env['VTL_PIN']);
  const explicit = flags.token ?? env['VTL_TOKEN'];
  if (explicit !== undefined && explicit !== '') return { baseUrl, token: explicit, ...trust };
  const dataDir = flags.dataDir ?? env['VTL_DATA_DIR'] ?? config?.server.dataDir ?? './vtl-data';
  const file = resolve(apiTokenPath(dataDir));
  let token: string | undefined;
  try {
    token = await readApiToken(file);
  } catch (error) {
    throw new UsageError(`Cannot read the API token in ${file} (${(error as Error).message}); pass --token or set VTL_TOKEN`);
  }
  if (token === undefined) {
    throw new UsageError(`No API token: ${file} does not exist (has \`vtl serve\` run with this data directory?); pass --token, set VTL_TOKEN or --data-dir`);
  }
  return { baseUrl, token, ...trust };
}

async function serverTrust(baseUrl: string, caFile: string | undefined, pin: string | undefined): Promise<{ ca?: string; pin?: string }> {
  if (caFile === undefined && pin === undefined) return {};
  if (!baseUrl.startsWith('https:')) throw new UsageError(`--ca and --pin check an HTTPS server; ${baseUrl} is plain HTTP`);
  if (pin !== undefined && normalizePin(pin) === undefined) throw new UsageError(`--pin "${pin}" is not a SHA-256 fingerprint (sha256:AB:CD:... or 64 hex digits)`);
  if (caFile === undefined) return pin === undefined ? {} : { pin };
  let ca: string;
  try {
    ca = await readFile(caFile, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read the CA file ${caFile} (${(error as Error).message})`);
  }
  return { ca, ...(pin !== undefined ? { pin } : {}) };
}

function normalizeUrl(url: string): string {
  const withScheme = /^https?:\/\//i.test(url) ? url : `http://${url}`;
  try {
    return new URL(withScheme).origin;
  } catch {
    throw new UsageError(`--api "${url}" is not a URL (e.g. http://127.0.0.1:8090)`);
  }
}

/** A server listening on every address is reached through loopback. */
function reachable(listen: string): string {
  if (listen.startsWith('0.0.0.0:')) return `127.0.0.1:${listen.slice('0.0.0.0:'.length)}`;
  if (listen.startsWith('[::]:')) return `[::1]:${listen.slice('[::]:'.length)}`;
  return listen;
}

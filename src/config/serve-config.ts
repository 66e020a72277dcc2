// `vtl serve`'s configuration: the file (or the embedded default) with the command-line flags on top, validated by
// the same schema.
import { ConfigError, formatPath, loadConfig } from './load-config.js';
import { configSchema, defaultConfig, type VtlConfig } from './schema.js';

export interface ServeFlags {
  readonly config?: string;
  readonly dataDir?: string;
  readonly listen?: string;
  readonly apiListen?: string;
  readonly logLevel?: string;
  readonly insecureApi?: boolean;
}

const FLAG_OF_FIELD: Readonly<Record<string, string>> = {
  'server.dataDir': '--data-dir',
  'server.listen': '--listen',
  'server.logLevel': '--log-level',
  'api.listen': '--api-listen',
};

/**
 * The configuration `vtl serve` runs with: `--config` (or $VTL_CONFIG) or the embedded default, with the flags on
 * top, validated by the same schema; a bad flag is reported as `command line: --listen: must be HOST:PORT...`.
 */
export async function resolveServeConfig(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): Promise<VtlConfig> {
  const file = flags.config ?? env['VTL_CONFIG'];
  return applyServeFlags(file === undefined || file === '' ? defaultConfig() : await loadConfig(file), flags);
}

export function applyServeFlags(config: VtlConfig, flags: ServeFlags): VtlConfig {
  const candidate = {
    ...config,
    server: {
      ...config.server,
      ...(flags.dataDir !== undefined ? { dataDir: flags.dataDir } : {}),
      ...(flags.listen !== undefined ? { listen: flags.listen } : {}),
      ...(flags.logLevel !== undefined ? { logLevel: flags.logLevel } : {}),
    },
    api: { ...config.api, ...(flags.apiListen !== undefined ? { listen: flags.apiListen } : {}), ...(flags.insecureApi === true ? { insecure: true } : {}) },
  };
  const result = configSchema.safeParse(candidate);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const field = formatPath(issue.path);
      return { file: 'command line', line: undefined, column: undefined, path: FLAG_OF_FIELD[field] ?? field, message: issue.message };
    }),
  );
}

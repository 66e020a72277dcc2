#!/usr/bin/env -S node --max-semi-space-size=8
// The `vtl` command, and `vtl serve` as a process: configuration errors and signals become exit codes and a clean
// shutdown. What a server is made of (the composition root) is start-server.ts.
import './thread-pool.js'; // first: before anything uses the libuv thread pool
import { Command } from 'commander';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkApiExposure } from './config/api-exposure.js';
import { ConfigError } from './config/load-config.js';
import { resolveServeConfig, type ServeFlags } from './config/serve-config.js';
import type { VtlConfig } from './config/schema.js';
import { createLogger } from './log.js';
import { registerManagementCommands } from './management/cli/register.js';
import { rotateKey } from './rotate-key.js';
import { parseHostPort, startServer, VERSION, type RunningServer } from './start-server.js';

type ServeOptions = ServeFlags;

async function serve(options: ServeOptions): Promise<void> {
  let config: VtlConfig;
  try {
    config = await resolveServeConfig(options);
    checkApiExposure(config);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
  const log = createLogger({ level: config.server.logLevel });
  // The handlers go in before anything starts: a SIGTERM while the server is still starting (a service manager
  // stopping it, a test) must shut it down cleanly once it has started, not kill it half-started.
  let server: RunningServer | undefined;
  let signalled: string | undefined;
  let closing = false;
  const shutDown = (running: RunningServer, signal: string): void => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    running.close().then(
      () => {
        log.info('stopped');
        log.flush();
        process.exitCode = 0;
      },
      (err: unknown) => {
        log.error({ err }, 'error during shutdown');
        log.flush();
        process.exitCode = 1;
      },
    );
  };
  const onSignal = (signal: string): void => {
    signalled ??= signal;
    if (server) shutDown(server, signal);
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  try {
    server = await startServer(config, log);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 2;
    process.removeAllListeners('SIGINT').removeAllListeners('SIGTERM');
    return;
  }
  if (signalled !== undefined) shutDown(server, signalled);
}

export function buildProgram(): Command {
  const program = new Command();
  program.name('vtl').description('A virtual tape library: SCSI media changer and LTO drives over iSCSI').version(VERSION);
  program
    .command('serve')
    .description('start the iSCSI target and the management API (the embedded default library without --config)')
    .option('-c, --config <file>', 'YAML configuration file')
    .option('-d, --data-dir <dir>', 'where cartridges and the catalog live (default ./vtl-data)')
    .option('-l, --listen <host:port>', 'iSCSI portal (default 127.0.0.1:3260)', (v) => (parseHostPort(v), v))
    .option('--api-listen <host:port>', 'management API address (default 127.0.0.1:8090)', (v) => (parseHostPort(v), v))
    .option('--log-level <level>', 'fatal, error, warn, info, debug or trace')
    .option('--insecure-api', 'serve the API over plain HTTP on a non-loopback address (tokens cross the network in clear)')
    .action(async (options: ServeOptions) => serve(options));
  program
    .command('key')
    .description('encryption at rest (docs/SECURITY.md)')
    .command('rotate')
    .description('re-wrap every cartridge data key under a new master key (run with vtl stopped; no data is rewritten)')
    .option('-c, --config <file>', 'YAML configuration file (its encryption.masterKeyFile, or VTL_MASTER_KEY, is the current key)')
    .option('-d, --data-dir <dir>', 'where cartridges and the catalog live (default ./vtl-data)')
    .requiredOption('--new-key-file <file>', 'the new master key (64 hex digits); point the config at it afterwards')
    .action(async (options: ServeFlags & { newKeyFile: string }) => rotateKey(options));
  registerManagementCommands(program);
  return program;
}

// Run as the `vtl` bin (possibly through npm's symlink), not when imported by tests.
const invokedDirectly = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === realpathSync(process.argv[1]);
if (invokedDirectly) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      process.stderr.write(`vtl: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    });
}

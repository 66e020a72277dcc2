// The operator commands of `vtl` (status, library, tape, drive): each calls the management API and prints a table,
// or the raw JSON with --json. Exit codes: 0 done, 1 the API refused or failed (its message on stderr), 2 usage.
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../../config/load-config.js';
import { ApiClient, ApiError } from './api-client.js';
import { resolveClientSettings, UsageError, type ClientFlags } from './client-options.js';
import { registerInventoryCommands } from './inventory-commands.js';
import { registerRetentionCommands } from './retention-commands.js';
import { AuditVerifyFailed, registerSecurityCommands } from './security-commands.js';
import { registerStagingCommands } from './staging-commands.js';
import { registerDedupCommands } from './dedup-commands.js';
import { registerTapeCommands } from './tape-commands.js';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Ends the command with this exit code; must not return (tests throw). */
  readonly exit: (code: number) => never;
  readonly env: NodeJS.ProcessEnv;
}

/** What a command action gets: its API client, how to print, and its flags. */
export interface CliContext {
  readonly client: ApiClient;
  readonly json: boolean;
  /** Print `value` as JSON with --json, else the human text. */
  readonly print: (value: unknown, human: () => string) => void;
  /** Refuse the command line (exit code 2). */
  readonly usage: (message: string) => never;
}

export type CommandAction = (context: CliContext, args: readonly string[], options: Record<string, unknown>) => Promise<void>;

/** Adds a leaf command with the connection flags and the CLI's error handling. */
export type LeafFactory = (parent: Command, nameAndArgs: string, description: string) => Command;
export type ActionBinder = (command: Command, action: CommandAction) => Command;

export interface ManagementCommandsOptions {
  readonly io?: Partial<CliIo>;
}

const EXIT_API = 1;
const EXIT_USAGE = 2;

export function registerManagementCommands(program: Command, options: ManagementCommandsOptions = {}): void {
  const io: CliIo = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    exit: (code) => process.exit(code),
    env: process.env,
    ...options.io,
  };

  const configure = (command: Command): Command =>
    command
      .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
      .exitOverride((error: CommanderError) => {
        // Commander reports its own usage errors with exit code 1; ours are 2, API failures 1.
        if (error.exitCode === 0) io.exit(0);
        io.exit(error.code === 'vtl.api' ? EXIT_API : EXIT_USAGE);
      });

  const group = (name: string, description: string): Command => configure(program.command(name).description(description));

  const leaf: LeafFactory = (parent, nameAndArgs, description) =>
    configure(parent.command(nameAndArgs).description(description))
      .option('--json', 'print the raw JSON the API returned')
      .option('--api <url>', 'management API URL (default: $VTL_API, the config file, or http://127.0.0.1:8090)')
      .option('--token <token>', 'API token (default: $VTL_TOKEN, or <data-dir>/api-token)')
      .option('--config <file>', 'read the API address and data directory from this config file (default: $VTL_CONFIG)')
      .option('--data-dir <dir>', 'where to find api-token (default: $VTL_DATA_DIR, the config file, or ./vtl-data)')
      .option('--ca <file>', 'HTTPS: trust the server if this CA (PEM) signed its certificate (default: $VTL_CA)')
      .option('--pin <sha256:fingerprint>', "HTTPS: trust the server if its certificate's SHA-256 fingerprint is this (default: $VTL_PIN)");

  const bind: ActionBinder = (command, action) =>
    command.action(async (...received: unknown[]) => {
      const self = received[received.length - 1] as Command;
      const flags = self.opts<ClientFlags & { json?: boolean } & Record<string, unknown>>();
      const args = self.args.slice(0, self.registeredArguments.length);
      const usage = (message: string): never => {
        self.error(`vtl: ${message}`, { exitCode: EXIT_USAGE, code: 'vtl.usage' });
        throw new Error('unreachable');
      };
      try {
        const client = new ApiClient(await resolveClientSettings(flags, io.env));
        const context: CliContext = {
          client,
          json: flags.json === true,
          print: (value, human) => io.stdout(flags.json === true ? `${JSON.stringify(value, null, 2)}\n` : human()),
          usage,
        };
        await action(context, args, flags);
      } catch (error) {
        if (error instanceof CommanderError) throw error;
        if (error instanceof ApiError || error instanceof AuditVerifyFailed) self.error(`vtl: ${error.message}`, { exitCode: EXIT_API, code: 'vtl.api' });
        if (error instanceof UsageError || error instanceof ConfigError) usage(error.message);
        throw error;
      }
    });

  registerInventoryCommands(program, { group, leaf, bind });
  registerSecurityCommands({ group, leaf, bind });
  const tape = group('tape', 'cartridges: list, create, import, export, shelve, unshelve, delete, protect, retain, release');
  registerTapeCommands(tape, { leaf, bind });
  registerRetentionCommands(tape, { leaf, bind });
  registerStagingCommands({ group, leaf, bind });
  registerDedupCommands({ group, leaf, bind });
}

export interface CommandBuilders {
  readonly group: (name: string, description: string) => Command;
  readonly leaf: LeafFactory;
  readonly bind: ActionBinder;
}

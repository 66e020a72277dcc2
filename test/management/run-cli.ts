// Runs the `vtl` management commands in-process, capturing output and the exit code.
import { Command } from 'commander';
import { registerManagementCommands } from '../../src/management/cli/register.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

class CliExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export async function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const program = new Command('vtl');
  program.configureOutput({ writeOut: (t) => (stdout += t), writeErr: (t) => (stderr += t) });
  program.exitOverride();
  registerManagementCommands(program, {
    io: {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      exit: (code) => {
        throw new CliExit(code);
      },
      env,
    },
  });
  let code = 0;
  try {
    await program.parseAsync(['node', 'vtl', ...args]);
  } catch (error) {
    if (error instanceof CliExit) code = error.code;
    else throw error;
  }
  return { code, stdout, stderr };
}

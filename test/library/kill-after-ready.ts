// Shared by the catalog crash tests (crash-recovery.test.ts, catalog-crash.ts): start a child that prints "ready"
// once it is working, let it run, then SIGKILL it.
import { spawn } from 'node:child_process';

/** Runs `script` with `args`; SIGKILLs it `delayMs` after it printed "ready". A child that exits by itself fails. */
export function killAfterReady(script: string, args: readonly string[], delayMs: number, name: string, loader: readonly string[] = []): Promise<void> {
  const child = spawn(process.execPath, [...process.execArgv, ...loader, script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    let killed = false;
    child.stdout.on('data', (d: Buffer) => {
      if (!killed && d.toString().includes('ready')) {
        killed = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`${name} exited with ${code}: ${stderr}`));
    });
  });
}

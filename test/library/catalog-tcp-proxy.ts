// A TCP forwarder in its own process, to cut a node off from PostgreSQL in tests: SIGSTOP makes the database
// silent (connections hang, as behind a dead link), SIGCONT brings it back, SIGKILL refuses it. Run as
// `node catalog-tcp-proxy.js TARGET_PORT`; prints its own port. Without an argument it does nothing.
import { createConnection, createServer } from 'node:net';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn, type ChildProcess } from 'node:child_process';

export interface TcpProxy {
  readonly port: number;
  readonly process: ChildProcess;
}

/** Start a proxy to 127.0.0.1:`targetPort`. */
export function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const here = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, [join(here, '..', `catalog-tcp-proxy${extname(here)}`), String(targetPort)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout?.once('data', (d: Buffer) => resolve({ port: Number(d.toString().trim()), process: child }));
    child.once('exit', (code) => reject(new Error(`the proxy exited with ${code}`)));
  });
}

const target = process.argv[2];
if (target !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: Number(target) });
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
  });
}

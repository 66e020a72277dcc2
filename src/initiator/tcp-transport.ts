// The initiator's one use of node:net: a TCP connection to a portal, with a time limit on connecting.
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { IscsiConnectionError } from './initiator-errors.js';

export type TransportFactory = (host: string, port: number, timeoutMs: number) => Promise<Duplex>;

export const openTcpTransport: TransportFactory = (host, port, timeoutMs) =>
  new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true });
    const fail = (err: Error): void => {
      socket.destroy();
      reject(new IscsiConnectionError(`cannot connect to ${host}:${port}: ${err.message}`, { cause: err }));
    };
    const timer = setTimeout(() => fail(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.once('error', (err) => {
      clearTimeout(timer);
      fail(err);
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });

/** "host:port" or "[v6]:port", port 3260 when absent. */
export function parsePortal(portal: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(portal);
  if (!m) throw new Error(`"${portal}" is not a portal (HOST[:PORT])`);
  return { host: m[1] ?? m[2], port: m[3] === undefined ? 3260 : Number(m[3]) };
}

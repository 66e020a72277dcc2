// A normal iSCSI session to one target that survives a dropped connection: the next command logs in again with the
// same ISID and TSIH 0, which makes the target reinstate the session (RFC 7143 6.3.5) and end whatever the old
// connection left behind. Commands in flight when a connection dies fail with IscsiConnectionError and are never
// repeated here: only the caller knows whether a command may run twice (a tape WRITE may not).
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { IscsiConnectionError, IscsiTimeoutError } from './initiator-errors.js';
import { IscsiConnection } from './iscsi-connection.js';
import { LoginFailedError, type ChapCredentials, type NegotiatedParameters } from './login.js';
import type { ScsiRequest, ScsiResult } from './scsi-task.js';
import { openTcpTransport, type TransportFactory } from './tcp-transport.js';

export interface SessionOptions {
  readonly host: string;
  readonly port: number;
  readonly initiatorName: string;
  /** Absent for a discovery session. */
  readonly targetName?: string;
  readonly chap?: ChapCredentials;
  readonly headerDigest?: boolean;
  readonly dataDigest?: boolean;
  /** Largest Data-In segment we accept (default 256 KiB). */
  readonly maxRecvDataSegmentLength?: number;
  readonly connectTimeoutMs?: number;
  /** Default time limit of a command (default 10 minutes: a physical drive rewinds and locates for minutes). */
  readonly commandTimeoutMs?: number;
  /** Login attempts per (re)connection before the error goes to the caller (default 3), `retryDelayMs` apart. */
  readonly loginAttempts?: number;
  readonly retryDelayMs?: number;
  readonly transport?: TransportFactory;
}

export class IscsiSession {
  /** Six bytes, random type (RFC 7143 10.12.5): the same for the life of this object so reconnects reinstate. */
  readonly isid: Buffer;
  private connection: IscsiConnection | undefined;
  private connecting: Promise<IscsiConnection> | undefined;
  private closedByUser = false;
  /** Connections made after the first (for status views and tests). */
  reconnects = 0;

  constructor(readonly options: SessionOptions) {
    this.isid = Buffer.concat([Buffer.from([0x80]), randomBytes(5)]);
  }

  get negotiated(): NegotiatedParameters | undefined {
    return this.connection?.negotiated;
  }

  get connected(): boolean {
    return this.connection?.isOpen === true;
  }

  /** Logs in now (the first command would do it anyway); rejects with the login or connection error. */
  async open(): Promise<void> {
    await this.ready();
  }

  async execute(request: ScsiRequest, timeoutMs = this.options.commandTimeoutMs ?? 600_000): Promise<ScsiResult> {
    const connection = await this.ready();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new IscsiTimeoutError(`the command 0x${request.cdb[0].toString(16)} got no answer within ${timeoutMs} ms`);
        // ErrorRecoveryLevel 0 has no way to end one task but to end the connection (and so its session).
        connection.close(err);
        reject(err);
      }, timeoutMs);
    });
    try {
      return await Promise.race([connection.execute(request), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.closedByUser = true;
    const c = this.connection ?? (await this.connecting?.catch(() => undefined));
    this.connection = undefined;
    await c?.logout();
  }

  /** Drops the connection without a logout, as a network failure would (tests and operator "reset"). */
  dropConnection(): void {
    this.connection?.close(new IscsiConnectionError('the connection was dropped'));
  }

  private async ready(): Promise<IscsiConnection> {
    if (this.closedByUser) throw new IscsiConnectionError('the session was closed');
    const current = this.connection;
    if (current?.isOpen && !current.retiring) return current;
    if (current?.retiring) await current.closed;
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connect(): Promise<IscsiConnection> {
    const attempts = this.options.loginAttempts ?? 3;
    let last: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const c = await openConnection(this.options, this.isid, this.connection?.nextCmdSN ?? 1);
        if (this.connection) this.reconnects++;
        this.connection = c;
        return c;
      } catch (err) {
        last = err;
        if (err instanceof LoginFailedError && err.permanent) throw err;
        if (attempt < attempts) await new Promise((r) => setTimeout(r, this.options.retryDelayMs ?? 1000));
      }
    }
    throw last instanceof Error ? last : new IscsiConnectionError(String(last));
  }
}

async function openConnection(o: SessionOptions, isid: Buffer, cmdSN: number): Promise<IscsiConnection> {
  const mrdsl = o.maxRecvDataSegmentLength ?? 262144;
  const transport: Duplex = await (o.transport ?? openTcpTransport)(o.host, o.port, o.connectTimeoutMs ?? 10_000);
  const c = new IscsiConnection(transport, cmdSN, mrdsl);
  try {
    await c.login({
      initiatorName: o.initiatorName,
      ...(o.targetName !== undefined ? { targetName: o.targetName } : {}),
      isid,
      tsih: 0,
      cid: 0,
      ...(o.chap ? { chap: o.chap } : {}),
      headerDigest: o.headerDigest ?? false,
      dataDigest: o.dataDigest ?? false,
      maxRecvDataSegmentLength: mrdsl,
    });
  } catch (err) {
    c.close(err instanceof Error ? err : new Error(String(err)));
    throw err;
  }
  return c;
}

/** SendTargets=All on a discovery session: the target names and their addresses. */
export async function discoverTargets(
  options: Omit<SessionOptions, 'targetName'>,
): Promise<{ name: string; addresses: string[] }[]> {
  const c = await openConnection(options, Buffer.concat([Buffer.from([0x80]), randomBytes(5)]), 1);
  try {
    const data = await c.text([['SendTargets', 'All']]);
    const out: { name: string; addresses: string[] }[] = [];
    // Several TargetName/TargetAddress pairs repeat keys, so they are read in order rather than as a map.
    for (const item of data.toString('utf8').split('\0')) {
      const [key, value] = [item.slice(0, item.indexOf('=')), item.slice(item.indexOf('=') + 1)];
      if (key === 'TargetName') out.push({ name: value, addresses: [] });
      else if (key === 'TargetAddress' && out.length > 0) out[out.length - 1].addresses.push(value);
    }
    return out;
  } finally {
    await c.logout();
  }
}

// The TCP side of the iSCSI target: accepts connections and hands each socket to an IscsiConnection.
// The only module of the transport that imports node:net.
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { Logger } from '../log.js';
import type { ChapCredentials } from './chap.js';
import { ChapBackoff } from './chap-backoff.js';
import { IscsiConnection } from './connection.js';
import { DEFAULT_LIMITS } from './negotiate.js';
import type { TransportLimits } from './negotiate.js';
import { SessionTable } from './session-table.js';
import { adoptWithReusedBuffer } from './socket-input.js';
import { PROCESS_WRITE_BUDGET, SharedWriteBudget } from './write-buffers.js';
import type { SessionSummary } from './session-table.js';
import type { TargetRegistry } from './target-registry.js';

export interface IscsiServerOptions {
  readonly registry: TargetRegistry;
  readonly log: Logger;
  readonly limits?: {
    readonly maxRecvDataSegmentLength?: number;
    readonly maxBurstLength?: number;
    readonly firstBurstLength?: number;
  };
  readonly nopInIntervalMs?: number;
  readonly nopInTimeoutMs?: number;
  readonly discoveryChap?: ChapCredentials;
  /** Require CRC32C digests: initiators that offer only None are refused (list key answered Reject). */
  readonly requireDigests?: { readonly header?: boolean; readonly data?: boolean };
  /** Write buffers one session may hold at once (default 256 MiB). */
  readonly sessionWriteBudgetBytes?: number;
  /** Write buffers all sessions together may hold at once (default 256 MiB). */
  readonly processWriteBudgetBytes?: number;
  /**
   * Connections open at once (default 64); one more is closed at accept, logged once per burst. Each costs a read
   * buffer and its output bound (docs/ISCSI.md, "Memory bounds").
   */
  readonly maxConnections?: number;
  /** Commands per session beyond ExpCmdSN (MaxCmdSN window). */
  readonly queueDepth?: number;
  /** How long close() waits for running commands. */
  readonly shutdownTimeoutMs?: number;
  /** The policy against guessing CHAP secrets (default: chap-backoff.ts CHAP_BACKOFF_POLICY on the wall clock). */
  readonly chapBackoff?: ChapBackoff;
}

export type { SessionSummary };

/**
 * Each connection reads into one buffer of this size, reused for every read: a read takes what the kernel has, up
 * to this, and the PDU reader copies it out (into the command's data-out buffer) before the next read.
 */
const READ_BUFFER_BYTES = 512 * 1024;
/** A data segment with at least this much still to come is read straight into place (one read syscall per part). */
const IN_PLACE_MIN_BYTES = 32 * 1024;
/** Default for IscsiServerOptions.maxConnections. */
export const MAX_CONNECTIONS = 64;

export class IscsiServer {
  private readonly server: Server;
  private readonly connections = new Set<IscsiConnection>();
  private readonly sessionTable: SessionTable;
  private readonly limits: TransportLimits;
  private readonly log: Logger;
  private readonly chapBackoff: ChapBackoff;
  /** Connections refused since the last one accepted: the refusal is logged once per burst, not per connection. */
  private refusedInARow = 0;

  constructor(private readonly options: IscsiServerOptions) {
    this.log = options.log.child({ component: 'iscsi' });
    this.chapBackoff = options.chapBackoff ?? new ChapBackoff(this.log);
    this.sessionTable = new SessionTable(this.log, new SharedWriteBudget(options.processWriteBudgetBytes ?? PROCESS_WRITE_BUDGET));
    this.limits = {
      ...DEFAULT_LIMITS,
      ...Object.fromEntries(Object.entries(options.limits ?? {}).filter(([, v]) => v !== undefined)),
      requireHeaderDigest: options.requireDigests?.header === true,
      requireDataDigest: options.requireDigests?.data === true,
      ...(options.sessionWriteBudgetBytes !== undefined ? { sessionWriteBudgetBytes: options.sessionWriteBudgetBytes } : {}),
    };
    // Paused so that no read (into a fresh buffer) happens before accept() moves the socket to a reused buffer.
    this.server = createServer({ noDelay: true, pauseOnConnect: true }, (socket) => this.accept(socket));
    this.server.on('error', (err) => this.log.error({ err }, 'iSCSI listener error'));
  }

  listen(host: string, port: number): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const address = this.server.address();
        const bound = typeof address === 'object' && address ? { host: address.address, port: address.port } : { host, port };
        this.log.info(bound, 'iSCSI target listening');
        resolve(bound);
      });
    });
  }

  /** Live sessions, for the management API. */
  sessions(): SessionSummary[] {
    return this.sessionTable.list();
  }

  /**
   * Drop every session to `targetName` at once, without waiting for running commands (the node lost the target's
   * library to another node: nothing more may reach its drives). Returns how many sessions were dropped.
   */
  dropSessions(targetName: string, reason: string): number {
    const sessions = this.sessionTable.sessionsOf(targetName);
    for (const s of sessions) s.conn.close(reason);
    return sessions.length;
  }

  /** Each connection's output bound at work (docs/ISCSI.md, "Output bound"): for diagnostics and tests. */
  outputStates(): { remote: string; queuedOutputBytes: number; outputLimitBytes: number | undefined; readingHeld: boolean; heldInputBytes: number }[] {
    return [...this.connections].map((c) => ({
      remote: c.remoteAddress,
      heldInputBytes: c.pendingInputBytes,
      queuedOutputBytes: c.output.queuedBytes,
      outputLimitBytes: c.output.limitBytes,
      readingHeld: c.output.isHolding,
    }));
  }

  /** Stop accepting, let in-flight commands finish (bounded), then close every connection. */
  async close(): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const timeout = this.options.shutdownTimeoutMs ?? 10000;
    await Promise.all([...this.connections].map((c) => c.drain(timeout)));
    await Promise.all([...this.connections].map((c) => c.closed));
    await stopped;
  }

  private accept(accepted: Socket): void {
    const max = this.options.maxConnections ?? MAX_CONNECTIONS;
    if (this.connections.size >= max) {
      if (this.refusedInARow++ === 0) {
        this.log.warn({ remote: accepted.remoteAddress, maxConnections: max }, 'connection refused: too many connections open (logged once until one is accepted again)');
      }
      accepted.destroy();
      return;
    }
    this.refusedInARow = 0;
    let receiver: IscsiConnection | undefined = undefined;
    const socket = adoptWithReusedBuffer(accepted, READ_BUFFER_BYTES, {
      receive: (chunk) => receiver?.receive(chunk),
      target: () => receiver?.readTarget(IN_PLACE_MIN_BYTES),
      receivedInPlace: (bytes, into) => receiver?.receiveInPlace(bytes, into),
    });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30000);
    const conn = new IscsiConnection(
      socket,
      {
        registry: this.options.registry,
        sessionTable: this.sessionTable,
        limits: this.limits,
        ...(this.options.discoveryChap ? { discoveryChap: this.options.discoveryChap } : {}),
        chapBackoff: this.chapBackoff,
        queueDepth: this.options.queueDepth ?? 32,
        nopInIntervalMs: this.options.nopInIntervalMs ?? 10000,
        nopInTimeoutMs: this.options.nopInTimeoutMs ?? 30000,
        log: this.log,
      },
      {
        local: { host: unmapIpv4(socket.localAddress ?? '0.0.0.0'), port: socket.localPort ?? 0 },
        remote: { host: socket.remoteAddress ?? '?', port: socket.remotePort ?? 0 },
      },
    );
    receiver = conn;
    this.connections.add(conn);
    void conn.closed.then(() => this.connections.delete(conn));
  }
}

/** A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d; TargetAddress wants the IPv4 form. */
function unmapIpv4(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

// Audit entries copied off the host as they are written: RFC 5424 syslog messages over UDP. A copy the vtl host
// cannot rewrite is what catches someone who rewrites the whole chain (and the catalog's anchor) after an edit.
import { createSocket, type Socket } from 'node:dgram';
import { hostname } from 'node:os';
import { SYSLOG_FACILITIES } from '../config/schema.js';
import type { AuditEntry } from './audit-entry.js';

export type SyslogFacility = (typeof SYSLOG_FACILITIES)[number];

const SEVERITY = { warning: 4, notice: 5 } as const;

export interface AuditSyslogOptions {
  readonly host: string;
  readonly port: number;
  readonly facility?: SyslogFacility;
  /** HOSTNAME field (default: this host's name). */
  readonly hostname?: string;
}

/** The message for one entry: refusals at warning, changes at notice; MSG is the entry's own line, hashes included. */
export function syslogMessage(entry: AuditEntry, line: string, facility: SyslogFacility, host: string): string {
  const pri = (16 + SYSLOG_FACILITIES.indexOf(facility)) * 8 + (entry.outcome === 'refused' ? SEVERITY.warning : SEVERITY.notice);
  return `<${pri}>1 ${entry.at} ${host || '-'} vtl ${process.pid} audit - ${line.trimEnd()}`;
}

export class AuditSyslog {
  private readonly socket: Socket;
  private readonly facility: SyslogFacility;
  private readonly host: string;

  constructor(private readonly options: AuditSyslogOptions) {
    this.socket = createSocket(options.host.includes(':') ? 'udp6' : 'udp4');
    this.socket.unref();
    this.facility = options.facility ?? 'local0';
    this.host = (options.hostname ?? hostname()).replace(/\s/g, '');
  }

  /** Resolves once the datagram is handed to the kernel (UDP: delivery is not confirmed). */
  send(entry: AuditEntry, line: string): Promise<void> {
    const message = Buffer.from(syslogMessage(entry, line, this.facility, this.host), 'utf8');
    return new Promise((resolve, reject) => this.socket.send(message, this.options.port, this.options.host, (error) => (error ? reject(error) : resolve())));
  }

  close(): void {
    this.socket.close();
  }
}

// RFC 7143 4.3-4.4 session identity: the initiator name + ISID + target name + portal group identify a session;
// a new login with the same identity reinstates it (the old session is closed and its tasks aborted).
// TSIH values are allocated here, non-zero and unique among live sessions.
import { SharedWriteBudget } from './write-buffers.js';
import type { Logger } from '../log.js';
import type { IscsiConnection } from './connection.js';
import { LoginReject } from './login-reject.js';
import type { LoginOutcome } from './login.js';
import { LoginStatus } from './pdu.js';
import { sessionKey } from './scsi-command-pdu.js';
import { IscsiSession } from './session.js';

export interface SessionSummary {
  readonly tsih: number;
  readonly initiatorName: string;
  readonly initiatorAlias?: string;
  /** ISID as 12 hex digits. */
  readonly isid: string;
  /** Target name; undefined for a discovery session. */
  readonly target: string | undefined;
  readonly discovery: boolean;
  readonly connections: number;
  readonly remoteAddress: string;
  readonly activeTasks: number;
}

export class SessionTable {
  private readonly byKey = new Map<string, IscsiSession>();
  private readonly byTsih = new Map<number, IscsiSession>();
  private nextTsih = 1;

  constructor(
    private readonly log: Logger,
    /** The data-out budget every session of this table shares (write-buffers.ts). */
    readonly writeBudget: SharedWriteBudget = new SharedWriteBudget(),
  ) {}

  /** Create the session for a successful login, reinstating an existing one with the same identity. */
  establish(outcome: LoginOutcome, conn: IscsiConnection, queueDepth: number): IscsiSession {
    const key = sessionKey(outcome.initiatorName, outcome.isid, outcome.target?.name);
    const old = outcome.discovery ? undefined : this.byKey.get(key);
    if (old) {
      this.log.info({ initiator: outcome.initiatorName, isid: outcome.isid.toString('hex'), tsih: old.id.tsih }, 'session reinstated');
      this.remove(old);
      old.end();
      old.conn.close('session reinstated');
    }
    const tsih = this.allocateTsih();
    const session = new IscsiSession(
      {
        tsih,
        initiatorName: outcome.initiatorName,
        initiatorAlias: outcome.initiatorAlias,
        isid: outcome.isid,
        target: outcome.target,
        discovery: outcome.discovery,
      },
      conn,
      outcome.params,
      outcome.cmdSN,
      queueDepth,
      this.writeBudget,
    );
    this.byTsih.set(tsih, session);
    if (!outcome.discovery) this.byKey.set(key, session);
    return session;
  }

  hasTsih(tsih: number): boolean {
    return this.byTsih.has(tsih);
  }

  remove(session: IscsiSession): void {
    if (this.byTsih.get(session.id.tsih) === session) this.byTsih.delete(session.id.tsih);
    if (this.byKey.get(session.key) === session) this.byKey.delete(session.key);
  }

  /** Live normal sessions to a target (all sessions when no name is given). */
  sessionsOf(targetName: string | undefined): IscsiSession[] {
    const all = [...this.byTsih.values()];
    if (targetName === undefined) return all;
    const name = targetName.toLowerCase();
    return all.filter((s) => s.id.target?.name.toLowerCase() === name);
  }

  list(): SessionSummary[] {
    return [...this.byTsih.values()].map((s) => ({
      tsih: s.id.tsih,
      initiatorName: s.id.initiatorName,
      ...(s.id.initiatorAlias !== undefined ? { initiatorAlias: s.id.initiatorAlias } : {}),
      isid: s.id.isid.toString('hex'),
      target: s.id.target?.name,
      discovery: s.id.discovery,
      connections: s.ended ? 0 : 1,
      remoteAddress: s.conn.remoteAddress,
      activeTasks: s.tasks.size,
    }));
  }

  private allocateTsih(): number {
    for (let i = 0; i < 0xffff; i++) {
      const tsih = this.nextTsih;
      this.nextTsih = this.nextTsih >= 0xffff ? 1 : this.nextTsih + 1;
      if (!this.byTsih.has(tsih)) return tsih;
    }
    throw new LoginReject(LoginStatus.OUT_OF_RESOURCES, 'no TSIH left');
  }
}

// iSCSI sessions in GET /status: what the iSCSI server reports, and the view the API shows.
import type { SessionView } from './schemas/inventory-schemas.js';

/** One iSCSI session as the iSCSI server reports it (IscsiServer.sessions() fits). */
export interface SessionInfo {
  readonly tsih: number;
  readonly initiatorName: string;
  readonly initiatorAlias?: string;
  /** 12 hex digits. */
  readonly isid: string;
  /** Undefined for a discovery session. */
  readonly target: string | undefined;
  readonly discovery: boolean;
  readonly connections: number;
  readonly remoteAddress: string;
  readonly activeTasks: number;
}

export type SessionProvider = () => readonly SessionInfo[];

/** A session in GET /status (its type comes from the API's schema). */
export type { SessionView } from './schemas/inventory-schemas.js';

export function sessionView(s: SessionInfo): SessionView {
  return {
    tsih: s.tsih,
    initiator: s.initiatorName,
    initiatorAlias: s.initiatorAlias ?? null,
    isid: s.isid,
    target: s.target ?? null,
    discovery: s.discovery,
    connections: s.connections,
    remoteAddress: s.remoteAddress,
    activeTasks: s.activeTasks,
  };
}

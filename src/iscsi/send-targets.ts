// RFC 7143 Appendix C, 13.3: the SendTargets text key, answered in discovery and normal sessions.
import { isInitiatorAllowed } from './target-registry.js';
import type { IscsiTarget, TargetRegistry } from './target-registry.js';
import type { TextPair } from './text-data.js';

export interface Portal {
  readonly host: string;
  readonly port: number;
}

/** host:port as TargetAddress wants it: IPv6 literals in brackets. */
export function formatPortal(p: Portal): string {
  return p.host.includes(':') ? `[${p.host}]:${p.port}` : `${p.host}:${p.port}`;
}

/**
 * Targets to report for a SendTargets value. In a discovery session "All" lists every target this initiator may
 * log in to; in a normal session it (and the empty value) means the session's own target.
 */
export function sendTargets(
  value: string,
  registry: TargetRegistry,
  initiatorName: string,
  sessionTarget: IscsiTarget | undefined,
  portal: Portal,
): TextPair[] {
  let list: IscsiTarget[];
  if (sessionTarget) {
    const same = value === 'All' || value === '' || registry.find(value) === sessionTarget;
    list = same ? [sessionTarget] : [];
  } else if (value === 'All') {
    list = registry.targets().filter((t) => isInitiatorAllowed(t, initiatorName));
  } else {
    const t = value === '' ? undefined : registry.find(value);
    list = t && isInitiatorAllowed(t, initiatorName) ? [t] : [];
  }
  const address = formatPortal(portal);
  const pairs = list.flatMap((t): TextPair[] => [
    ['TargetName', t.name],
    ['TargetAddress', `${address},${t.portalGroupTag}`],
  ]);
  // Libraries another node of the cluster serves, at that node's portal (discovery sessions only).
  if (sessionTarget) return pairs;
  const remote = (registry.remoteTargets?.() ?? []).filter((t) => (value === 'All' || t.name.toLowerCase() === value.toLowerCase()) && isInitiatorAllowed(t, initiatorName));
  return [...pairs, ...remote.flatMap((t): TextPair[] => [['TargetName', t.name], ['TargetAddress', `${t.address},${t.portalGroupTag}`]])];
}

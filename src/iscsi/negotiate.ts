// RFC 7143 6.2, 13: answering the initiator's operational keys from the table in negotiation-keys.ts, and the
// agreed session/connection parameters that result.
import { LoginReject } from './login-reject.js';
import { KEYS_BY_NAME, KeyKind, KeyUse, OBSOLETE_KEYS, parseNumeric } from './negotiation-keys.js';
import type { KeyDefinition } from './negotiation-keys.js';
import { LoginStatus } from './pdu.js';
import type { TextPair } from './text-data.js';

export interface TransportLimits {
  /** Our MaxRecvDataSegmentLength (what we accept per PDU). */
  readonly maxRecvDataSegmentLength: number;
  readonly maxBurstLength: number;
  readonly firstBurstLength: number;
  readonly maxOutstandingR2T: number;
  /** Policy: refuse (answer Reject to) an initiator that offers no CRC32C digest. */
  readonly requireHeaderDigest?: boolean;
  readonly requireDataDigest?: boolean;
  /** Write buffers one session may hold at once (default 256 MiB); beyond it writes get TASK SET FULL. */
  readonly sessionWriteBudgetBytes?: number;
}

export const DEFAULT_LIMITS: TransportLimits = {
  maxRecvDataSegmentLength: 1048576,
  maxBurstLength: 16776192,
  firstBurstLength: 1048576,
  maxOutstandingR2T: 8,
};

/** What both sides agreed on; defaults for keys never negotiated. */
export interface SessionParameters {
  readonly headerDigest: boolean;
  readonly dataDigest: boolean;
  /** The initiator's declared MaxRecvDataSegmentLength: the largest data segment we may send. */
  readonly initiatorMaxRecvDataSegmentLength: number;
  /** Ours: the largest data segment we accept. */
  readonly maxRecvDataSegmentLength: number;
  readonly maxBurstLength: number;
  readonly firstBurstLength: number;
  readonly initialR2T: boolean;
  readonly immediateData: boolean;
  readonly maxOutstandingR2T: number;
  readonly errorRecoveryLevel: number;
  readonly defaultTime2Wait: number;
  readonly defaultTime2Retain: number;
}

/** Our side's values: what we accept for list keys (in no particular order) and our offer for the others. */
function ourValues(limits: TransportLimits): ReadonlyMap<string, string> {
  return new Map([
    ['HeaderDigest', limits.requireHeaderDigest ? 'CRC32C' : 'CRC32C,None'],
    ['DataDigest', limits.requireDataDigest ? 'CRC32C' : 'CRC32C,None'],
    ['MaxConnections', '1'],
    // We prefer unsolicited data: fewer round trips for writes.
    ['InitialR2T', 'No'],
    ['ImmediateData', 'Yes'],
    ['MaxBurstLength', String(limits.maxBurstLength)],
    ['FirstBurstLength', String(limits.firstBurstLength)],
    ['DefaultTime2Wait', '2'],
    // ErrorRecoveryLevel 0: nothing is retained after a connection is lost.
    ['DefaultTime2Retain', '0'],
    ['MaxOutstandingR2T', String(limits.maxOutstandingR2T)],
    // We reassemble data in order only: "Yes" wins an OR, so these always end as Yes.
    ['DataPDUInOrder', 'Yes'],
    ['DataSequenceInOrder', 'Yes'],
    ['ErrorRecoveryLevel', '0'],
    ['TaskReporting', 'RFC3720'],
    ['iSCSIProtocolLevel', '1'],
  ]);
}

export class OperationalNegotiation {
  /** Results of negotiated keys and the initiator's declarations. */
  readonly agreed = new Map<string, string>();
  private readonly ours: ReadonlyMap<string, string>;
  private declaredOurs = false;

  constructor(
    private readonly limits: TransportLimits,
    private readonly discovery: boolean,
  ) {
    this.ours = ourValues(limits);
  }

  /**
   * Answer the operational keys of one Login Request (identity and security keys already removed).
   * Throws LoginReject for initiator errors (a key sent twice, a target-only key).
   */
  respond(pairs: readonly TextPair[], operationalStage: boolean): TextPair[] {
    const out: TextPair[] = [];
    for (const [key, value] of pairs) {
      const obsolete = OBSOLETE_KEYS.get(key);
      if (obsolete !== undefined) {
        out.push([key, obsolete]);
        continue;
      }
      const def = KEYS_BY_NAME.get(key);
      if (!def) {
        out.push([key, 'NotUnderstood']);
        continue;
      }
      if (def.sentBy === 'target') throw new LoginReject(LoginStatus.INITIATOR_ERROR, `initiator sent target-only key ${key}`);
      if (def.use === KeyUse.SECURITY) throw new LoginReject(LoginStatus.INITIATOR_ERROR, `security key ${key} outside the security stage`);
      if (this.agreed.has(key)) throw new LoginReject(LoginStatus.INITIATOR_ERROR, `key ${key} negotiated twice`);
      if (def.use === KeyUse.FULL_FEATURE) {
        out.push([key, 'Irrelevant']);
        continue;
      }
      if (this.discovery && def.irrelevantInDiscovery) {
        out.push([key, 'Irrelevant']);
        continue;
      }
      const answer = this.answer(def, value);
      if (answer.result !== undefined) this.agreed.set(key, answer.result);
      if (answer.reply !== undefined) out.push([key, answer.reply]);
    }
    // FirstBurstLength must not exceed MaxBurstLength (13.14).
    const fbl = out.findIndex(([k]) => k === 'FirstBurstLength');
    if (fbl >= 0 && this.agreed.has('FirstBurstLength')) {
      const clamped = Math.min(Number(this.agreed.get('FirstBurstLength')), this.parameters().maxBurstLength);
      this.agreed.set('FirstBurstLength', String(clamped));
      out[fbl] = ['FirstBurstLength', String(clamped)];
    }
    if (operationalStage && !this.declaredOurs) {
      this.declaredOurs = true;
      out.push(['MaxRecvDataSegmentLength', String(this.limits.maxRecvDataSegmentLength)]);
    }
    return out;
  }

  private answer(def: KeyDefinition, value: string): { result?: string; reply?: string } {
    const ours = this.ours.get(def.name) ?? def.default;
    switch (def.kind) {
      case KeyKind.DECLARATIVE: {
        if (def.min !== undefined) {
          const n = parseNumeric(value);
          if (n === undefined || n < def.min || n > (def.max ?? n)) return { reply: 'Reject' };
          return { result: String(n) };
        }
        if (def.values && !def.values.includes(value)) return { reply: 'Reject' };
        return { result: value };
      }
      case KeyKind.LIST: {
        const accepted = ours.split(',');
        const offered = value.split(',');
        if (offered.some((v) => v.length === 0)) return { reply: 'Reject' };
        const pick = offered.find((v) => accepted.includes(v));
        return pick === undefined ? { reply: 'Reject' } : { result: pick, reply: pick };
      }
      case KeyKind.NUMERIC_MIN:
      case KeyKind.NUMERIC_MAX: {
        const n = parseNumeric(value);
        if (n === undefined || n < (def.min ?? 0) || n > (def.max ?? Number.MAX_SAFE_INTEGER)) return { reply: 'Reject' };
        const mine = Number(ours);
        const r = String(def.kind === KeyKind.NUMERIC_MIN ? Math.min(n, mine) : Math.max(n, mine));
        return { result: r, reply: r };
      }
      case KeyKind.BOOLEAN_AND:
      case KeyKind.BOOLEAN_OR: {
        if (value !== 'Yes' && value !== 'No') return { reply: 'Reject' };
        const yes = def.kind === KeyKind.BOOLEAN_AND ? value === 'Yes' && ours === 'Yes' : value === 'Yes' || ours === 'Yes';
        const r = yes ? 'Yes' : 'No';
        return { result: r, reply: r };
      }
    }
  }

  private value(name: string): string {
    return this.agreed.get(name) ?? KEYS_BY_NAME.get(name)?.default ?? '';
  }

  parameters(): SessionParameters {
    const num = (name: string): number => Number(this.value(name));
    const maxBurstLength = num('MaxBurstLength');
    return {
      headerDigest: this.value('HeaderDigest') === 'CRC32C',
      dataDigest: this.value('DataDigest') === 'CRC32C',
      initiatorMaxRecvDataSegmentLength: num('MaxRecvDataSegmentLength'),
      maxRecvDataSegmentLength: this.limits.maxRecvDataSegmentLength,
      maxBurstLength,
      firstBurstLength: Math.min(num('FirstBurstLength'), maxBurstLength),
      initialR2T: this.value('InitialR2T') === 'Yes',
      immediateData: this.value('ImmediateData') === 'Yes',
      maxOutstandingR2T: num('MaxOutstandingR2T'),
      errorRecoveryLevel: num('ErrorRecoveryLevel'),
      defaultTime2Wait: num('DefaultTime2Wait'),
      defaultTime2Retain: num('DefaultTime2Retain'),
    };
  }
}

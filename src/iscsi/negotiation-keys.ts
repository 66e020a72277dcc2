// RFC 7143 13 (and 6.2): the text keys this target negotiates, as one table. Each row gives the key's kind and
// merge rule, its default, its legal range or values, and where it may appear. negotiate.ts interprets it.

export const KeyKind = {
  /** Each side states its own value; no answer is expected. */
  DECLARATIVE: 'declarative',
  /** The responder picks the first value of the offer it supports. */
  LIST: 'list',
  /** Numerical, result is the smaller of offer and our value. */
  NUMERIC_MIN: 'numeric-min',
  /** Numerical, result is the larger. */
  NUMERIC_MAX: 'numeric-max',
  /** Boolean, result Yes only if both say Yes. */
  BOOLEAN_AND: 'and',
  /** Boolean, result Yes if either says Yes. */
  BOOLEAN_OR: 'or',
} as const;
export type KeyKind = (typeof KeyKind)[keyof typeof KeyKind];

export const KeyUse = {
  /** Login only, in either stage; answered during login. */
  LOGIN: 'login',
  /** Security negotiation stage only. */
  SECURITY: 'security',
  /** First login request only (leading). */
  LEADING: 'leading',
  /** Full feature phase (text requests) only. */
  FULL_FEATURE: 'full-feature',
  /** Login and full feature phase. */
  ALL: 'all',
} as const;
export type KeyUse = (typeof KeyUse)[keyof typeof KeyUse];

export interface KeyDefinition {
  readonly name: string;
  readonly kind: KeyKind;
  readonly default: string;
  readonly min?: number;
  readonly max?: number;
  /** Legal values of a list key. */
  readonly values?: readonly string[];
  readonly use: KeyUse;
  /** Who may send it first: an initiator sending a target-only key is an initiator error. */
  readonly sentBy: 'initiator' | 'target' | 'both';
  /** Answered Irrelevant in a discovery session (13.x "Irrelevant when: SessionType=Discovery"). */
  readonly irrelevantInDiscovery?: boolean;
  readonly scope: 'session' | 'connection';
}

const U24_MAX = 0xffffff;
const YES_NO = ['Yes', 'No'] as const;

export const NEGOTIATION_KEYS: readonly KeyDefinition[] = [
  { name: 'HeaderDigest', kind: KeyKind.LIST, default: 'None', values: ['None', 'CRC32C'], use: KeyUse.LOGIN, sentBy: 'both', scope: 'connection' },
  { name: 'DataDigest', kind: KeyKind.LIST, default: 'None', values: ['None', 'CRC32C'], use: KeyUse.LOGIN, sentBy: 'both', scope: 'connection' },
  { name: 'MaxConnections', kind: KeyKind.NUMERIC_MIN, default: '1', min: 1, max: 65535, use: KeyUse.LEADING, sentBy: 'both', scope: 'session' },
  { name: 'SendTargets', kind: KeyKind.DECLARATIVE, default: '', use: KeyUse.FULL_FEATURE, sentBy: 'initiator', scope: 'session' },
  { name: 'TargetName', kind: KeyKind.DECLARATIVE, default: '', use: KeyUse.LEADING, sentBy: 'initiator', scope: 'session' },
  { name: 'InitiatorName', kind: KeyKind.DECLARATIVE, default: '', use: KeyUse.LEADING, sentBy: 'initiator', scope: 'session' },
  { name: 'TargetAlias', kind: KeyKind.DECLARATIVE, default: '', use: KeyUse.ALL, sentBy: 'target', scope: 'session' },
  { name: 'InitiatorAlias', kind: KeyKind.DECLARATIVE, default: '', use: KeyUse.ALL, sentBy: 'initiator', scope: 'session' },
  { name: 'TargetAddress', kind: KeyKind.DECLARATIVE, default: '', use: KeyUse.ALL, sentBy: 'target', scope: 'session' },
  { name: 'TargetPortalGroupTag', kind: KeyKind.DECLARATIVE, default: '', min: 0, max: 65535, use: KeyUse.LOGIN, sentBy: 'target', scope: 'session' },
  { name: 'InitialR2T', kind: KeyKind.BOOLEAN_OR, default: 'Yes', values: YES_NO, use: KeyUse.LEADING, sentBy: 'both', irrelevantInDiscovery: true, scope: 'session' },
  { name: 'ImmediateData', kind: KeyKind.BOOLEAN_AND, default: 'Yes', values: YES_NO, use: KeyUse.LEADING, sentBy: 'both', irrelevantInDiscovery: true, scope: 'session' },
  { name: 'MaxRecvDataSegmentLength', kind: KeyKind.DECLARATIVE, default: '8192', min: 512, max: U24_MAX, use: KeyUse.ALL, sentBy: 'both', scope: 'connection' },
  { name: 'MaxBurstLength', kind: KeyKind.NUMERIC_MIN, default: '262144', min: 512, max: U24_MAX, use: KeyUse.LEADING, sentBy: 'both', irrelevantInDiscovery: true, scope: 'session' },
  { name: 'FirstBurstLength', kind: KeyKind.NUMERIC_MIN, default: '65536', min: 512, max: U24_MAX, use: KeyUse.LEADING, sentBy: 'both', irrelevantInDiscovery: true, scope: 'session' },
  { name: 'DefaultTime2Wait', kind: KeyKind.NUMERIC_MAX, default: '2', min: 0, max: 3600, use: KeyUse.LEADING, sentBy: 'both', scope: 'session' },
  { name: 'DefaultTime2Retain', kind: KeyKind.NUMERIC_MIN, default: '20', min: 0, max: 3600, use: KeyUse.LEADING, sentBy: 'both', scope: 'session' },
  { name: 'MaxOutstandingR2T', kind: KeyKind.NUMERIC_MIN, default: '1', min: 1, max: 65535, use: KeyUse.LEADING, sentBy: 'both', irrelevantInDiscovery: true, scope: 'session' },
  { name: 'DataPDUInOrder', kind: KeyKind.BOOLEAN_OR, default: 'Yes', values: YES_NO, use: KeyUse.LEADING, sentBy: 'both', irrelevantInDiscovery: true, scope: 'session' },
  { name: 'DataSequenceInOrder', kind: KeyKind.BOOLEAN_OR, default: 'Yes', values: YES_NO, use: KeyUse.LEADING, sentBy: 'both', irrelevantInDiscovery: true, scope: 'session' },
  { name: 'ErrorRecoveryLevel', kind: KeyKind.NUMERIC_MIN, default: '0', min: 0, max: 2, use: KeyUse.LEADING, sentBy: 'both', scope: 'session' },
  { name: 'SessionType', kind: KeyKind.DECLARATIVE, default: 'Normal', values: ['Discovery', 'Normal'], use: KeyUse.LEADING, sentBy: 'initiator', scope: 'session' },
  { name: 'AuthMethod', kind: KeyKind.LIST, default: 'None', values: ['CHAP', 'None', 'KRB5', 'SRP', 'SPKM1', 'SPKM2'], use: KeyUse.SECURITY, sentBy: 'both', scope: 'connection' },
  { name: 'TaskReporting', kind: KeyKind.LIST, default: 'RFC3720', values: ['RFC3720', 'ResponseFence', 'FastAbort'], use: KeyUse.LEADING, sentBy: 'both', irrelevantInDiscovery: true, scope: 'session' },
  { name: 'iSCSIProtocolLevel', kind: KeyKind.NUMERIC_MIN, default: '1', min: 0, max: 31, use: KeyUse.LEADING, sentBy: 'both', scope: 'session' },
];

export const KEYS_BY_NAME: ReadonlyMap<string, KeyDefinition> = new Map(NEGOTIATION_KEYS.map((k) => [k.name, k]));

/**
 * 13.25 (obsoleted marker keys): IFMarker/OFMarker SHOULD be answered Reject, MAY be answered No; we answer No,
 * which RFC 3720 initiators also understand. IFMarkInt/OFMarkInt MUST be answered Reject.
 */
export const OBSOLETE_KEYS: ReadonlyMap<string, string> = new Map([
  ['IFMarker', 'No'],
  ['OFMarker', 'No'],
  ['IFMarkInt', 'Reject'],
  ['OFMarkInt', 'Reject'],
]);

/** CHAP keys (12.1.3), handled by the security stage. */
export const CHAP_KEYS: ReadonlySet<string> = new Set(['CHAP_A', 'CHAP_I', 'CHAP_C', 'CHAP_N', 'CHAP_R']);

/** Parse a numerical value: decimal, or hex with 0x (6.1 "numerical-value"). */
export function parseNumeric(value: string): number | undefined {
  if (/^[0-9]{1,20}$/.test(value)) return Number(value);
  if (/^0[xX][0-9a-fA-F]{1,16}$/.test(value)) return Number.parseInt(value.slice(2), 16);
  return undefined;
}

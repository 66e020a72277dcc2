// The login phase (RFC 7143 6.3, 11.12-11.13): security stage with CHAP (one-way or mutual) or none, then the
// operational stage that settles the keys this initiator proposes, until the target moves us to full feature phase.
import { chapResponse, decodeChapValue, encodeChapValue, newMutualChallenge, sameAnswer } from './chap-answer.js';
import { LoginStatus } from '../iscsi/pdu.js';
import { Bhs, decodeTextPairs, encodeTextPairs, newBhs, PduOpcode, type Pdu } from './pdu.js';

export interface ChapCredentials {
  readonly username: string;
  readonly secret: string;
  /** Mutual CHAP: what the target must answer with. */
  readonly mutual?: { readonly username: string; readonly secret: string };
  /**
   * CHAP_A values to offer, preferred first. Default MD5 alone: the algorithm RFC 7143 makes mandatory and every
   * target verifies; tgt 1.0.85 accepts SHA-256 (7) and then cannot check the answer (a 20-byte buffer).
   */
  readonly algorithms?: readonly number[];
}

export interface LoginParameters {
  readonly initiatorName: string;
  readonly targetName?: string;
  readonly isid: Buffer;
  readonly tsih: number;
  readonly cid: number;
  readonly cmdSN: number;
  readonly chap?: ChapCredentials;
  readonly headerDigest: boolean;
  readonly dataDigest: boolean;
  /** What we receive at most per PDU. */
  readonly maxRecvDataSegmentLength: number;
}

/** The result of the negotiation that the full feature phase obeys. */
export interface NegotiatedParameters {
  readonly tsih: number;
  readonly statSN: number;
  readonly expCmdSN: number;
  readonly maxCmdSN: number;
  readonly headerDigest: boolean;
  readonly dataDigest: boolean;
  /** The target's MaxRecvDataSegmentLength: the limit of every Data-Out we send. */
  readonly targetMaxRecvDataSegmentLength: number;
  readonly maxBurstLength: number;
  readonly firstBurstLength: number;
  readonly initialR2T: boolean;
  readonly immediateData: boolean;
}

/** A Login Response with a status other than success; class 02 is the initiator's fault, 03 the target's. */
export class LoginFailedError extends Error {
  constructor(readonly statusClass: number, readonly statusDetail: number) {
    super(`login failed: ${describeLoginStatus(statusClass, statusDetail)}`);
    this.name = 'LoginFailedError';
  }

  /** Authentication, authorization and a missing target do not heal by retrying. */
  get permanent(): boolean {
    return this.statusClass === 2;
  }
}

function describeLoginStatus(statusClass: number, detail: number): string {
  const code = (statusClass << 8) | detail;
  const name = Object.entries(LoginStatus).find(([, v]) => v === code)?.[0];
  const hex = `${statusClass.toString(16).padStart(2, '0')}/${detail.toString(16).padStart(2, '0')}`;
  return `${name ? name.toLowerCase().replaceAll('_', ' ') : 'unknown status'} (${hex})`;
}

/** Sends one Login Request and resolves with the target's Login Response. */
export type LoginExchange = (bhs: Buffer, data: Buffer) => Promise<Pdu>;

const Stage = { SECURITY: 0, OPERATIONAL: 1, FULL_FEATURE: 3 } as const;

export async function runLogin(p: LoginParameters, exchange: LoginExchange, itt: number): Promise<NegotiatedParameters> {
  let statSN = 0;
  let tsih = p.tsih;
  let expCmdSN = p.cmdSN;
  let maxCmdSN = p.cmdSN;
  let leadingSent = false;
  let transitGranted = false;
  let nextStage: number = Stage.SECURITY;
  const answered = new Map<string, string>();

  const step = async (csg: number, nsg: number, transit: boolean, pairs: [string, string][]): Promise<Map<string, string>> => {
    const bhs = newBhs(PduOpcode.LOGIN_REQUEST, true, (transit ? 0x80 : 0) | (csg << 2) | (transit ? nsg : 0));
    p.isid.copy(bhs, 8);
    bhs.writeUInt16BE(tsih, 14);
    bhs.writeUInt32BE(itt, Bhs.INITIATOR_TASK_TAG);
    bhs.writeUInt16BE(p.cid, 20);
    bhs.writeUInt32BE(p.cmdSN >>> 0, Bhs.CMD_SN);
    bhs.writeUInt32BE(statSN >>> 0, Bhs.EXP_STAT_SN);
    if (!leadingSent) {
      pairs.unshift(['InitiatorName', p.initiatorName], ['SessionType', p.targetName === undefined ? 'Discovery' : 'Normal']);
      if (p.targetName !== undefined) pairs.push(['TargetName', p.targetName]);
      leadingSent = true;
    }
    const response = await exchange(bhs, encodeTextPairs(pairs));
    if ((response.bhs[0] & 0x3f) !== PduOpcode.LOGIN_RESPONSE) throw new Error('the target answered a Login Request with another PDU');
    const statusClass = response.bhs[36];
    if (statusClass !== 0) throw new LoginFailedError(statusClass, response.bhs[37]);
    statSN = (response.bhs.readUInt32BE(Bhs.STAT_SN) + 1) >>> 0;
    expCmdSN = response.bhs.readUInt32BE(Bhs.EXP_CMD_SN);
    maxCmdSN = response.bhs.readUInt32BE(Bhs.MAX_CMD_SN);
    tsih = response.bhs.readUInt16BE(14);
    transitGranted = (response.bhs[1] & 0x80) !== 0;
    nextStage = response.bhs[1] & 0x03;
    const keys = decodeTextPairs(response.data);
    for (const [k, v] of keys) answered.set(k, v);
    return keys;
  };

  if (p.chap) {
    const offer = await step(Stage.SECURITY, Stage.OPERATIONAL, false, [['AuthMethod', 'CHAP']]);
    if (offer.get('AuthMethod') !== 'CHAP') throw new Error(`the target refused CHAP (AuthMethod=${offer.get('AuthMethod') ?? 'none'})`);
    const challenge = await step(Stage.SECURITY, Stage.OPERATIONAL, false, [['CHAP_A', (p.chap.algorithms ?? [5]).join(',')]]);
    const algorithm = Number(challenge.get('CHAP_A'));
    const identifier = Number(challenge.get('CHAP_I'));
    const c = challenge.get('CHAP_C');
    if (!Number.isInteger(identifier) || c === undefined) throw new Error('the target sent no CHAP challenge');
    const answer: [string, string][] = [
      ['CHAP_N', p.chap.username],
      ['CHAP_R', encodeChapValue(chapResponse(algorithm, identifier, p.chap.secret, decodeChapValue(c)))],
    ];
    const mutual = p.chap.mutual ? newMutualChallenge() : undefined;
    if (mutual) answer.push(['CHAP_I', String(mutual.identifier)], ['CHAP_C', encodeChapValue(mutual.challenge)]);
    const reply = await step(Stage.SECURITY, Stage.OPERATIONAL, true, answer);
    if (mutual && p.chap.mutual) {
      const r = reply.get('CHAP_R');
      const want = chapResponse(algorithm, mutual.identifier, p.chap.mutual.secret, mutual.challenge);
      if (reply.get('CHAP_N') !== p.chap.mutual.username || r === undefined || !sameAnswer(decodeChapValue(r), want)) {
        throw new Error('the target failed mutual CHAP authentication');
      }
    }
  } else {
    await step(Stage.SECURITY, Stage.OPERATIONAL, true, [['AuthMethod', 'None']]);
  }
  while (!transitGranted) await step(Stage.SECURITY, Stage.OPERATIONAL, true, []);

  const discovery = p.targetName === undefined;
  const proposal: [string, string][] = [
    ['HeaderDigest', p.headerDigest ? 'CRC32C,None' : 'None'],
    ['DataDigest', p.dataDigest ? 'CRC32C,None' : 'None'],
    ['MaxRecvDataSegmentLength', String(p.maxRecvDataSegmentLength)],
    ['ErrorRecoveryLevel', '0'],
    ['DefaultTime2Wait', '0'],
    ['DefaultTime2Retain', '0'],
  ];
  if (!discovery) {
    proposal.push(
      ['MaxConnections', '1'],
      ['InitialR2T', 'No'],
      ['ImmediateData', 'Yes'],
      ['MaxBurstLength', '16776192'],
      ['FirstBurstLength', '262144'],
      ['MaxOutstandingR2T', '1'],
      ['DataPDUInOrder', 'Yes'],
      ['DataSequenceInOrder', 'Yes'],
    );
  }
  transitGranted = false;
  await step(Stage.OPERATIONAL, Stage.FULL_FEATURE, true, proposal);
  while (!transitGranted || nextStage !== Stage.FULL_FEATURE) await step(Stage.OPERATIONAL, Stage.FULL_FEATURE, true, []);

  // RFC 7143 13: InitialR2T is OR-ed, ImmediateData AND-ed, the burst lengths take the minimum; a key the target did
  // not answer keeps the RFC default for the declarative ones.
  const number = (key: string, mine: number, fallback: number): number => Math.min(mine, Number(answered.get(key) ?? fallback));
  return {
    tsih,
    statSN,
    expCmdSN,
    maxCmdSN,
    headerDigest: answered.get('HeaderDigest') === 'CRC32C',
    dataDigest: answered.get('DataDigest') === 'CRC32C',
    targetMaxRecvDataSegmentLength: Number(answered.get('MaxRecvDataSegmentLength') ?? 8192),
    maxBurstLength: number('MaxBurstLength', 16776192, 262144),
    firstBurstLength: number('FirstBurstLength', 262144, 65536),
    initialR2T: (answered.get('InitialR2T') ?? 'Yes') === 'Yes',
    immediateData: (answered.get('ImmediateData') ?? 'Yes') === 'Yes',
  };
}

// The test initiator's login (RFC 7143 6, 11.12): optional CHAP security stage (one-way or mutual), then the
// operational stage with the keys a test asks for, until the target transits to full feature phase.
import { chapHash, decodeChapBinary, newChallenge } from './chap-response.js';
import type { IscsiInitiator } from './iscsi-initiator.js';
import { decodeText, encodeText, header, Op } from './pdu-builder.js';

export interface LoginOptions {
  readonly initiatorName: string;
  readonly targetName?: string;
  readonly sessionType?: 'Normal' | 'Discovery';
  /** 6 bytes; default a random-free constant so that tests decide about reinstatement explicitly. */
  readonly isid?: Buffer;
  readonly tsih?: number;
  readonly chap?: { readonly username: string; readonly secret: string; readonly algorithms?: readonly number[] };
  readonly mutualChap?: { readonly username: string; readonly secret: string };
  readonly headerDigest?: boolean;
  readonly dataDigest?: boolean;
  readonly maxRecvDataSegmentLength?: number;
  readonly immediateData?: boolean;
  readonly initialR2T?: boolean;
  readonly maxBurstLength?: number;
  readonly firstBurstLength?: number;
  readonly maxOutstandingR2T?: number;
  /** More operational keys, sent as given (unknown keys, out-of-range values...). */
  readonly extraKeys?: readonly (readonly [string, string])[];
  /** Skip the security stage and start in the operational stage. */
  readonly skipSecurity?: boolean;
}

export class LoginError extends Error {
  /** `keys`: what the refusal carried (TargetAddress with a redirection, status class 1). */
  constructor(readonly statusClass: number, readonly statusDetail: number, readonly keys: readonly [string, string][] = []) {
    super(`login failed with status ${statusClass.toString(16).padStart(2, '0')}/${statusDetail.toString(16).padStart(2, '0')}`);
    this.name = 'LoginError';
  }
}

export const DEFAULT_ISID = Buffer.from([0x80, 0x00, 0x00, 0x00, 0x00, 0x01]);

export async function runLogin(s: IscsiInitiator, o: LoginOptions): Promise<void> {
  const itt = s.nextItt();
  let first = true;
  const request = async (csg: number, transit: boolean, nsg: number, pairs: (readonly [string, string])[]): Promise<[string, string][]> => {
    const bhs = header(Op.LOGIN_REQUEST, true, (transit ? 0x80 : 0) | (csg << 2) | (transit ? nsg : 0));
    (o.isid ?? DEFAULT_ISID).copy(bhs, 8);
    bhs.writeUInt16BE(o.tsih ?? 0, 14);
    bhs.writeUInt32BE(itt, 16);
    bhs.writeUInt32BE(s.cmdSN, 24);
    if (first) {
      pairs.unshift(['InitiatorName', o.initiatorName], ['SessionType', o.sessionType ?? 'Normal']);
      if (o.targetName !== undefined) pairs.splice(2, 0, ['TargetName', o.targetName]);
      first = false;
    }
    const pdu = await s.loginExchange(bhs, encodeText(pairs));
    const statusClass = pdu.bhs[36];
    const statusDetail = pdu.bhs[37];
    if (statusClass !== 0) throw new LoginError(statusClass, statusDetail, decodeText(pdu.data));
    s.expStatSN = (pdu.bhs.readUInt32BE(24) + 1) >>> 0;
    s.expCmdSN = pdu.bhs.readUInt32BE(28);
    s.maxCmdSN = pdu.bhs.readUInt32BE(32);
    s.tsih = pdu.bhs.readUInt16BE(14);
    const answer = decodeText(pdu.data);
    for (const [k, v] of answer) s.negotiated.set(k, v);
    lastFlags = pdu.bhs[1];
    return answer;
  };
  let lastFlags = 0;

  if (!o.skipSecurity) {
    if (o.chap) {
      await request(0, false, 0, [['AuthMethod', 'CHAP,None']]);
      if (s.negotiated.get('AuthMethod') !== 'CHAP') throw new Error(`target chose AuthMethod=${s.negotiated.get('AuthMethod')}`);
      const a = await request(0, false, 0, [['CHAP_A', (o.chap.algorithms ?? [5]).join(',')]]);
      const get = (k: string): string => a.find(([key]) => key === k)?.[1] ?? '';
      const algorithm = Number(get('CHAP_A'));
      const id = Number(get('CHAP_I'));
      const challenge = decodeChapBinary(get('CHAP_C'));
      const response = chapHash(algorithm, id, o.chap.secret, challenge);
      const pairs: [string, string][] = [['CHAP_N', o.chap.username], ['CHAP_R', `0x${response.toString('hex')}`]];
      let mutual: { id: number; challenge: Buffer } | undefined;
      if (o.mutualChap) {
        mutual = { id: 77, challenge: newChallenge(challenge.length) };
        pairs.push(['CHAP_I', String(mutual.id)], ['CHAP_C', `0x${mutual.challenge.toString('hex')}`]);
      }
      const r = await request(0, true, 1, pairs);
      if (mutual && o.mutualChap) {
        const name = r.find(([k]) => k === 'CHAP_N')?.[1];
        const got = r.find(([k]) => k === 'CHAP_R')?.[1];
        const want = chapHash(algorithm, mutual.id, o.mutualChap.secret, mutual.challenge);
        if (name !== o.mutualChap.username || !got || !decodeChapBinary(got).equals(want)) {
          throw new Error('target failed mutual CHAP authentication');
        }
      }
    } else {
      await request(0, true, 1, [['AuthMethod', 'None']]);
    }
    // The target may stay in the security stage for one more round (T=0); follow it.
    while ((lastFlags & 0x80) === 0) await request(0, true, 1, []);
  }

  const discovery = o.sessionType === 'Discovery';
  const keys: (readonly [string, string])[] = [
    ['HeaderDigest', o.headerDigest ? 'CRC32C' : 'None'],
    ['DataDigest', o.dataDigest ? 'CRC32C' : 'None'],
    ['MaxRecvDataSegmentLength', String(o.maxRecvDataSegmentLength ?? 262144)],
    ['ErrorRecoveryLevel', '0'],
    ['DefaultTime2Wait', '2'],
    ['DefaultTime2Retain', '0'],
  ];
  if (!discovery) {
    keys.push(
      ['InitialR2T', o.initialR2T === false ? 'No' : 'Yes'],
      ['ImmediateData', o.immediateData === false ? 'No' : 'Yes'],
      ['MaxBurstLength', String(o.maxBurstLength ?? 1048576)],
      ['FirstBurstLength', String(o.firstBurstLength ?? 262144)],
      ['MaxOutstandingR2T', String(o.maxOutstandingR2T ?? 1)],
      ['MaxConnections', '1'],
      ['DataPDUInOrder', 'Yes'],
      ['DataSequenceInOrder', 'Yes'],
    );
  }
  keys.push(...(o.extraKeys ?? []));
  await request(1, true, 3, keys);
  while ((lastFlags & 0x80) === 0 || (lastFlags & 0x03) !== 3) await request(1, true, 3, []);
  // Digests start with the first PDU after the final Login Response.
  s.headerDigest = s.negotiated.get('HeaderDigest') === 'CRC32C';
  s.dataDigest = s.negotiated.get('DataDigest') === 'CRC32C';
  // Values we declared ourselves are not echoed by the target; keep the ones the target answered.
  if (!s.negotiated.has('ImmediateData') && !discovery) s.negotiated.set('ImmediateData', 'Yes');
}

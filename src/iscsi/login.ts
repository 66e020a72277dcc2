// RFC 7143 6.3, 11.12-11.13: the target side of the login phase. One instance per connection; it consumes Login
// Requests and produces Login Responses until the connection reaches full feature phase or the login fails.
import { ChapAuthenticator } from './chap.js';
import type { ChapCredentials } from './chap.js';
import type { ChapBackoff } from './chap-backoff.js';
import { IscsiProtocolError } from './iscsi-protocol-error.js';
import { LoginHeaderGuard } from './login-header-guard.js';
import { LoginReject } from './login-reject.js';
import { CHAP_KEYS } from './negotiation-keys.js';
import { OperationalNegotiation } from './negotiate.js';
import type { SessionParameters, TransportLimits } from './negotiate.js';
import { Bhs, LoginBhs, LoginStage, LoginStatus, PduOpcode, newBhs } from './pdu.js';
import type { Pdu } from './pdu.js';
import { isInitiatorAllowed } from './target-registry.js';
import type { IscsiTarget, TargetRegistry } from './target-registry.js';
import { encodeTextData, parseTextData } from './text-data.js';
import type { TextPair } from './text-data.js';

/** Login text may span PDUs (C bit); more than this is refused. */
const MAX_LOGIN_TEXT = 65536;

export interface LoginOutcome {
  readonly discovery: boolean;
  readonly target: IscsiTarget | undefined;
  readonly initiatorName: string;
  readonly initiatorAlias: string | undefined;
  readonly isid: Buffer;
  readonly cid: number;
  readonly params: SessionParameters;
  /** CmdSN of the login: the first command's CmdSN. */
  readonly cmdSN: number;
}

export interface LoginContext {
  readonly registry: TargetRegistry;
  readonly limits: TransportLimits;
  readonly discoveryChap?: ChapCredentials;
  /** Commands the target accepts beyond ExpCmdSN (MaxCmdSN = ExpCmdSN + depth - 1). */
  readonly queueDepth: number;
  /** True when a live session has this TSIH (a login adding a connection to it). */
  sessionExists(tsih: number): boolean;
  /** The login succeeds: create (or reinstate) the session and return its TSIH. May throw LoginReject. */
  establish(outcome: LoginOutcome): number;
  /** Where the login comes from (host only), and the server's CHAP failure policy (chap-backoff.ts). */
  readonly remoteAddress: string;
  readonly chapBackoff?: ChapBackoff;
}

export interface LoginStep {
  readonly response: { readonly bhs: Buffer; readonly data: Buffer };
  /** Set when this response ends the login with success. */
  readonly outcome?: LoginOutcome;
  /** Set when this response ends the login with a failure status: close the connection after sending. */
  readonly failed?: LoginReject;
}

export class LoginNegotiator {
  private stage: number = LoginStage.SECURITY_NEGOTIATION;
  /** The header fields that must stay the same during the login. */
  private readonly header = new LoginHeaderGuard();
  /** The first request (possibly spread over several PDUs with the C bit) is not complete yet. */
  private first = true;
  /** The TSIH of the request, then the one given to the new session. */
  private tsih = 0;
  private statSN = 1;
  private initiatorName = '';
  private initiatorAlias: string | undefined;
  private discovery = false;
  private target: IscsiTarget | undefined;
  private credentials: ChapCredentials | undefined;
  private authMethod: string | undefined;
  private chap: ChapAuthenticator | undefined;
  private negotiation: OperationalNegotiation | undefined;
  private partialText: Buffer[] = [];
  private partialBytes = 0;

  constructor(private readonly ctx: LoginContext) {}

  /** Target name of this login, once known (for log lines). */
  get targetName(): string | undefined {
    return this.target?.name;
  }

  get initiator(): string {
    return this.initiatorName;
  }

  /** StatSN the next response after login carries. */
  get nextStatSN(): number {
    return this.statSN;
  }

  handle(pdu: Pdu): LoginStep {
    const req = pdu.bhs;
    try {
      if ((req[Bhs.OPCODE] & 0x3f) !== PduOpcode.LOGIN_REQUEST) {
        throw new LoginReject(LoginStatus.INVALID_DURING_LOGIN, `opcode 0x${(req[0] & 0x3f).toString(16)} during login`);
      }
      return this.step(pdu);
    } catch (err) {
      const reject = err instanceof LoginReject ? err
        : err instanceof IscsiProtocolError ? new LoginReject(LoginStatus.INITIATOR_ERROR, err.message)
        : new LoginReject(LoginStatus.TARGET_ERROR, `internal error: ${(err as Error).message}`);
      return { response: this.response(req, reject.status, false, 0, reject.pairs), failed: reject };
    }
  }

  private step(pdu: Pdu): LoginStep {
    const req = pdu.bhs;
    const flags = req[Bhs.FLAGS];
    const transit = (flags & LoginBhs.FLAG_TRANSIT) !== 0;
    const cont = (flags & LoginBhs.FLAG_CONTINUE) !== 0;
    const csg = (flags >> 2) & 0x03;
    const nsg = flags & 0x03;
    if (this.header.accept(req)) {
      if (req[LoginBhs.VERSION_MIN] > 0) throw new LoginReject(LoginStatus.UNSUPPORTED_VERSION, `VersionMin ${req[LoginBhs.VERSION_MIN]}`);
      this.tsih = this.header.request.tsih;
      this.stage = csg;
    }
    if (cont && transit) throw new LoginReject(LoginStatus.INITIATOR_ERROR, 'both C and T bits set');
    if (csg !== this.stage || csg === 2 || csg === LoginStage.FULL_FEATURE_PHASE) {
      throw new LoginReject(LoginStatus.INITIATOR_ERROR, `login request in stage ${csg}, expected ${this.stage}`);
    }
    if (transit && (nsg <= csg || nsg === 2)) throw new LoginReject(LoginStatus.INITIATOR_ERROR, `invalid NSG ${nsg} from stage ${csg}`);

    // Text split over several PDUs (C bit): acknowledge each part with an empty response, answer the whole.
    this.partialBytes += pdu.data.length;
    if (this.partialBytes > MAX_LOGIN_TEXT) throw new LoginReject(LoginStatus.INITIATOR_ERROR, 'login text too long');
    this.partialText.push(pdu.data);
    if (cont) return { response: this.response(req, LoginStatus.SUCCESS, false, 0, []) };
    const text = Buffer.concat(this.partialText);
    this.partialText = [];
    this.partialBytes = 0;
    const pairs = parseTextData(text);
    const keys = new Map<string, string>();
    for (const [k, v] of pairs) {
      if (keys.has(k)) throw new LoginReject(LoginStatus.INITIATOR_ERROR, `key ${k} sent twice`);
      keys.set(k, v);
    }

    const out: TextPair[] = [];
    if (this.first) {
      this.first = false;
      this.identify(keys, out);
    }
    const rest = pairs.filter(([k]) => !['InitiatorName', 'InitiatorAlias', 'SessionType', 'TargetName'].includes(k));
    const securityPairs = rest.filter(([k]) => k === 'AuthMethod' || CHAP_KEYS.has(k));
    const operational = rest.filter(([k]) => k !== 'AuthMethod' && !CHAP_KEYS.has(k));

    let canTransit = true;
    if (csg === LoginStage.SECURITY_NEGOTIATION) {
      out.push(...this.security(new Map(securityPairs)));
      canTransit = this.securityDone();
      if (transit && !canTransit && this.authMethod === undefined && this.credentials) {
        throw new LoginReject(LoginStatus.AUTHENTICATION_FAILURE, 'initiator skipped authentication');
      }
    } else {
      if (securityPairs.length > 0) throw new LoginReject(LoginStatus.INITIATOR_ERROR, 'security keys in the operational stage');
      if (!this.securityDone()) throw new LoginReject(LoginStatus.AUTHENTICATION_FAILURE, 'authentication required');
    }
    // Our MaxRecvDataSegmentLength goes in the operational stage, or in a security response that goes straight to FFP.
    const declare = csg === LoginStage.LOGIN_OPERATIONAL_NEGOTIATION || (transit && canTransit && nsg === LoginStage.FULL_FEATURE_PHASE);
    out.push(...this.operational().respond(operational, declare));

    if (!transit || !canTransit) return { response: this.response(req, LoginStatus.SUCCESS, false, 0, out) };
    if (nsg !== LoginStage.FULL_FEATURE_PHASE) {
      this.stage = nsg;
      return { response: this.response(req, LoginStatus.SUCCESS, true, nsg, out) };
    }
    const outcome: LoginOutcome = {
      discovery: this.discovery,
      target: this.target,
      initiatorName: this.initiatorName,
      initiatorAlias: this.initiatorAlias,
      isid: this.header.request.isid,
      cid: this.header.request.cid,
      params: this.operational().parameters(),
      cmdSN: this.header.request.cmdSN,
    };
    this.tsih = this.ctx.establish(outcome);
    return { response: this.response(req, LoginStatus.SUCCESS, true, nsg, out), outcome };
  }

  /** First request: who is logging in, to what (11.12, 13.x leading keys). */
  private identify(keys: ReadonlyMap<string, string>, out: TextPair[]): void {
    const initiatorName = keys.get('InitiatorName');
    if (!initiatorName) throw new LoginReject(LoginStatus.MISSING_PARAMETER, 'InitiatorName missing');
    if (initiatorName.length > 223) throw new LoginReject(LoginStatus.INITIATOR_ERROR, 'InitiatorName longer than 223 bytes');
    this.initiatorName = initiatorName;
    this.initiatorAlias = keys.get('InitiatorAlias');
    const type = keys.get('SessionType') ?? 'Normal';
    if (type !== 'Normal' && type !== 'Discovery') throw new LoginReject(LoginStatus.SESSION_TYPE_NOT_SUPPORTED, `SessionType ${type}`);
    this.discovery = type === 'Discovery';
    if (this.tsih !== 0) {
      // MaxConnections is 1: a login with a TSIH would add a connection to a session.
      if (!this.ctx.sessionExists(this.tsih)) throw new LoginReject(LoginStatus.SESSION_DOES_NOT_EXIST, `no session with TSIH ${this.tsih}`);
      throw new LoginReject(LoginStatus.TOO_MANY_CONNECTIONS, `login to existing session TSIH ${this.tsih}`);
    }
    if (this.discovery) {
      this.credentials = this.ctx.discoveryChap;
      this.refuseDuringLockout();
      return;
    }
    const targetName = keys.get('TargetName');
    if (!targetName) throw new LoginReject(LoginStatus.MISSING_PARAMETER, 'TargetName missing');
    const target = this.ctx.registry.find(targetName);
    if (!target) {
      // Another node of a cluster serves it: the initiator is sent there (it retries at that portal).
      const elsewhere = this.ctx.registry.remoteTargets?.().find((t) => t.name.toLowerCase() === targetName.toLowerCase());
      if (elsewhere && isInitiatorAllowed(elsewhere, initiatorName)) {
        throw new LoginReject(LoginStatus.TARGET_MOVED_TEMPORARILY, `target "${elsewhere.name}" is served at ${elsewhere.address}`, true,
          [['TargetAddress', `${elsewhere.address},${elsewhere.portalGroupTag}`]]);
      }
      throw new LoginReject(LoginStatus.NOT_FOUND, `target "${targetName.slice(0, 223)}" not found`);
    }
    if (!isInitiatorAllowed(target, initiatorName)) {
      throw new LoginReject(LoginStatus.AUTHORIZATION_FAILURE, `initiator "${initiatorName}" is not allowed on ${target.name}`);
    }
    this.target = target;
    this.credentials = target.access.chap;
    this.refuseDuringLockout();
    // 13.9: TargetPortalGroupTag in the first Login Response of a normal session.
    out.push(['TargetPortalGroupTag', String(target.portalGroupTag)]);
    if (target.alias) out.push(['TargetAlias', target.alias]);
  }

  private security(keys: ReadonlyMap<string, string>): TextPair[] {
    const out: TextPair[] = [];
    const offered = keys.get('AuthMethod');
    if (offered !== undefined) {
      if (this.authMethod !== undefined) throw new LoginReject(LoginStatus.INITIATOR_ERROR, 'AuthMethod negotiated twice');
      const accepted = this.credentials ? 'CHAP' : 'None';
      if (!offered.split(',').includes(accepted)) {
        throw new LoginReject(LoginStatus.AUTHENTICATION_FAILURE, `AuthMethod ${offered.slice(0, 64)} refused, ${accepted} required`);
      }
      this.authMethod = accepted;
      if (this.credentials) this.chap = new ChapAuthenticator(this.credentials);
      out.push(['AuthMethod', accepted]);
    }
    const chapKeys = new Map([...keys].filter(([k]) => CHAP_KEYS.has(k)));
    if (chapKeys.size > 0) {
      if (!this.chap) throw new LoginReject(LoginStatus.INITIATOR_ERROR, 'CHAP keys without AuthMethod=CHAP');
      out.push(...this.chapStep(this.chap, chapKeys));
    }
    return out;
  }

  /** One CHAP step, counted by the server's failure policy. */
  private chapStep(chap: ChapAuthenticator, keys: ReadonlyMap<string, string>): TextPair[] {
    const source = { initiatorName: this.initiatorName, address: this.ctx.remoteAddress };
    try {
      const out = chap.step(keys);
      if (chap.authenticated) this.ctx.chapBackoff?.succeeded(source);
      return out;
    } catch (err) {
      if (err instanceof LoginReject && err.status === LoginStatus.AUTHENTICATION_FAILURE) this.ctx.chapBackoff?.failed(source);
      throw err;
    }
  }

  /** A login that needs CHAP, from a name or address locked out by the failure policy, ends here. */
  private refuseDuringLockout(): void {
    if (!this.credentials || !this.ctx.chapBackoff) return;
    const leftMs = this.ctx.chapBackoff.lockedFor({ initiatorName: this.initiatorName, address: this.ctx.remoteAddress });
    if (leftMs > 0) {
      throw new LoginReject(LoginStatus.AUTHENTICATION_FAILURE, `locked out after repeated CHAP failures for ${Math.ceil(leftMs / 1000)} s more`, true);
    }
  }

  private securityDone(): boolean {
    if (!this.credentials) return true;
    return this.chap?.authenticated === true;
  }

  private operational(): OperationalNegotiation {
    this.negotiation ??= new OperationalNegotiation(this.ctx.limits, this.discovery);
    return this.negotiation;
  }

  private response(req: Buffer, status: number, transit: boolean, nsg: number, pairs: readonly TextPair[]): { bhs: Buffer; data: Buffer } {
    const csg = (req[Bhs.FLAGS] >> 2) & 0x03;
    const bhs = newBhs(PduOpcode.LOGIN_RESPONSE, (transit ? LoginBhs.FLAG_TRANSIT | nsg : 0) | (csg << 2), 0);
    bhs[LoginBhs.VERSION_MAX] = 0;
    bhs[LoginBhs.VERSION_MIN] = 0;
    req.copy(bhs, LoginBhs.ISID, LoginBhs.ISID, LoginBhs.ISID + 6);
    bhs.writeUInt16BE(status === LoginStatus.SUCCESS ? this.tsih : 0, LoginBhs.TSIH);
    req.copy(bhs, Bhs.INITIATOR_TASK_TAG, Bhs.INITIATOR_TASK_TAG, Bhs.INITIATOR_TASK_TAG + 4);
    bhs.writeUInt32BE(this.statSN, Bhs.STAT_SN);
    // 11.13.4: each Login Response carries the next StatSN.
    if (status === LoginStatus.SUCCESS) this.statSN = (this.statSN + 1) >>> 0;
    const cmdSN = req.readUInt32BE(Bhs.CMD_SN);
    bhs.writeUInt32BE(cmdSN, Bhs.EXP_CMD_SN);
    bhs.writeUInt32BE((cmdSN + this.ctx.queueDepth - 1) >>> 0, Bhs.MAX_CMD_SN);
    bhs[LoginBhs.STATUS_CLASS] = status >> 8;
    bhs[LoginBhs.STATUS_DETAIL] = status & 0xff;
    return { bhs, data: encodeTextData(pairs) };
  }
}

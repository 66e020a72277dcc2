// RFC 7143 11.18-11.19 NOP-Out/NOP-In, 11.10-11.11 Text, 11.14-11.15 Logout: the small requests of full feature phase.
import { IscsiProtocolError } from './iscsi-protocol-error.js';
import { KEYS_BY_NAME } from './negotiation-keys.js';
import {
  Bhs, FINAL_BIT, LogoutBhs, LogoutReason, LogoutResponse, PduOpcode, RESERVED_TAG, RejectReason, TextBhs, newBhs,
} from './pdu.js';
import type { ReceivedPdu } from './pdu-reader.js';
import { sendTargets } from './send-targets.js';
import type { IscsiSession } from './session.js';
import { encodeTextData, parseTextData } from './text-data.js';
import type { TextPair } from './text-data.js';

/** Text requests may span PDUs (C bit); more than this is refused. */
const MAX_TEXT_REQUEST = 65536;

export function handleNopOut(session: IscsiSession, pdu: ReceivedPdu): void {
  const itt = pdu.bhs.readUInt32BE(Bhs.INITIATOR_TASK_TAG);
  const ttt = pdu.bhs.readUInt32BE(Bhs.TARGET_TRANSFER_TAG);
  if (itt === RESERVED_TAG) {
    // An answer to our ping (TTT set) or an initiator ping that wants no answer.
    if (ttt !== RESERVED_TAG) session.conn.pingAnswered(ttt);
    return;
  }
  if (ttt !== RESERVED_TAG) throw new IscsiProtocolError('NOP-Out with both ITT and TTT', RejectReason.PROTOCOL_ERROR, pdu.bhs);
  const bhs = newBhs(PduOpcode.NOP_IN, FINAL_BIT, 0);
  pdu.bhs.copy(bhs, Bhs.LUN, Bhs.LUN, Bhs.LUN + 8);
  bhs.writeUInt32BE(itt, Bhs.INITIATOR_TASK_TAG);
  bhs.writeUInt32BE(RESERVED_TAG, Bhs.TARGET_TRANSFER_TAG);
  // Truncated to the initiator's limit: copied then, so the queued echo does not keep the whole segment alive
  // while only its head counts against the output bound.
  const limit = session.params.initiatorMaxRecvDataSegmentLength;
  const echo = pdu.data.length > limit ? Buffer.from(pdu.data.subarray(0, limit)) : pdu.data;
  session.conn.output.sendStatus(bhs, echo.length > 0 ? echo : undefined);
}

/** Per-session state of a text exchange split over several PDUs. */
interface TextExchange {
  request: Buffer[];
  requestBytes: number;
  /** Response still to send (C bit), and the TTT the initiator must echo to get it. */
  remaining?: Buffer;
  ttt?: number;
}

const exchanges = new WeakMap<IscsiSession, TextExchange>();

export function handleTextRequest(session: IscsiSession, pdu: ReceivedPdu): void {
  const bhs = pdu.bhs;
  const itt = bhs.readUInt32BE(Bhs.INITIATOR_TASK_TAG);
  const ttt = bhs.readUInt32BE(Bhs.TARGET_TRANSFER_TAG);
  const more = (bhs[Bhs.FLAGS] & TextBhs.FLAG_CONTINUE) !== 0;
  let ex = exchanges.get(session);
  if (ttt !== RESERVED_TAG) {
    if (!ex || ex.ttt !== ttt) throw new IscsiProtocolError('Text Request with an unknown TTT', RejectReason.PROTOCOL_ERROR, bhs);
    // The initiator asks for the rest of our long response; otherwise it continues its own long request.
    if (ex.remaining) return sendTextPart(session, itt, bhs, ex);
  } else if (!ex || ex.remaining) {
    ex = { request: [], requestBytes: 0 };
    exchanges.set(session, ex);
  }
  ex.requestBytes += pdu.data.length;
  if (ex.requestBytes > MAX_TEXT_REQUEST) {
    exchanges.delete(session);
    throw new IscsiProtocolError('Text Request too long', RejectReason.PROTOCOL_ERROR, bhs);
  }
  ex.request.push(pdu.data);
  if (more) {
    // Acknowledge a partial request with an empty response (11.11.1).
    ex.ttt = session.conn.allocateTtt();
    return sendTextResponse(session, itt, bhs, false, ex.ttt, Buffer.alloc(0));
  }
  const pairs = parseTextData(Buffer.concat(ex.request));
  const out: TextPair[] = [];
  for (const [key, value] of pairs) {
    if (key === 'SendTargets') {
      out.push(...sendTargets(value, session.conn.registry, session.id.initiatorName, session.id.target, session.conn.localPortal));
    } else if (KEYS_BY_NAME.has(key)) {
      // Login keys are not renegotiated in full feature phase.
      out.push([key, 'Reject']);
    } else {
      out.push([key, 'NotUnderstood']);
    }
  }
  ex.request = [];
  ex.requestBytes = 0;
  ex.remaining = encodeTextData(out);
  sendTextPart(session, itt, bhs, ex);
}

function sendTextPart(session: IscsiSession, itt: number, req: Buffer, ex: TextExchange): void {
  const all = ex.remaining ?? Buffer.alloc(0);
  const limit = session.params.initiatorMaxRecvDataSegmentLength;
  if (all.length <= limit) {
    exchanges.delete(session);
    return sendTextResponse(session, itt, req, true, RESERVED_TAG, all);
  }
  ex.remaining = all.subarray(limit);
  ex.ttt = session.conn.allocateTtt();
  sendTextResponse(session, itt, req, false, ex.ttt, all.subarray(0, limit), true);
}

function sendTextResponse(session: IscsiSession, itt: number, req: Buffer, final: boolean, ttt: number, data: Buffer, cont = false): void {
  const bhs = newBhs(PduOpcode.TEXT_RESPONSE, (final ? FINAL_BIT : 0) | (cont ? TextBhs.FLAG_CONTINUE : 0), 0);
  req.copy(bhs, Bhs.LUN, Bhs.LUN, Bhs.LUN + 8);
  bhs.writeUInt32BE(itt, Bhs.INITIATOR_TASK_TAG);
  bhs.writeUInt32BE(ttt, Bhs.TARGET_TRANSFER_TAG);
  session.conn.output.sendStatus(bhs, data.length > 0 ? data : undefined);
}

export function handleLogout(session: IscsiSession, pdu: ReceivedPdu): void {
  const bhs = pdu.bhs;
  const reason = bhs[Bhs.FLAGS] & LogoutBhs.REASON_MASK;
  const cid = bhs.readUInt16BE(LogoutBhs.CID);
  let response: number = LogoutResponse.CLOSED_SUCCESSFULLY;
  if (reason === LogoutReason.REMOVE_CONNECTION_FOR_RECOVERY) response = LogoutResponse.CONNECTION_RECOVERY_NOT_SUPPORTED;
  else if (reason === LogoutReason.CLOSE_CONNECTION && cid !== session.conn.cid) response = LogoutResponse.CID_NOT_FOUND;
  else if (reason !== LogoutReason.CLOSE_SESSION && reason !== LogoutReason.CLOSE_CONNECTION) {
    throw new IscsiProtocolError(`logout reason ${reason}`, RejectReason.INVALID_PDU_FIELD, bhs);
  }
  const itt = bhs.readUInt32BE(Bhs.INITIATOR_TASK_TAG);
  const closing = response === LogoutResponse.CLOSED_SUCCESSFULLY;
  if (closing) session.logoutRequested = true;
  // Commands already received finish and get their responses before the Logout Response (11.14).
  const wait = closing ? session.idle() : Promise.resolve();
  void wait.then(
    () => {
      const out = newBhs(PduOpcode.LOGOUT_RESPONSE, FINAL_BIT, 0);
      out[LogoutBhs.RESPONSE] = response;
      out.writeUInt32BE(itt, Bhs.INITIATOR_TASK_TAG);
      session.conn.output.sendStatus(out);
      if (closing) session.conn.closeAfterFlush('logout');
    },
    (err: unknown) => session.conn.log.error({ err }, 'logout failed'),
  ).catch((err: unknown) => session.conn.log.error({ err }, 'logout response failed'));
}

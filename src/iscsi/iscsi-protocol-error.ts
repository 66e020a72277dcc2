// The transport layer's error type: a peer broke the protocol. The connection answers with a Reject PDU
// carrying `reason` (and the offending header), or drops the connection when it cannot resynchronise.
import type { RejectReason } from './pdu.js';

export class IscsiProtocolError extends Error {
  constructor(
    message: string,
    readonly reason: RejectReason,
    /** The header of the PDU at fault, echoed in the Reject. */
    readonly bhs?: Buffer,
    /** True when the byte stream cannot be trusted any more (framing, header digest): drop the connection. */
    readonly fatal = false,
  ) {
    super(message);
    this.name = 'IscsiProtocolError';
  }
}

// Cuts the target's byte stream into PDUs: accumulate and loop, leftover bytes kept for the next chunk. Every length
// is checked against our declared MaxRecvDataSegmentLength before anything is buffered, and digests are checked
// before a PDU is handed on.
import { crc32c } from '../crc32c.js';
import { Bhs, BHS_LENGTH, type Pdu } from './pdu.js';

export class InitiatorProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InitiatorProtocolError';
  }
}

export interface FramerOptions {
  readonly maxDataSegmentLength: number;
  readonly digests: () => { readonly header: boolean; readonly data: boolean };
  readonly onPdu: (pdu: Pdu) => void;
}

export class PduFramer {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly options: FramerOptions) {}

  /** Feed bytes; throws InitiatorProtocolError for a stream that cannot be framed (the connection must be dropped). */
  push(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    for (;;) {
      if (this.pendingBytes < BHS_LENGTH) return;
      const head = this.peek(BHS_LENGTH);
      const ahsLength = head[Bhs.TOTAL_AHS_LENGTH] * 4;
      const dataLength = head.readUIntBE(Bhs.DATA_SEGMENT_LENGTH, 3);
      if (dataLength > this.options.maxDataSegmentLength) {
        throw new InitiatorProtocolError(
          `the target sent a data segment of ${dataLength} bytes, over our MaxRecvDataSegmentLength ${this.options.maxDataSegmentLength}`,
        );
      }
      const digests = this.options.digests();
      const headerEnd = BHS_LENGTH + ahsLength + (digests.header ? 4 : 0);
      const padded = (dataLength + 3) & ~3;
      const total = headerEnd + padded + (digests.data && dataLength > 0 ? 4 : 0);
      if (this.pendingBytes < total) return;
      const bytes = this.take(total);
      if (digests.header) {
        const want = crc32c(bytes.subarray(0, BHS_LENGTH + ahsLength));
        if (bytes.readUInt32LE(BHS_LENGTH + ahsLength) !== want) throw new InitiatorProtocolError('header digest mismatch');
      }
      if (digests.data && dataLength > 0) {
        const want = crc32c(bytes.subarray(headerEnd, headerEnd + padded));
        if (bytes.readUInt32LE(headerEnd + padded) !== want) throw new InitiatorProtocolError('data digest mismatch');
      }
      this.options.onPdu({ bhs: bytes.subarray(0, BHS_LENGTH), data: bytes.subarray(headerEnd, headerEnd + dataLength) });
    }
  }

  private peek(n: number): Buffer {
    if (this.pending[0].length >= n) return this.pending[0];
    const joined = Buffer.concat(this.pending);
    this.pending = [joined];
    return joined;
  }

  private take(n: number): Buffer {
    const first = this.peek(n);
    const out = first.subarray(0, n);
    const rest = first.subarray(n);
    this.pending = rest.length > 0 ? [rest, ...this.pending.slice(1)] : this.pending.slice(1);
    this.pendingBytes -= n;
    return out;
  }
}

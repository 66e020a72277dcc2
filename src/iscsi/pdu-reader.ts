// RFC 7143 11.2 framing: accumulate-and-loop over a byte stream, cutting it into PDUs. Every length is checked
// against the negotiated limit before a byte of the data segment is buffered, and a data segment is copied
// exactly once: from the socket chunk into its final place (the command's data-out buffer when the connection
// says so, a fresh buffer of the exact size otherwise).
import { crc32c } from '../crc32c.js';
import { IscsiProtocolError } from './iscsi-protocol-error.js';
import { BHS_LENGTH, DIGEST_LENGTH, RejectReason, dataSegmentLengthOf, paddedLength, totalAhsBytesOf } from './pdu.js';
import type { Pdu } from './pdu.js';

export interface ReceivedPdu extends Pdu {
  /** The data digest did not match: the data segment must not be used. */
  readonly dataDigestError: boolean;
}

export interface PduReaderOptions {
  /** Largest data segment accepted now: our declared MaxRecvDataSegmentLength (8192 during login). */
  maxDataSegmentLength(): number;
  headerDigest(): boolean;
  dataDigest(): boolean;
  /**
   * Where the data segment of this PDU should land: a region of exactly `length` bytes, or undefined for a fresh
   * buffer. Called once the header is complete and checked. May throw IscsiProtocolError to refuse the PDU.
   */
  placeData?(bhs: Buffer, ahs: Buffer, length: number): Buffer | undefined;
  onPdu(pdu: ReceivedPdu): void;
}

const State = { HEADER: 0, AHS: 1, DATA: 2, TRAILER: 3, STOPPED: 4 } as const;
type State = (typeof State)[keyof typeof State];

export function digestOf(...parts: readonly Buffer[]): number {
  let crc = 0;
  for (const p of parts) crc = crc32c(p, crc);
  return crc;
}

export class PduReader {
  private readonly pending: Buffer[] = [];
  private pendingBytes = 0;
  private state: State = State.HEADER;
  private bhs: Buffer = Buffer.alloc(0);
  private ahs: Buffer = Buffer.alloc(0);
  private data: Buffer = Buffer.alloc(0);
  private filled = 0;
  private headerDigestOn = false;
  private dataDigestOn = false;
  /**
   * The region last handed out by inPlaceTarget(), until the read into it is reported. The transport chooses where
   * its next read lands right after the previous read is processed, and the reader may be stopped (a logout, a
   * close) before that read completes: the lease keeps the region owned by the reader until then, and the bytes
   * that land in it after a stop are discarded with it.
   */
  private lease: Buffer | undefined;
  /** No PDU is started while held (output-flow.ts): the bytes received meanwhile wait, copied, until release(). */
  private held = false;

  constructor(private readonly options: PduReaderOptions) {}

  /**
   * Bytes held that are not yet part of a complete PDU (excluding a data segment already placed): at most one header
   * while reading, plus the rest of the last read while held.
   */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /** True while a PDU has started but is not complete: a stalled peer mid-PDU. */
  get midPdu(): boolean {
    return this.state !== State.HEADER || this.pendingBytes > 0;
  }

  /** Stop framing: later bytes are ignored (the connection is closing), including a read already under way. */
  stop(): void {
    this.state = State.STOPPED;
    this.pending.length = 0;
    this.pendingBytes = 0;
  }

  /** Deliver no further PDU until release(): the one under way is completed, the bytes after it wait. */
  hold(): void {
    this.held = true;
  }

  /** Deliver the PDUs waiting since hold() (which may hold again). Throws IscsiProtocolError. */
  release(): void {
    if (!this.held) return;
    this.held = false;
    this.run();
  }

  get isHeld(): boolean {
    return this.held;
  }

  /**
   * Feed bytes; complete PDUs are delivered to onPdu synchronously. Throws IscsiProtocolError.
   * Keeps no reference to `chunk` once it returns (the caller reuses its read buffer): the few bytes of an
   * incomplete header or trailer left at the end are copied.
   */
  push(chunk: Buffer): void {
    try {
      this.consume(chunk);
    } finally {
      if (this.pending.length > 0) this.ownPending();
    }
  }

  /**
   * Where the transport may read the next bytes straight into place: the rest of the data segment being received,
   * when at least `minBytes` of it are missing and nothing is pending. Report what landed with receivedInPlace().
   */
  inPlaceTarget(minBytes: number): Buffer | undefined {
    this.lease = undefined;
    if (this.state !== State.DATA || this.pendingBytes > 0 || this.data.length - this.filled < minBytes) return undefined;
    this.lease = this.data.subarray(this.filled);
    return this.lease;
  }

  /**
   * `bytes` were read into `into`, the buffer inPlaceTarget() returned last (and nothing else arrived meanwhile).
   * After stop() they are discarded.
   */
  receivedInPlace(bytes: number, into: Buffer): void {
    const lease = this.lease;
    this.lease = undefined;
    if (lease === undefined || into !== lease || bytes > lease.length) {
      throw new Error('receivedInPlace() without a matching inPlaceTarget()');
    }
    if (this.state === State.STOPPED) return;
    this.filled += bytes;
    if (this.filled === this.data.length) {
      this.state = State.TRAILER;
      this.run();
    }
  }

  private consume(chunk: Buffer): void {
    // A read into the shared buffer: whatever region was offered before was not used.
    this.lease = undefined;
    if (this.state === State.STOPPED || chunk.length === 0) return;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    this.run();
  }

  /** Advance the state machine over the pending bytes. */
  private run(): void {
    for (;;) {
      switch (this.state) {
        case State.HEADER:
          if (this.held || this.pendingBytes < BHS_LENGTH) return;
          this.startPdu();
          break;
        case State.AHS: {
          const need = this.ahs.length + (this.headerDigestOn ? DIGEST_LENGTH : 0);
          if (this.pendingBytes < need) return;
          this.finishHeader();
          break;
        }
        case State.DATA: {
          const n = Math.min(this.pendingBytes, this.data.length - this.filled);
          this.take(this.data, this.filled, n);
          this.filled += n;
          if (this.filled < this.data.length) return;
          this.state = State.TRAILER;
          break;
        }
        case State.TRAILER: {
          const pad = paddedLength(this.data.length) - this.data.length;
          const need = pad + (this.dataDigestOn ? DIGEST_LENGTH : 0);
          if (this.pendingBytes < need) return;
          const trailer = Buffer.alloc(need);
          this.take(trailer, 0, need);
          let digestError = false;
          if (this.dataDigestOn) {
            const expected = digestOf(this.data, trailer.subarray(0, pad));
            digestError = trailer.readUInt32LE(pad) !== expected;
          }
          this.deliver(digestError);
          break;
        }
        default:
          return; // stopped
      }
    }
  }

  private startPdu(): void {
    const bhs = Buffer.alloc(BHS_LENGTH);
    this.take(bhs, 0, BHS_LENGTH);
    this.bhs = bhs;
    const dsl = dataSegmentLengthOf(bhs);
    const limit = this.options.maxDataSegmentLength();
    if (dsl > limit) {
      throw new IscsiProtocolError(
        `DataSegmentLength ${dsl} exceeds MaxRecvDataSegmentLength ${limit}`, RejectReason.PROTOCOL_ERROR, bhs, true);
    }
    this.headerDigestOn = this.options.headerDigest();
    this.dataDigestOn = this.options.dataDigest();
    this.ahs = Buffer.alloc(totalAhsBytesOf(bhs));
    this.state = State.AHS;
  }

  private finishHeader(): void {
    this.take(this.ahs, 0, this.ahs.length);
    if (this.headerDigestOn) {
      const d = Buffer.alloc(DIGEST_LENGTH);
      this.take(d, 0, DIGEST_LENGTH);
      if (d.readUInt32LE(0) !== digestOf(this.bhs, this.ahs)) {
        // The lengths in this header cannot be trusted, so the stream cannot be resynchronised (7.8).
        throw new IscsiProtocolError('header digest error', RejectReason.PROTOCOL_ERROR, this.bhs, true);
      }
    }
    const dsl = dataSegmentLengthOf(this.bhs);
    if (dsl === 0) {
      this.data = Buffer.alloc(0);
      this.deliver(false);
      return;
    }
    this.data = this.options.placeData?.(this.bhs, this.ahs, dsl) ?? Buffer.allocUnsafe(dsl);
    if (this.data.length !== dsl) throw new Error(`placeData returned ${this.data.length} bytes for ${dsl}`);
    this.filled = 0;
    this.state = State.DATA;
  }

  private deliver(dataDigestError: boolean): void {
    const pdu: ReceivedPdu = { bhs: this.bhs, ahs: this.ahs, data: this.data, dataDigestError };
    this.state = State.HEADER;
    this.data = Buffer.alloc(0);
    this.options.onPdu(pdu);
  }

  /** Replaces the views of pending bytes (which may point into the caller's buffer) with one copy. */
  private ownPending(): void {
    const own = Buffer.allocUnsafe(this.pendingBytes);
    let at = 0;
    for (const part of this.pending) at += part.copy(own, at);
    this.pending.length = 0;
    this.pending.push(own);
  }

  /** Move n bytes from the front of the pending chunks into target at offset. */
  private take(target: Buffer, offset: number, n: number): void {
    let left = n;
    let at = offset;
    while (left > 0) {
      const head = this.pending[0];
      const k = Math.min(left, head.length);
      head.copy(target, at, 0, k);
      at += k;
      left -= k;
      if (k === head.length) this.pending.shift();
      else this.pending[0] = head.subarray(k);
    }
    this.pendingBytes -= n;
  }
}

// RFC 7143 11.2: serialise a target PDU as the list of buffers that go on the wire together (BHS, header digest,
// data segment, padding, data digest). The data segment is never copied: it is passed through as given.
import { DIGEST_LENGTH, paddedLength, setDataSegmentLength } from './pdu.js';
import { digestOf } from './pdu-reader.js';

export interface DigestSettings {
  readonly headerDigest: boolean;
  readonly dataDigest: boolean;
}

const PAD = Buffer.alloc(3);

/** The wire form of one PDU. `bhs` is completed in place with the data segment length. */
export function encodePdu(bhs: Buffer, data: Buffer | undefined, digests: DigestSettings): Buffer[] {
  const length = data?.length ?? 0;
  setDataSegmentLength(bhs, length);
  const parts: Buffer[] = [bhs];
  if (digests.headerDigest) parts.push(u32le(digestOf(bhs)));
  if (data && length > 0) {
    parts.push(data);
    const pad = PAD.subarray(0, paddedLength(length) - length);
    if (digests.dataDigest) {
      const trailer = Buffer.alloc(pad.length + DIGEST_LENGTH);
      trailer.writeUInt32LE(digestOf(data, pad), pad.length);
      parts.push(trailer);
    } else if (pad.length > 0) {
      parts.push(pad);
    }
  }
  return parts;
}

/** iSCSI digests go on the wire least significant byte first (RFC 7143 B.4 test vectors). */
function u32le(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n, 0);
  return b;
}

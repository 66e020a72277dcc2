// Sense data from a physical device, decoded (fixed and descriptor formats, SPC-4 4.5) and put into words with the
// one sense catalogue's spellings (scsi/sense.ts), so that a failed job says what the device said.
import { SenseKey, SenseReason, type SenseReasonName } from '../scsi/sense.js';

export interface DecodedSense {
  readonly key: number;
  readonly asc: number;
  readonly ascq: number;
  readonly filemark: boolean;
  readonly eom: boolean;
  readonly ili: boolean;
  /** The INFORMATION field when VALID (a residue for READ/WRITE/SPACE), signed. */
  readonly information?: number;
  readonly deferred: boolean;
}

export function decodeSense(b: Buffer): DecodedSense | undefined {
  if (b.length < 1) return undefined;
  const code = b[0] & 0x7f;
  if (code === 0x70 || code === 0x71) {
    const valid = (b[0] & 0x80) !== 0 && b.length >= 7;
    return {
      key: (b[2] ?? 0) & 0x0f,
      asc: b[12] ?? 0,
      ascq: b[13] ?? 0,
      filemark: ((b[2] ?? 0) & 0x80) !== 0,
      eom: ((b[2] ?? 0) & 0x40) !== 0,
      ili: ((b[2] ?? 0) & 0x20) !== 0,
      ...(valid ? { information: b.readInt32BE(3) } : {}),
      deferred: code === 0x71,
    };
  }
  if (code === 0x72 || code === 0x73) {
    let information: number | undefined;
    let flags = 0;
    for (let at = 8; at + 2 <= b.length; at += 2 + b[at + 1]) {
      if (b[at] === 0x00 && at + 12 <= b.length && (b[at + 2] & 0x80) !== 0) information = Number(b.readBigInt64BE(at + 4));
      if (b[at] === 0x04 && at + 4 <= b.length) flags = b[at + 3];
    }
    return {
      key: (b[1] ?? 0) & 0x0f,
      asc: b[2] ?? 0,
      ascq: b[3] ?? 0,
      filemark: (flags & 0x80) !== 0,
      eom: (flags & 0x40) !== 0,
      ili: (flags & 0x20) !== 0,
      ...(information !== undefined ? { information } : {}),
      deferred: code === 0x73,
    };
  }
  return undefined;
}

const hex = (n: number): string => n.toString(16).padStart(2, '0');
const words = (name: string): string => name.replaceAll('_', ' ');

/** "VOLUME OVERFLOW: END OF PARTITION MEDIUM DETECTED (0d 00/02)". */
export function senseWords(s: DecodedSense): string {
  const key = Object.entries(SenseKey).find(([, v]) => v === s.key)?.[0] ?? `SENSE KEY ${hex(s.key)}`;
  const names = Object.keys(SenseReason) as SenseReasonName[];
  const reason =
    names.find((n) => SenseReason[n].asc === s.asc && SenseReason[n].ascq === s.ascq && SenseReason[n].key === s.key) ??
    names.find((n) => SenseReason[n].asc === s.asc && SenseReason[n].ascq === s.ascq);
  const detail = reason ? words(reason) : `ADDITIONAL SENSE ${hex(s.asc)}/${hex(s.ascq)}`;
  const flags = [s.filemark ? 'filemark' : '', s.eom ? 'end of medium' : '', s.ili ? 'incorrect length' : ''].filter(Boolean);
  return `${words(key)}: ${detail} (${hex(s.key)} ${hex(s.asc)}/${hex(s.ascq)})${flags.length ? ` [${flags.join(', ')}]` : ''}`;
}

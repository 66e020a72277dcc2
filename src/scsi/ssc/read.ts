// SSC-4 READ(6) and READ(16), and the reading part of VERIFY(6)/(16): fixed and variable blocks, SILI, filemark /
// end-of-data / incorrect-length residues.
import { DataDirection } from '../command.js';
import type { CommandDescriptor, CommandResult, DecodedCdb } from '../command.js';
import { ReservationAccess } from '../reservation.js';
import { Sense, SenseError, senseOf } from '../sense.js';
import type { ReadOutcome, TapeMedium } from '../../media/tape-medium.js';
import type { HostReadOutcome } from './encryption/drive-encryption.js';
import { readUint24 } from './cdb-fields.js';
import { mediumErrorToSense } from './medium-errors.js';
import { protectBlock } from './logical-block-protection.js';
import { decodeObjectAddress, decodePartition, locateForRead } from './object-address.js';
import type { ObjectAddressed } from './object-address.js';
import type { TapeDrive } from './tape-drive.js';

const SILI = 0x02;
const FIXED = 0x01;
/** One command moves at most this much; bigger fixed-block requests are refused (INVALID FIELD IN CDB). */
export const MAX_TRANSFER_BYTES = 256 * 1024 * 1024;

export interface ReadRequest {
  readonly fixed: boolean;
  readonly sili: boolean;
  /** Blocks (fixed) or bytes (variable). */
  readonly length: number;
  /** false for VERIFY: the data is checked but not returned. */
  readonly returnData: boolean;
  /** VERIFY with BYTCMP=1: the data the medium must hold. */
  readonly compareWith?: Buffer;
  /** The I_T nexus reading: its data encryption parameters decide what an encrypted block gives. */
  readonly nexusId: string;
}

function firstDifference(a: Buffer, b: Buffer, length: number): number {
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** SSC-4 VERIFY: INFORMATION is the verification length minus what compared successfully. */
function miscompare(residue: number): SenseError {
  return new SenseError(senseOf('MISCOMPARE_DURING_VERIFY_OPERATION', { information: residue }));
}

/**
 * Field checks common to READ(6) and VERIFY(6). A variable-length request larger than the largest block is
 * allowed: the block comes back short with ILI (or silently with SILI), as `dd bs=16M` expects.
 */
export function checkReadFields(drive: TapeDrive, fixed: boolean, sili: boolean, length: number): void {
  if (fixed && sili) throw Sense.invalidFieldInCdb(1, 1);
  if (fixed && length > 0 && drive.mode.blockLength === 0) throw Sense.invalidFieldInCdb(1, 0);
  if (fixed && length * drive.mode.blockLength > MAX_TRANSFER_BYTES) throw Sense.invalidFieldInCdb(2);
}

/** The fields of READ, WRITE and VERIFY (6 and 16) that size their transfer; the 16-byte forms add the address. */
export interface BlockTransferCdb extends DecodedCdb, ObjectAddressed {
  readonly fixed: boolean;
  /** Blocks (fixed) or bytes (variable). */
  readonly length: number;
  /** The block length the transfer was sized with: the drive's when the command arrived. */
  readonly blockLengthAtArrival: number;
}

/** What decoding a block transfer needs of the drive: the current block length, and nothing else. */
export interface BlockLengthSource {
  readonly mode: { readonly blockLength: number };
}

/** Bytes moved by `length` blocks (fixed) or bytes (variable). */
export function blockTransferBytes(fixed: boolean, length: number, blockLength: number): number {
  return fixed ? length * blockLength : length;
}

/**
 * The dispatcher sizes a fixed-block transfer when the command arrives; a MODE SELECT queued before it may have
 * changed the block length since. Refuse rather than move a wrong amount of data.
 */
export function checkBlockLengthUnchanged(decoded: BlockTransferCdb, drive: TapeDrive): void {
  if (decoded.fixed && decoded.length > 0 && decoded.blockLengthAtArrival !== drive.mode.blockLength) throw Sense.invalidFieldInCdb(1, 0);
}

export interface Read6Cdb extends BlockTransferCdb {
  readonly sili: boolean;
}

/** READ(6) and READ(16) keep FIXED and SILI in byte 1; only where the TRANSFER LENGTH sits differs. */
function decodeRead(cdb: Buffer, lengthOffset: number, drive: BlockLengthSource): Read6Cdb {
  const fixed = (cdb[1] & FIXED) !== 0;
  const length = readUint24(cdb, lengthOffset);
  const blockLengthAtArrival = drive.mode.blockLength;
  return {
    direction: length === 0 ? DataDirection.NONE : DataDirection.IN,
    lengthBytes: blockTransferBytes(fixed, length, blockLengthAtArrival),
    fixed,
    sili: (cdb[1] & SILI) !== 0,
    length,
    blockLengthAtArrival,
  };
}

export function decodeRead6(cdb: Buffer, drive: BlockLengthSource): Read6Cdb {
  return decodeRead(cdb, 2, drive);
}

export function decodeRead16(cdb: Buffer, drive: BlockLengthSource): Read6Cdb {
  return { ...decodeRead(cdb, 12, drive), objectIdentifier: decodeObjectAddress(cdb), partition: decodePartition(cdb) };
}

/**
 * Run `read` on the medium: at the current position (6-byte forms), or after positioning to the CDB's logical object
 * (16-byte forms). The 6-byte path takes no extra step, so the data path of READ(6) stays as it was.
 */
export function atReadPosition(
  drive: TapeDrive,
  decoded: BlockTransferCdb,
  read: (medium: TapeMedium) => Promise<CommandResult>,
): Promise<CommandResult> {
  const id = decoded.objectIdentifier;
  if (id === undefined) return drive.withMedium(read);
  return drive.withMedium(async (medium) => {
    await locateForRead(medium, id, decoded.length, decoded.partition);
    return read(medium);
  });
}

/** Read per SSC-4 READ(6) from the current position; the medium is ready (called inside withMedium). */
export function readObjects(drive: TapeDrive, medium: TapeMedium, req: ReadRequest): Promise<CommandResult> {
  return req.fixed ? readFixed(drive, medium, req) : readVariable(drive, medium, req);
}

async function readOne(drive: TapeDrive, medium: TapeMedium, residue: number, nexusId: string): Promise<HostReadOutcome> {
  let outcome: ReadOutcome;
  try {
    // The key the nexus decrypts with, lent so that the medium opens blocks as it reads them (none: nothing to open).
    const openWith = drive.encryption.readKey(nexusId);
    outcome = await (openWith === undefined ? medium.read() : medium.read({ openWith }));
  } catch (err) {
    throw mediumErrorToSense(err, drive.errorContext(residue));
  }
  // Encrypted blocks are opened with the nexus's key, or refused (DATA PROTECT 74h); the position is past the block.
  const o = drive.encryption.forHost(outcome, nexusId, residue);
  // LBP_R: the host sees each block with its CRC after it (a copy, so a lent block goes back at once).
  if (o.kind !== 'block' || !drive.mode.lbpRead) return o;
  const data = protectBlock(o.data, drive.mode.lbpMethod);
  o.release?.();
  return { kind: 'block', data };
}

async function readVariable(drive: TapeDrive, medium: TapeMedium, req: ReadRequest): Promise<CommandResult> {
  const requested = req.length;
  const o = await readOne(drive, medium, requested, req.nexusId);
  if (o.kind === 'filemark') return { sense: senseOf('FILEMARK_DETECTED', { filemark: true, information: requested }) };
  if (o.kind === 'end-of-data') throw new SenseError(senseOf('END_OF_DATA_DETECTED', { information: requested }));
  const actual = o.data.length;
  if (req.compareWith) {
    const at = firstDifference(o.data, req.compareWith, Math.min(actual, requested));
    if (at >= 0) throw miscompare(requested - at);
  }
  const data = req.returnData ? o.data.subarray(0, Math.min(actual, requested)) : undefined;
  // A lent block goes back to the medium when the transport has sent it (or at once when it is not returned).
  if (!data) o.release?.();
  const withData = data ? (o.release ? { dataIn: data, releaseDataIn: o.release } : { dataIn: data }) : {};
  if (actual === requested) return withData;
  // SSC-4 READ(6): with SILI, an underlength block is no error, and neither is an overlength one while the block
  // descriptor's block length is zero (variable mode).
  const silent = req.sili && (actual < requested || drive.mode.blockLength === 0);
  if (silent) return withData;
  return { ...withData, sense: senseOf('NO_ADDITIONAL_SENSE_INFORMATION', { ili: true, information: requested - actual }) };
}

async function readFixed(drive: TapeDrive, medium: TapeMedium, req: ReadRequest): Promise<CommandResult> {
  const chunks: Buffer[] = [];
  const data = (): { dataIn?: Buffer } => (req.returnData && chunks.length > 0 ? { dataIn: Buffer.concat(chunks) } : {});
  for (let done = 0; done < req.length; done++) {
    const residue = req.length - done;
    const o = await readOne(drive, medium, residue, req.nexusId);
    if (o.kind === 'filemark') return { ...data(), sense: senseOf('FILEMARK_DETECTED', { filemark: true, information: residue }) };
    if (o.kind === 'end-of-data') return { ...data(), sense: senseOf('END_OF_DATA_DETECTED', { information: residue }) };
    if (o.data.length !== drive.mode.blockLength) {
      // The incorrect-length block is passed over but not counted (SSC-4 READ(6), FIXED=1).
      return { ...data(), sense: senseOf('NO_ADDITIONAL_SENSE_INFORMATION', { ili: true, information: residue }) };
    }
    if (req.compareWith) {
      const expected = req.compareWith.subarray(done * drive.mode.blockLength, (done + 1) * drive.mode.blockLength);
      if (firstDifference(o.data, expected, drive.mode.blockLength) >= 0) throw miscompare(residue);
    }
    if (req.returnData) chunks.push(o.data);
  }
  return data();
}

export const read6: CommandDescriptor<TapeDrive, Read6Cdb> = {
  opcode: 0x08,
  name: 'READ(6)',
  cdbUsage: [0x08, SILI | FIXED, 0xff, 0xff, 0xff, 0x00],
  decode: decodeRead6,
  // SPC-4 write exclusive types share reads ("transfers from the medium to the initiator") with every nexus.
  flags: { reservationAccess: ReservationAccess.READ },
  timeoutSeconds: 3600,
  async execute({ decoded, device, nexus }) {
    const { fixed, sili, length } = decoded;
    checkReadFields(device, fixed, sili, length);
    checkBlockLengthUnchanged(decoded, device);
    // A zero-length READ(16) still positions: the locate is its own part of the command.
    if (length === 0) return atReadPosition(device, decoded, () => Promise.resolve({}));
    return atReadPosition(device, decoded, (medium) => readObjects(device, medium, { fixed, sili, length, returnData: true, nexusId: nexus.id }));
  },
};

/** READ(6) with PARTITION and LOGICAL OBJECT IDENTIFIER; FCS/LCS (command sequences) are not supported. */
export const read16: CommandDescriptor<TapeDrive, Read6Cdb> = {
  ...read6,
  opcode: 0x88,
  name: 'READ(16)',
  cdbUsage: [0x88, SILI | FIXED, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00],
  decode: decodeRead16,
};

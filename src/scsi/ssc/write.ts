// SSC-4 WRITE(6)/(16) and WRITE FILEMARKS(6)/(16): fixed and variable blocks, early warning, volume overflow,
// buffered mode. The 16-byte forms share the execution and add the position they expect to write at.
import { DataDirection, NO_TRANSFER } from '../command.js';
import type { CommandDescriptor, CommandResult, DecodedCdb } from '../command.js';
import { Sense, SenseError, senseOf } from '../sense.js';
import type { TapeMedium } from '../../media/tape-medium.js';
import { WormViolationError } from '../../media/tape-medium.js';
import { readUint24 } from './cdb-fields.js';
import { mediumErrorToSense, type WriteCommandSpan } from './medium-errors.js';
import { unprotectBlocks } from './logical-block-protection.js';
import { checkWritePosition, decodeObjectAddress, decodePartition } from './object-address.js';
import type { ObjectAddressed } from './object-address.js';
import { blockTransferBytes, checkBlockLengthUnchanged, MAX_TRANSFER_BYTES } from './read.js';
import type { BlockLengthSource, BlockTransferCdb } from './read.js';
import { TapeAlert } from './tape-alert.js';
import { MAX_BLOCK_LENGTH } from './ssc-mode-state.js';
import type { TapeDrive } from './tape-drive.js';

const FIXED = 0x01;
const IMMED = 0x01;

/** WRITE(6) and WRITE(16) keep FIXED in byte 1; only where the TRANSFER LENGTH sits differs. */
function decodeWrite(cdb: Buffer, lengthOffset: number, drive: BlockLengthSource): BlockTransferCdb {
  const fixed = (cdb[1] & FIXED) !== 0;
  const length = readUint24(cdb, lengthOffset);
  const blockLengthAtArrival = drive.mode.blockLength;
  return {
    direction: length === 0 ? DataDirection.NONE : DataDirection.OUT,
    lengthBytes: blockTransferBytes(fixed, length, blockLengthAtArrival),
    fixed,
    length,
    blockLengthAtArrival,
  };
}

export function decodeWrite6(cdb: Buffer, drive: BlockLengthSource): BlockTransferCdb {
  return decodeWrite(cdb, 2, drive);
}

export function decodeWrite16(cdb: Buffer, drive: BlockLengthSource): BlockTransferCdb {
  return { ...decodeWrite(cdb, 12, drive), objectIdentifier: decodeObjectAddress(cdb), partition: decodePartition(cdb) };
}

export interface WriteFilemarks6Cdb extends DecodedCdb, ObjectAddressed {
  readonly immed: boolean;
  readonly count: number;
}

export function decodeWriteFilemarks6(cdb: Buffer): WriteFilemarks6Cdb {
  return { ...NO_TRANSFER, immed: (cdb[1] & IMMED) !== 0, count: readUint24(cdb, 2) };
}

export function decodeWriteFilemarks16(cdb: Buffer): WriteFilemarks6Cdb {
  return { ...NO_TRANSFER, immed: (cdb[1] & IMMED) !== 0, count: readUint24(cdb, 12), objectIdentifier: decodeObjectAddress(cdb), partition: decodePartition(cdb) };
}

/** Append-only mode (mode page 10h/01h) allows writing only at end of data, or where ALLOW OVERWRITE permitted it. */
function checkAppend(drive: TapeDrive, medium: TapeMedium): void {
  if (drive.mode.appendOnly && !medium.position().atEndOfData && !drive.overwrite.take(medium)) {
    throw new SenseError(senseOf('WRITE_APPEND_POSITION_ERROR'));
  }
}

/** Sense for a write that succeeded inside the early-warning zone (SSC-4 4.2.5: EOM=1, 00/02, NO SENSE). */
function earlyWarning(): CommandResult {
  return { sense: senseOf('END_OF_PARTITION_MEDIUM_DETECTED', { eom: true, information: 0 }) };
}

/**
 * Programmable early warning (page 10h/01h PEWS): whether the position is within PEWS megabytes of early warning.
 * Only asked when PEWS is set, so the usual write path reads no capacity.
 */
function inProgrammableEarlyWarningZone(drive: TapeDrive, medium: TapeMedium): boolean {
  const c = medium.capacity();
  return c.remainingBytes - c.earlyWarningBytes <= drive.mode.pewsMegabytes * 1e6;
}

/**
 * Media whose programmable early warning has been reported since their position last entered the zone. Keyed by the
 * mounted medium, so a new mount starts unreported.
 */
const pewReported = new WeakSet<TapeMedium>();

/**
 * The sense a write that succeeded ends with. Programmable early warning (NO SENSE, EOM=1, 00/07), as IBM's LTO SCSI
 * Reference 4.8 states the SSC-4 rule: reported at the completion of the WRITE or WRITE FILEMARKS that took the
 * position into the zone; when that write also crossed early warning, PROGRAMMABLE EARLY WARNING DETECTED is reported
 * first and early warning on the next write; when the crossing write ended with another exception, the next write in
 * the zone or past early warning that would otherwise be GOOD reports it instead; leaving the zone towards BOP before it
 * was reported (a rewind and an overwrite) forgets it. Otherwise early warning (EOM=1, 00/02, NO SENSE).
 */
function writeOutcome(warned: boolean, pewBefore: boolean | undefined, drive: TapeDrive, medium: TapeMedium): CommandResult {
  if (pewBefore !== undefined && !pewReported.has(medium) && inProgrammableEarlyWarningZone(drive, medium)) {
    pewReported.add(medium);
    return { sense: senseOf('PROGRAMMABLE_EARLY_WARNING_DETECTED', { eom: true, information: 0 }) };
  }
  if (warned) return earlyWarning();
  return {};
}

/**
 * Before a write: undefined when PEWS is 0 (nothing to report), else whether the position is already in the zone. A
 * write that starts outside the zone re-arms the report.
 */
function pewZoneBefore(drive: TapeDrive, medium: TapeMedium): boolean | undefined {
  if (drive.mode.pewsMegabytes === 0) return undefined;
  const inZone = inProgrammableEarlyWarningZone(drive, medium);
  if (!inZone) pewReported.delete(medium);
  return inZone;
}

/** `residue`: INFORMATION for a failure that is not a write fault (VOLUME OVERFLOW); `command` measures a write fault. */
function mapWriteError(drive: TapeDrive, err: unknown, residue: number | undefined, command: WriteCommandSpan): SenseError {
  if (err instanceof WormViolationError) drive.tapeAlert.set(TapeAlert.WORM_MEDIUM_OVERWRITE_ATTEMPTED);
  return mediumErrorToSense(err, { ...drive.errorContext(residue), command });
}

/** The flush that completes a write command (unbuffered mode, WRITE FILEMARKS without IMMED), failing as the command. */
async function flushAs(drive: TapeDrive, medium: TapeMedium, command: WriteCommandSpan): Promise<void> {
  try {
    await medium.flush();
  } catch (err) {
    throw mapWriteError(drive, err, undefined, command);
  }
}

export const write6: CommandDescriptor<TapeDrive, BlockTransferCdb> = {
  opcode: 0x0a,
  name: 'WRITE(6)',
  cdbUsage: [0x0a, FIXED, 0xff, 0xff, 0xff, 0x00],
  decode: decodeWrite6,
  timeoutSeconds: 3600,
  async execute({ decoded, dataOut, device, nexus }) {
    const { fixed, length } = decoded;
    checkBlockLengthUnchanged(decoded, device);
    if (fixed && length > 0 && device.mode.blockLength === 0) throw Sense.invalidFieldInCdb(1, 0);
    if (!fixed && length > MAX_BLOCK_LENGTH) throw Sense.invalidFieldInCdb(2);
    if (fixed && length * device.mode.blockLength > MAX_TRANSFER_BYTES) throw Sense.invalidFieldInCdb(2);
    if (length === 0) {
      await device.withMedium((medium) => Promise.resolve(checkWritePosition(decoded, medium)));
      return {};
    }
    return device.withMedium(async (medium) => {
      checkWritePosition(decoded, medium);
      checkAppend(device, medium);
      const blocks = fixed ? length : 1;
      const size = fixed ? device.mode.blockLength : length;
      // Residue: blocks (fixed) or bytes (variable) not written.
      const command: WriteCommandSpan = {
        firstObject: medium.position().objectNumber,
        residueAfter: (written) => (fixed ? blocks - Math.min(written, blocks) : written > 0 ? 0 : length),
      };
      const pewBefore = pewZoneBefore(device, medium);
      // LBP_W: every block is checked (and its CRC stripped) before any is written.
      const protectedBlocks = device.mode.lbpWrite
        ? unprotectBlocks(Array.from({ length: blocks }, (_, i) => dataOut.subarray(i * size, (i + 1) * size)), device.mode.lbpMethod, fixed ? blocks : length)
        : undefined;
      let warned = false;
      // SSC-4 encryption mode ENCRYPT: the nexus's key seals every block of the command (compressed first).
      const encrypt = device.encryption.writeKey(nexus.id);
      const options = encrypt === undefined ? { compress: device.mode.compression } : { compress: device.mode.compression, encrypt };
      for (let i = 0; i < blocks; i++) {
        try {
          const block = protectedBlocks ? protectedBlocks[i] : dataOut.subarray(i * size, (i + 1) * size);
          const outcome = await medium.write(block, options);
          warned ||= outcome.earlyWarning;
        } catch (err) {
          throw mapWriteError(device, err, fixed ? blocks - i : length, command);
        }
      }
      if (device.mode.bufferedMode === 0) await flushAs(device, medium, command);
      return writeOutcome(warned, pewBefore, device, medium);
    }, { write: true });
  },
};

export const writeFilemarks6: CommandDescriptor<TapeDrive, WriteFilemarks6Cdb> = {
  opcode: 0x10,
  name: 'WRITE FILEMARKS(6)',
  // WSMK (setmarks) is not supported: bit 1 of byte 1 is outside the mask and refused.
  cdbUsage: [0x10, IMMED, 0xff, 0xff, 0xff, 0x00],
  decode: decodeWriteFilemarks6,
  timeoutSeconds: 600,
  async execute({ decoded, device }) {
    const { immed, count } = decoded;
    if (count === 0) {
      // WRITE FILEMARKS 0 is the portable way to flush the buffer to the medium (SSC-4).
      await device.withMedium((medium) => {
        checkWritePosition(decoded, medium);
        return medium.flush();
      });
      return {};
    }
    return device.withMedium(async (medium) => {
      checkWritePosition(decoded, medium);
      checkAppend(device, medium);
      const command: WriteCommandSpan = { firstObject: medium.position().objectNumber, residueAfter: (written) => count - Math.min(written, count) };
      const pewBefore = pewZoneBefore(device, medium);
      let warned: boolean;
      try {
        warned = (await medium.writeFilemarks(count)).earlyWarning;
      } catch (err) {
        throw mapWriteError(device, err, count, command);
      }
      // Without IMMED the command completes when the buffer is on the medium; with IMMED it is buffered only.
      if (!immed || device.mode.bufferedMode === 0) await flushAs(device, medium, command);
      return writeOutcome(warned, pewBefore, device, medium);
    }, { write: true });
  },
};

/** WRITE(6) at a named position; FCS/LCS (command sequences) are not supported. */
export const write16: CommandDescriptor<TapeDrive, BlockTransferCdb> = {
  ...write6,
  opcode: 0x8a,
  name: 'WRITE(16)',
  cdbUsage: [0x8a, FIXED, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00],
  decode: decodeWrite16,
};

/** WRITE FILEMARKS(6) at a named position; FCS/LCS are not supported, and there are no setmarks in the 16-byte form. */
export const writeFilemarks16: CommandDescriptor<TapeDrive, WriteFilemarks6Cdb> = {
  ...writeFilemarks6,
  opcode: 0x80,
  name: 'WRITE FILEMARKS(16)',
  cdbUsage: [0x80, IMMED, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00],
  decode: decodeWriteFilemarks16,
};

// SPC-4 commands every device type supports. SSC and SMC tables extend this one with `extendTable`.
// Reservation exemptions follow SPC-4 table "SPC commands that are allowed in the presence of various
// reservations" (Exclusive Access column); READ access marks what write exclusive persistent reservations let
// through. RESERVE and RELEASE decide their conflicts themselves (SPC-2 7.23, SPC-4 5.13.3: reserve-release.ts).
import type { CommandDescriptor, CommandTable } from '../command.js';
import { decodeReportLuns, REPORT_LUNS_CDB_USAGE } from '../target.js';
import type { ReportLunsCdb } from '../target.js';
import { decodeInquiry, inquiry } from './inquiry.js';
import type { InquiryCdb } from './inquiry.js';
import { decodeLogSelect, logSelect } from './log-select.js';
import type { LogSelectCdb } from './log-select.js';
import { decodeLogSense, logSense } from './log-sense.js';
import type { LogSenseCdb } from './log-sense.js';
import { decodeModeSelect10, decodeModeSelect6, modeSelect } from './mode-select.js';
import type { ModeSelectCdb } from './mode-select.js';
import { decodeModeSense10, decodeModeSense6, modeSense } from './mode-sense.js';
import type { ModeSenseCdb } from './mode-sense.js';
import { PersistentReserveOpcode, persistentReserveCommands } from './persistent-reserve-commands.js';
import { decodePreventAllow, preventAllowMediumRemoval } from './prevent-allow-medium-removal.js';
import type { PreventAllowCdb } from './prevent-allow-medium-removal.js';
import { reportLuns } from './report-luns.js';
import { decodeReportSupportedOperationCodes, reportSupportedOperationCodes } from './report-supported-operation-codes.js';
import type { ReportSupportedOperationCodesCdb } from './report-supported-operation-codes.js';
import { decodeReadBuffer, decodeWriteBuffer, readBuffer, writeBuffer } from './read-write-buffer.js';
import type { BufferCdb } from './read-write-buffer.js';
import { release, reserve } from './reserve-release.js';
import { decodeRequestSense, requestSense } from './request-sense.js';
import type { RequestSenseCdb } from './request-sense.js';
import type { SpcDevice } from './spc-device.js';
import { testUnitReady } from './test-unit-ready.js';
import { decodeReportTimestamp, decodeSetTimestamp, reportTimestamp, setTimestamp } from './timestamp.js';
import type { TimestampCdb } from './timestamp.js';
import { ReservationAccess } from '../reservation.js';

export const SpcOpcode = {
  TEST_UNIT_READY: 0x00,
  REQUEST_SENSE: 0x03,
  INQUIRY: 0x12,
  MODE_SELECT_6: 0x15,
  RESERVE_6: 0x16,
  RELEASE_6: 0x17,
  MODE_SENSE_6: 0x1a,
  PREVENT_ALLOW_MEDIUM_REMOVAL: 0x1e,
  WRITE_BUFFER: 0x3b,
  READ_BUFFER: 0x3c,
  LOG_SELECT: 0x4c,
  LOG_SENSE: 0x4d,
  MODE_SELECT_10: 0x55,
  RESERVE_10: 0x56,
  RELEASE_10: 0x57,
  MODE_SENSE_10: 0x5a,
  ...PersistentReserveOpcode,
  REPORT_LUNS: 0xa0,
  MAINTENANCE_IN: 0xa3,
  MAINTENANCE_OUT: 0xa4,
} as const;

export const MaintenanceInServiceAction = { REPORT_SUPPORTED_OPERATION_CODES: 0x0c, REPORT_TIMESTAMP: 0x0f } as const;
export const MaintenanceOutServiceAction = { SET_TIMESTAMP: 0x0f } as const;

/** Nominal command timeout reported by REPORT SUPPORTED OPERATION CODES for SPC commands (they never wait on media). */
export const SPC_TIMEOUT_SECONDS = 10;


/** SPC-4 PREVENT ALLOW MEDIUM REMOVAL; device types that add to its effect reuse this entry and replace `execute`. */
export const preventAllowMediumRemovalCommand: CommandDescriptor<SpcDevice, PreventAllowCdb> = {
  opcode: SpcOpcode.PREVENT_ALLOW_MEDIUM_REMOVAL,
  name: 'PREVENT ALLOW MEDIUM REMOVAL',
  cdbUsage: [0x1e, 0x00, 0x00, 0x00, 0x03, 0x00],
  decode: decodePreventAllow,
  // SPC-2 5.5.1: allowing removal (PREVENT=00b) is permitted under another nexus's reservation.
  flags: { allowReservationConflict: (cdb: Buffer) => (cdb[4] & 0x03) === 0 },
  timeoutSeconds: SPC_TIMEOUT_SECONDS,
  execute: preventAllowMediumRemoval,
};

export const spcCommands: CommandTable<SpcDevice> = [
  {
    opcode: SpcOpcode.TEST_UNIT_READY,
    name: 'TEST UNIT READY',
    cdbUsage: [0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
    flags: { allowReservationConflict: true },
    timeoutSeconds: SPC_TIMEOUT_SECONDS,
    execute: testUnitReady,
  },
  {
    opcode: SpcOpcode.REQUEST_SENSE,
    name: 'REQUEST SENSE',
    cdbUsage: [0x03, 0x01, 0x00, 0x00, 0xff, 0x00],
    decode: decodeRequestSense,
    flags: { allowUnitAttention: true, allowReservationConflict: true, concurrent: true },
    timeoutSeconds: SPC_TIMEOUT_SECONDS,
    execute: requestSense,
  } satisfies CommandDescriptor<SpcDevice, RequestSenseCdb>,
  {
    opcode: SpcOpcode.INQUIRY,
    name: 'INQUIRY',
    // CMDDT (byte 1 bit 1) is obsolete: refused by the mask.
    cdbUsage: [0x12, 0x01, 0xff, 0xff, 0xff, 0x00],
    decode: decodeInquiry,
    flags: { allowUnitAttention: true, allowReservationConflict: true, concurrent: true },
    timeoutSeconds: SPC_TIMEOUT_SECONDS,
    execute: inquiry,
  } satisfies CommandDescriptor<SpcDevice, InquiryCdb>,
  {
    opcode: SpcOpcode.MODE_SELECT_6,
    name: 'MODE SELECT(6)',
    cdbUsage: [0x15, 0x11, 0x00, 0x00, 0xff, 0x00],
    decode: decodeModeSelect6,
    timeoutSeconds: SPC_TIMEOUT_SECONDS,
    execute: modeSelect,
  } satisfies CommandDescriptor<SpcDevice, ModeSelectCdb>,
  {
    opcode: SpcOpcode.RESERVE_6,
    name: 'RESERVE(6)',
    flags: { reservationAccess: ReservationAccess.RESERVE_RELEASE },
    cdbUsage: [0x16, 0x00, 0x00, 0x00, 0x00, 0x00],
    timeoutSeconds: SPC_TIMEOUT_SECONDS,
    execute: reserve,
  },
  {
    opcode: SpcOpcode.RELEASE_6,
    name: 'RELEASE(6)',
    cdbUsage: [0x17, 0x00, 0x00, 0x00, 0x00, 0x00],
    flags: { reservationAccess: ReservationAccess.RESERVE_RELEASE },
    timeoutSeconds: SPC_TIMEOUT_SECONDS,
    execute: release,
  },
  {
    opcode: SpcOpcode.MODE_SENSE_6,
    name: 'MODE SENSE(6)',
    // Reports without changing state: write exclusive persistent reservations let it through (SPC-4 5.13.1).
    flags: { reservationAccess: ReservationAccess.READ },
    cdbUsage: [0x1a, 0x08, 0xff, 0xff, 0xff, 0x00],
    decode: decodeModeSense6,
    timeoutSeconds: SPC_TIMEOUT_SECONDS,
    execute: modeSense,
  } satisfies CommandDescriptor<SpcDevice, ModeSenseCdb>,
  preventAllowMediumRemovalCommand,
  {
    opcode: SpcOpcode.LOG_SELECT,
    name: 'LOG SELECT',
    // SP (byte 1 bit 0) is refused: log parameters are never saved.
    cdbUsage: [0x4c, 0x02, 0xff, 0xff, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00],
    decode: decodeLogSelect,
    timeoutSeconds: SPC_TIMEOUT_SECONDS,
    execute: logSelect,
  } satisfies CommandDescriptor<SpcDevice, LogSelectCdb>,
  {
    opcode: SpcOpcode.LOG_SENSE,
    name: 'LOG SENSE',
    // PPC (byte 1 bit 1) and SP (bit 0) are refused: no change tracking, no saved parameters.
    cdbUsage: [0x4d, 0x00, 0xff, 0xff, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00],
    decode: decodeLogSense,
    flags: { allowReservationConflict: true },
    timeoutSeconds: SPC_TIMEOUT_SECONDS,
    execute: logSense,
  } satisfies CommandDescriptor<SpcDevice, LogSenseCdb>,
  {
    opcode: SpcOpcode.MODE_SELECT_10,
    name: 'MODE SELECT(10)',
    cdbUsage: [0x55, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00],
    decode: decodeModeSelect10,
    timeoutSeconds: SPC_TIMEOUT_SECONDS,
    execute: modeSelect,
  } satisfies CommandDescriptor<SpcDevice, ModeSelectCdb>,
  {
    opcode: SpcOpcode.RESERVE_10,
    name: 'RESERVE(10)',
    flags: { reservationAccess: ReservationAccess.RESERVE_RELEASE },
    // 3RDPTY, LONGID and the parameter list are not supported: the mask refuses them.
    cdbUsage: [0x56, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
    timeoutSeconds: SPC_TIMEOUT_SECONDS,
    execute: reserve,
  },
  {
    opcode: SpcOpcode.RELEASE_10,
    name: 'RELEASE(10)',
    cdbUsage: [0x57, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
    flags: { reservationAccess: ReservationAccess.RESERVE_RELEASE },
    timeoutSeconds: SPC_TIMEOUT_SECONDS,
    execute: release,
  },
  {
    opcode: SpcOpcode.MODE_SENSE_10,
    name: 'MODE SENSE(10)',
    // Reports without changing state: write exclusive persistent reservations let it through (SPC-4 5.13.1).
    flags: { reservationAccess: ReservationAccess.READ },
    cdbUsage: [0x5a, 0x18, 0xff, 0xff, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00],
    decode: decodeModeSense10,
    timeoutSeconds: SPC_TIMEOUT_SECONDS,
    execute: modeSense,
  } satisfies CommandDescriptor<SpcDevice, ModeSenseCdb>,
  ...persistentReserveCommands,
  {
    opcode: SpcOpcode.REPORT_LUNS,
    name: 'REPORT LUNS',
    cdbUsage: REPORT_LUNS_CDB_USAGE,
    decode: decodeReportLuns,
    flags: { allowUnitAttention: true, allowReservationConflict: true, concurrent: true },
    timeoutSeconds: SPC_TIMEOUT_SECONDS,
    execute: reportLuns,
  } satisfies CommandDescriptor<SpcDevice, ReportLunsCdb>,
  {
    opcode: SpcOpcode.MAINTENANCE_IN,
    serviceAction: MaintenanceInServiceAction.REPORT_SUPPORTED_OPERATION_CODES,
    name: 'REPORT SUPPORTED OPERATION CODES',
    // Byte 1 carries the service action itself (SPC-4 6.35 CDB usage data rule).
    cdbUsage: [0xa3, 0x0c, 0x87, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00],
    decode: decodeReportSupportedOperationCodes,
    flags: { allowReservationConflict: true, concurrent: true },
    timeoutSeconds: SPC_TIMEOUT_SECONDS,
    execute: reportSupportedOperationCodes,
  } satisfies CommandDescriptor<SpcDevice, ReportSupportedOperationCodesCdb>,
  {
    opcode: SpcOpcode.MAINTENANCE_IN,
    serviceAction: MaintenanceInServiceAction.REPORT_TIMESTAMP,
    name: 'REPORT TIMESTAMP',
    cdbUsage: [0xa3, 0x0f, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00],
    decode: decodeReportTimestamp,
    // SPC-4 lists REPORT TIMESTAMP among the commands every reservation type allows.
    flags: { allowReservationConflict: true },
    timeoutSeconds: SPC_TIMEOUT_SECONDS,
    execute: reportTimestamp,
  } satisfies CommandDescriptor<SpcDevice, TimestampCdb>,
  {
    opcode: SpcOpcode.MAINTENANCE_OUT,
    serviceAction: MaintenanceOutServiceAction.SET_TIMESTAMP,
    name: 'SET TIMESTAMP',
    cdbUsage: [0xa4, 0x0f, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00],
    decode: decodeSetTimestamp,
    timeoutSeconds: SPC_TIMEOUT_SECONDS,
    execute: setTimestamp,
  } satisfies CommandDescriptor<SpcDevice, TimestampCdb>,
  {
    opcode: SpcOpcode.WRITE_BUFFER,
    name: 'WRITE BUFFER',
    cdbUsage: [0x3b, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00],
    decode: decodeWriteBuffer,
    timeoutSeconds: SPC_TIMEOUT_SECONDS,
    execute: writeBuffer,
  } satisfies CommandDescriptor<SpcDevice, BufferCdb>,
  {
    opcode: SpcOpcode.READ_BUFFER,
    name: 'READ BUFFER',
    cdbUsage: [0x3c, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00],
    decode: decodeReadBuffer,
    // Reads the logical unit's buffer without changing anything: write exclusive reservations let it through.
    flags: { reservationAccess: ReservationAccess.READ },
    timeoutSeconds: SPC_TIMEOUT_SECONDS,
    execute: readBuffer,
  } satisfies CommandDescriptor<SpcDevice, BufferCdb>,
];

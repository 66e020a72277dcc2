// SPC-4 PERSISTENT RESERVE IN (5Eh) and OUT (5Fh) table entries, one per service action, so REPORT SUPPORTED
// OPERATION CODES lists each and an unknown service action is refused at CDB byte 1.
import type { CommandDescriptor, CommandTable } from '../command.js';
import { ReservationAccess } from '../reservation.js';
import { decodePersistentReserveIn, persistentReserveIn, PrInServiceAction } from './persistent-reserve-in.js';
import type { PersistentReserveInCdb } from './persistent-reserve-in.js';
import { decodePersistentReserveOut, persistentReserveOut, PrOutServiceAction } from './persistent-reserve-out.js';
import type { PersistentReserveOutCdb } from './persistent-reserve-out.js';
import type { SpcDevice } from './spc-device.js';

export const PersistentReserveOpcode = { PERSISTENT_RESERVE_IN: 0x5e, PERSISTENT_RESERVE_OUT: 0x5f } as const;

const TIMEOUT_SECONDS = 10;

function words(name: string): string {
  return name.replace(/_/g, ' ');
}

const inCommands = Object.entries(PrInServiceAction).map(([name, serviceAction]) => ({
  opcode: PersistentReserveOpcode.PERSISTENT_RESERVE_IN,
  serviceAction,
  name: `PERSISTENT RESERVE IN ${words(name)}`,
  // Byte 1 carries the service action itself (SPC-4 6.35 CDB usage data rule); bytes 7-8 ALLOCATION LENGTH.
  cdbUsage: [0x5e, serviceAction, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00],
  decode: decodePersistentReserveIn,
  flags: { reservationAccess: ReservationAccess.PERSISTENT_RESERVE },
  timeoutSeconds: TIMEOUT_SECONDS,
  execute: persistentReserveIn,
}) satisfies CommandDescriptor<SpcDevice, PersistentReserveInCdb>);

const outCommands = Object.entries(PrOutServiceAction).map(([name, serviceAction]) => ({
  opcode: PersistentReserveOpcode.PERSISTENT_RESERVE_OUT,
  serviceAction,
  name: `PERSISTENT RESERVE OUT ${words(name)}`,
  // Byte 2 SCOPE and TYPE (ignored by REGISTER, REGISTER AND IGNORE EXISTING KEY and CLEAR); bytes 5-8 PARAMETER
  // LIST LENGTH.
  cdbUsage: [0x5f, serviceAction, 0xff, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00],
  decode: decodePersistentReserveOut,
  flags: { reservationAccess: ReservationAccess.PERSISTENT_RESERVE },
  timeoutSeconds: TIMEOUT_SECONDS,
  execute: persistentReserveOut,
}) satisfies CommandDescriptor<SpcDevice, PersistentReserveOutCdb>);

export const persistentReserveCommands: CommandTable<SpcDevice> = [...inCommands, ...outCommands];

// A cartridge in a tape drive, and what its state answers: the NOT READY reasons (SSC-4 / SPC-4), the write refusals
// of a cartridge the drive may not write, and the live figures management shows.
import type { MountRequest } from '../../library/drive-port.js';
import type { TapeMedium } from '../../media/tape-medium.js';
import { SenseKey, senseOf } from '../sense.js';
import type { SenseData } from '../sense.js';

/** A cartridge in the drive. `medium` is absent while loading, and for cleaning or incompatible cartridges. */
export interface Mount {
  readonly request: MountRequest;
  medium: TapeMedium | undefined;
  readonly access: 'read-write' | 'read-only' | 'none';
  /** loading: NOT READY 04/01; ready; ejected: the host unloaded it and it waits for the robot or a LOAD. */
  phase: 'loading' | 'ready' | 'ejected';
}

/** Why a medium command cannot run with this mount (or none), or undefined when the medium is ready. */
export function mountReadiness(m: Mount | undefined): SenseData | undefined {
  if (!m || m.phase === 'ejected') return senseOf('MEDIUM_NOT_PRESENT');
  if (m.phase === 'loading') return senseOf('LOGICAL_UNIT_IS_IN_PROCESS_OF_BECOMING_READY');
  if (m.request.cleaning) return senseOf('CLEANING_CARTRIDGE_INSTALLED');
  if (m.access === 'none') return senseOf('INCOMPATIBLE_MEDIUM_INSTALLED');
  if (!m.medium) return senseOf('MEDIUM_NOT_PRESENT'); // closed by shutdown()
  return undefined;
}

/** Why a ready cartridge may not be written, or undefined when it may. */
export function mountWriteRefusal(m: Mount): SenseData | undefined {
  // An older generation this drive reads but may not write (SSC-4 / LTO: CANNOT WRITE MEDIUM, INCOMPATIBLE FORMAT).
  if (m.access === 'read-only') return senseOf('CANNOT_WRITE_MEDIUM_INCOMPATIBLE_FORMAT', { key: SenseKey.DATA_PROTECT });
  if (m.request.writeProtected) return senseOf('WRITE_PROTECTED');
  return undefined;
}

/** Live figures for management (structurally the management layer's DriveActivity). */
export interface DriveActivitySnapshot {
  readonly position: { readonly partition: number; readonly blockNumber: number; readonly fileNumber: number | null } | undefined;
  readonly bytesWritten: number;
  readonly bytesRead: number;
}

/** Position and bytes moved since the load; undefined without a readable cartridge. */
export function mountActivity(m: Mount | undefined): DriveActivitySnapshot | undefined {
  const medium = m?.medium;
  if (!medium) return undefined;
  const p = medium.position();
  const s = medium.statistics();
  return { position: { partition: 0, blockNumber: p.objectNumber, fileNumber: p.fileNumber }, bytesWritten: s.hostBytesWritten, bytesRead: s.hostBytesRead };
}

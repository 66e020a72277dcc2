// What a tape drive does when its cartridge fails: count the error for log pages 02h/03h, raise the TapeAlert flag,
// and hand mediumErrorToSense the context that turns the error into sense data.
import type { Logger } from '../../log.js';
import { senseOf } from '../sense.js';
import type { SenseData } from '../sense.js';
import { mediumErrorToSense } from './medium-errors.js';
import type { MediumErrorContext } from './medium-errors.js';
import { TapeAlert } from './tape-alert.js';

export class DriveErrorReporting {
  /** Error counters since power-on (log pages 02h, 03h), and cleanings. */
  readonly counters = { readErrors: 0, writeErrors: 0, cleanings: 0 };

  constructor(
    private readonly driveName: string,
    private readonly log: Logger,
    private readonly tapeAlert: TapeAlert,
  ) {}

  /** `residue`: the INFORMATION a failed READ/WRITE reports (blocks or bytes not transferred). */
  errorContext(residue?: number): MediumErrorContext {
    return {
      log: this.log,
      drive: this.driveName,
      ...(residue === undefined ? {} : { residue }),
      onError: (kind) => {
        if (kind === 'read') {
          this.counters.readErrors++;
          this.tapeAlert.set(TapeAlert.READ_FAILURE);
        } else {
          this.counters.writeErrors++;
          this.tapeAlert.set(TapeAlert.WRITE_FAILURE);
        }
      },
    };
  }

  /** The deferred error an IMMED operation leaves; never throws (a bug becomes INTERNAL TARGET FAILURE, logged). */
  deferredSenseOf(err: unknown): SenseData {
    try {
      return mediumErrorToSense(err, this.errorContext()).sense;
    } catch (bug) {
      this.log.error({ err: bug }, 'immediate operation failed');
      return senseOf('INTERNAL_TARGET_FAILURE');
    }
  }
}

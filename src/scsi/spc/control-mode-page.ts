// SPC-4 7.5.8 Control mode page (0Ah): only D_SENSE is changeable because it is the only field we honour
// beyond the values reported (TST 000b one task set, QERR 00b, TAS 0, GLTSD 1: log parameters are never saved).
import { SenseFormat } from '../sense.js';
import { StoredModePage } from './stored-mode-page.js';

const D_SENSE = 0x04;
const GLTSD = 0x02;
/** Page offset of the byte holding TST, TMF_ONLY, DPICZ, D_SENSE, GLTSD, RLEC. */
const BYTE_2 = 2;

export class ControlModePage extends StoredModePage {
  constructor() {
    super({
      pageCode: 0x0a,
      // Body bytes 2..11 of the page: byte 2 GLTSD; byte 3 QAM 0 (restricted reordering), QERR 00b;
      // bytes 8-9 busy timeout period 0 (undefined), bytes 10-11 extended self-test completion time 0.
      defaults: [GLTSD, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
      changeable: [D_SENSE, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
    });
  }

  /** Sense data format every command of this logical unit reports (D_SENSE). */
  senseFormat(): SenseFormat {
    return (this.byte(BYTE_2) & D_SENSE) !== 0 ? SenseFormat.DESCRIPTOR : SenseFormat.FIXED;
  }
}

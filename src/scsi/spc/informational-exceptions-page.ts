// SPC-4 Informational Exceptions Control mode page (1Ch). The target raises no informational exception
// conditions through sense data (TapeAlert is read from log page 2Eh), so MRIE stays 0h (no reporting) and
// DEXCPT is the only changeable field: with MRIE 0 its value has no further effect, which is honest.
import { StoredModePage } from './stored-mode-page.js';

const DEXCPT = 0x08;

export class InformationalExceptionsPage extends StoredModePage {
  constructor() {
    super({
      pageCode: 0x1c,
      // Byte 2 DEXCPT=1; byte 3 MRIE 0h; bytes 4-7 interval timer 0; bytes 8-11 report count 0.
      defaults: [DEXCPT, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
      changeable: [DEXCPT, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
    });
  }
}

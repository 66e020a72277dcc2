// SSC-4 8.3 mode pages of the drive: 01h read-write error recovery, 02h disconnect-reconnect (SPC-4),
// 0Fh data compression, 10h device configuration, 10h/01h device configuration extension, 11h medium partition,
// 0Ah/F0h control data protection (logical-block-protection.ts).
// Pages whose values mirror drive state (compression, append-only, partition size) are computed on every call.
import type { ModePage } from '../spc/mode-page.js';
import type { ModePageSet } from '../spc/mode-page-set.js';
import { StoredModePage } from '../spc/stored-mode-page.js';
import { Sense } from '../sense.js';
import { DerivedModePage } from './derived-mode-page.js';
import { controlDataProtectionPage } from './logical-block-protection.js';
import { mediumPartitionPage } from './medium-partition-page.js';
import type { SscModeState } from './ssc-mode-state.js';
import type { TapeDrive } from './tape-drive.js';

const DCE = 0x80;
const DCC = 0x40;
const DDE = 0x80;
/** COMPRESSION ALGORITHM 01h: the device's default algorithm (here LZ4 per block, applied by the cartridge writer). */
const DEFAULT_ALGORITHM = 0x01;

function compressionBody(enabled: boolean): number[] {
  return [enabled ? DCE | DCC : DCC, DDE, 0, 0, 0, DEFAULT_ALGORITHM, 0, 0, 0, DEFAULT_ALGORITHM, 0, 0, 0, 0];
}

/** 10h: LOIS=1 (logical object identifiers), EEG=1 (EOD generation), SEW=1 (write buffer flushed at early warning). */
function deviceConfigurationBody(compression: boolean): number[] {
  return [0, 0, 0, 0, 0, 0, 0x40, 0, 0x18, 0, 0, 0, compression ? 1 : 0, 0];
}

/**
 * 00h, the vendor-specific "no page" request: Linux st opens a tape with MODE SENSE(6) page 00h, allocation 12,
 * to read the header and block descriptor (block size, density, WP); without it st guesses and misses WP.
 * It contributes no bytes of its own, so MODE SENSE 3Fh is unchanged.
 */
const headerOnlyPage: ModePage = {
  pageCode: 0x00,
  subpageCode: 0,
  current: () => Buffer.alloc(0),
  changeable: () => Buffer.alloc(0),
  default: () => Buffer.alloc(0),
  apply: () => undefined,
};

/** The pages read and change `mode`, the drive's one holder of these values; `drive` only answers for the cartridge. */
export function registerSscModePages(drive: Pick<TapeDrive, 'mounted'>, mode: SscModeState, pages: ModePageSet): void {
  const compressionDefault = mode.compressionDefault;
  pages.add(headerOnlyPage);
  // 01h: recovery is the cartridge format's business; nothing is changeable.
  pages.add(new StoredModePage({ pageCode: 0x01, defaults: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0], changeable: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0] }));
  // 02h: iSCSI negotiates its own burst sizes (RFC 7143); the page reports zeros ("no limit") and changes nothing.
  pages.add(new StoredModePage({ pageCode: 0x02, defaults: new Array<number>(14).fill(0), changeable: new Array<number>(14).fill(0) }));
  pages.add(
    new DerivedModePage({
      pageCode: 0x0f,
      body: () => compressionBody(mode.compression),
      defaults: () => compressionBody(compressionDefault),
      changeable: [DCE, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      apply: (next) => {
        mode.setCompression((next[2] & DCE) !== 0);
      },
    }),
  );
  pages.add(
    new DerivedModePage({
      pageCode: 0x10,
      body: () => deviceConfigurationBody(mode.compression),
      defaults: () => deviceConfigurationBody(compressionDefault),
      changeable: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0],
      // SELECT DATA COMPRESSION ALGORITHM: 00h none, 01h the default algorithm; other codes are not ours.
      validate: (next) => {
        if (next[14] > 1) throw Sense.invalidFieldInParameterList(14);
      },
      apply: (next) => {
        mode.setCompression(next[14] === 1);
      },
    }),
  );
  pages.add(
    new DerivedModePage({
      pageCode: 0x10,
      subpageCode: 0x01,
      // Byte 5 (page offset) WRITE MODE: 0h overwrite allowed, 1h append-only. Bytes 6-7 PROGRAMMABLE EARLY WARNING
      // SIZE in megabytes (write.ts reports entering the zone).
      body: () => [0, mode.appendOnly ? 1 : 0, mode.pewsMegabytes >> 8, mode.pewsMegabytes & 0xff, ...new Array<number>(24).fill(0)],
      defaults: () => new Array<number>(28).fill(0),
      changeable: [0, 0x0f, 0xff, 0xff, ...new Array<number>(24).fill(0)],
      validate: (next) => {
        if ((next[5] & 0x0f) > 1) throw Sense.invalidFieldInParameterList(5, 3);
      },
      apply: (next) => {
        mode.setAppendOnly((next[5] & 0x0f) === 1);
        mode.setPewsMegabytes(next.readUInt16BE(6));
      },
    }),
  );
  pages.add(controlDataProtectionPage(mode));
  pages.add(mediumPartitionPage(drive, mode));
}

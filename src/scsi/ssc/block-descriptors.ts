// SSC-4 8.3.1 mode parameter header and block descriptor of a tape drive: density code, block length
// (0 = variable), WP and BUFFERED MODE in the device-specific parameter.
import type { ItNexus } from '../logical-unit.js';
import { Sense } from '../sense.js';
import type { BlockDescriptorSupport, BlockDescriptorValues, ModeSelectHeader } from '../spc/spc-device.js';
import { LTO_GENERATIONS, mediaAccess, ALL_GENERATIONS } from '../../library/lto.js';
import { MAX_BLOCK_LENGTH } from './ssc-mode-state.js';
import type { BufferedMode, SscModeState } from './ssc-mode-state.js';
import type { TapeDrive } from './tape-drive.js';

const WP = 0x80;
const BUFFERED_MODE_SHIFT = 4;
/** SSC-4: density code 7Fh in MODE SELECT keeps the current density; 00h is the default density. */
const DENSITY_NO_CHANGE = 0x7f;

export class SscBlockDescriptors implements BlockDescriptorSupport {
  constructor(
    private readonly drive: Pick<TapeDrive, 'generation' | 'mounted' | 'writeProtected' | 'mediumDensityCode' | 'isReadOnlyInitiator'>,
    private readonly mode: SscModeState,
  ) {}

  mediumType(): number {
    const m = this.drive.mounted();
    if (!m || m.request.cleaning) return 0;
    const info = LTO_GENERATIONS[m.request.generation as keyof typeof LTO_GENERATIONS];
    if (!info) return 0;
    return m.request.worm ? (info.wormMediumType ?? info.dataMediumType) : info.dataMediumType;
  }

  /**
   * WP: the cartridge is write-protected (tab, read-only generation), or this initiator may not write at all (the
   * library's read-only initiators: every write it sends is refused with 27/00, so for it the medium is write
   * protected, as SPC-4 has WP follow the Control page's software write protect). Not for a retention lock: a locked
   * cartridge still takes appends at end of data, and WP=1 would make Linux st refuse to open it for writing.
   */
  deviceSpecificParameter(nexus: ItNexus): number {
    const wp = this.drive.writeProtected() || (this.drive.mounted() !== undefined && this.drive.isReadOnlyInitiator(nexus));
    return (wp ? WP : 0) | (this.mode.bufferedMode << BUFFERED_MODE_SHIFT);
  }

  descriptors(): readonly BlockDescriptorValues[] {
    const loaded = this.drive.mounted() !== undefined;
    return [{ densityCode: loaded ? this.drive.mediumDensityCode() : 0, blockCount: 0, blockLength: this.mode.blockLength }];
  }

  validateSelect(header: ModeSelectHeader): void {
    const bufferedMode = (header.deviceSpecificParameter >> BUFFERED_MODE_SHIFT) & 0x07;
    if (bufferedMode > 1) throw Sense.invalidFieldInParameterList(header.offsets.deviceSpecificParameter, 6);
    if ((header.deviceSpecificParameter & 0x0f) !== 0) throw Sense.invalidFieldInParameterList(header.offsets.deviceSpecificParameter, 3);
    if (header.blockDescriptors.length > 1) throw Sense.invalidFieldInParameterList(header.offsets.blockDescriptors + 8);
    const d = header.blockDescriptors[0];
    if (!d) return;
    const at = header.offsets.blockDescriptors;
    if (!this.densityAcceptable(d.densityCode)) throw Sense.invalidFieldInParameterList(at);
    if (d.blockCount !== 0) throw Sense.invalidFieldInParameterList(at + 1);
    if (d.blockLength > MAX_BLOCK_LENGTH) throw Sense.invalidFieldInParameterList(at + 5);
  }

  applySelect(header: ModeSelectHeader, _nexus: ItNexus): boolean {
    // validateSelect has refused every BUFFERED MODE but 0 and 1.
    const bufferedMode = ((header.deviceSpecificParameter >> BUFFERED_MODE_SHIFT) & 0x07) as BufferedMode;
    return this.mode.selectBlockDescriptor(bufferedMode, header.blockDescriptors[0]?.blockLength);
  }

  /**
   * The default, "no change", or the density of any generation this drive uses: st echoes the density MODE SENSE
   * reported, which for an older read-only cartridge is one the drive reads but does not write.
   */
  private densityAcceptable(code: number): boolean {
    if (code === 0 || code === DENSITY_NO_CHANGE) return true;
    return ALL_GENERATIONS.some((g) => LTO_GENERATIONS[g].densityCode === code && mediaAccess(this.drive.generation, g) !== 'none');
  }
}

// SSC-4 8.3.4 medium partition mode page (11h), as LTO drives (LTO-5 and later) offer it: two partitions at most,
// partitioning on FORMAT MEDIUM only (POFM=1), sizes in megabytes (PSUM 10b) or in 10^PARTITION UNITS bytes (PSUM
// 11b, units 6 to 9). MODE SELECT keeps the values for the next FORMAT MEDIUM; until then MODE SENSE reports them,
// otherwise the layout of the mounted cartridge.
import { MAX_PARTITIONS } from '../../media/tape-medium.js';
import { Sense } from '../sense.js';
import { DerivedModePage } from './derived-mode-page.js';
import type { SscModeState } from './ssc-mode-state.js';
import type { TapeDrive } from './tape-drive.js';

/** Byte offsets in the page (header included), SSC-4 table "Medium Partition mode page". */
export const PartitionPage = {
  MAXIMUM_ADDITIONAL_PARTITIONS: 2,
  ADDITIONAL_PARTITIONS_DEFINED: 3,
  FLAGS: 4,
  MEDIUM_FORMAT_RECOGNITION: 5,
  PARTITION_UNITS: 6,
  PARTITION_SIZE: 8,
} as const;

export const FDP = 0x80;
export const SDP = 0x40;
export const IDP = 0x20;
const PSUM = 0x18;
export const PSUM_MEGABYTES = 0x10;
export const PSUM_UNITS = 0x18;
export const POFM = 0x04;
/** MEDIUM FORMAT RECOGNITION 03h: format and partition recognition. */
const FORMAT_AND_PARTITION_RECOGNITION = 0x03;
/** PARTITION SIZE FFFFh: the capacity the other partitions leave. */
const REMAINING = 0xffff;

/**
 * MAXIMUM ADDITIONAL PARTITIONS: 1 (two partitions) from LTO-5, what LTO-5 to LTO-8 drives offer. LTO-9 and LTO-10
 * report 1 too: the public references we could check do not state a larger number for LTO data cartridges, and
 * Linux st's mkpartition assumes one additional partition when a drive partitions at FORMAT MEDIUM.
 */
export const MAXIMUM_ADDITIONAL_PARTITIONS = MAX_PARTITIONS - 1;
const BODY_BYTES = 6 + 2 * (MAXIMUM_ADDITIONAL_PARTITIONS + 1);

/** The page body (after its 2-byte header) describing a layout: `partitionBytes` of each partition. */
export function layoutBody(partitionBytes: readonly number[]): number[] {
  const megabytes = partitionBytes.every((bytes) => bytes / 1e6 < REMAINING);
  const unit = megabytes ? 1e6 : 1e9;
  const flags = (partitionBytes.length > 1 ? IDP : 0) | (megabytes ? PSUM_MEGABYTES : PSUM_UNITS) | POFM;
  const body = [MAXIMUM_ADDITIONAL_PARTITIONS, partitionBytes.length - 1, flags, FORMAT_AND_PARTITION_RECOGNITION, megabytes ? 0 : 9, 0];
  for (let p = 0; p <= MAXIMUM_ADDITIONAL_PARTITIONS; p++) {
    const size = p < partitionBytes.length ? Math.min(REMAINING - 1, Math.floor(partitionBytes[p] / unit)) : 0;
    body.push(size >> 8, size & 0xff);
  }
  return body;
}

/** What a page asks FORMAT MEDIUM to make of a cartridge of `capacityBytes`, or the page byte that cannot be honoured. */
export type PartitionPlan = { readonly partitionBytes: readonly number[] } | { readonly badByte: number };

export function planPartitions(page: Buffer, capacityBytes: number): PartitionPlan {
  const count = page[PartitionPage.ADDITIONAL_PARTITIONS_DEFINED] + 1;
  const flags = page[PartitionPage.FLAGS];
  if (count === 1) return { partitionBytes: [] };
  if ((flags & IDP) === 0) {
    // FDP and SDP: the drive chooses the sizes; ours are equal shares of the capacity.
    return { partitionBytes: Array.from({ length: count }, () => Math.floor(capacityBytes / count)) };
  }
  const unit = (flags & PSUM) === PSUM_MEGABYTES ? 1e6 : 10 ** (page[PartitionPage.PARTITION_UNITS] & 0x0f);
  const sizes = Array.from({ length: count }, (_, p) => page.readUInt16BE(PartitionPage.PARTITION_SIZE + 2 * p));
  const given = sizes.reduce((sum, size) => sum + (size === REMAINING ? 0 : size * unit), 0);
  const rest = capacityBytes - given;
  const remainder = sizes.indexOf(REMAINING);
  if (rest < (remainder < 0 ? 0 : 1)) return { badByte: PartitionPage.PARTITION_SIZE + 2 * (remainder < 0 ? count - 1 : remainder) };
  return { partitionBytes: sizes.map((size) => (size === REMAINING ? rest : size * unit)) };
}

/** The checks of a MODE SELECT page 11h that need no cartridge; the field pointer is a byte of the page. */
function validateFields(next: Buffer): void {
  const count = next[PartitionPage.ADDITIONAL_PARTITIONS_DEFINED] + 1;
  if (count > MAXIMUM_ADDITIONAL_PARTITIONS + 1) throw Sense.invalidFieldInParameterList(PartitionPage.ADDITIONAL_PARTITIONS_DEFINED);
  const flags = next[PartitionPage.FLAGS];
  const methods = [FDP, SDP, IDP].filter((bit) => (flags & bit) !== 0);
  // One way of partitioning at a time, and some way whenever more than one partition is asked for.
  if (methods.length > 1) throw Sense.invalidFieldInParameterList(PartitionPage.FLAGS, methods[1] === SDP ? 6 : 5);
  if (methods.length === 0 && count > 1) throw Sense.invalidFieldInParameterList(PartitionPage.FLAGS, 7);
  if ((flags & IDP) === 0 || count === 1) return;
  // Sizes in bytes or kilobytes are not what LTO drives take; 10^6 to 10^9 bytes per unit are.
  if ((flags & PSUM) !== PSUM_MEGABYTES && (flags & PSUM) !== PSUM_UNITS) throw Sense.invalidFieldInParameterList(PartitionPage.FLAGS, 4);
  const units = next[PartitionPage.PARTITION_UNITS] & 0x0f;
  if ((flags & PSUM) === PSUM_UNITS && (units < 6 || units > 9)) throw Sense.invalidFieldInParameterList(PartitionPage.PARTITION_UNITS, 3);
  let remaining = 0;
  for (let p = 0; p < count; p++) {
    const at = PartitionPage.PARTITION_SIZE + 2 * p;
    const size = next.readUInt16BE(at);
    if (size === 0 || (size === REMAINING && ++remaining > 1)) throw Sense.invalidFieldInParameterList(at);
  }
}

/** 11h: registered by ssc-mode-pages.ts. */
export function mediumPartitionPage(drive: Pick<TapeDrive, 'mounted'>, mode: SscModeState): DerivedModePage {
  const current = (): number[] => {
    const mount = drive.mounted();
    const selected = mount === undefined ? undefined : mode.partitionSelectionFor(mount.request.barcode);
    if (selected !== undefined) return [...selected.subarray(2)];
    const partitions = mount?.medium?.partitionCapacities().map((c) => c.capacityBytes);
    // The library's figure while no cartridge is open (0 without one).
    return layoutBody(partitions ?? [mount?.request.capacityBytes ?? 0]);
  };
  const changeable = new Array<number>(BODY_BYTES).fill(0);
  changeable[PartitionPage.ADDITIONAL_PARTITIONS_DEFINED - 2] = 0xff;
  changeable[PartitionPage.FLAGS - 2] = FDP | SDP | IDP | PSUM;
  changeable[PartitionPage.PARTITION_UNITS - 2] = 0x0f;
  changeable.fill(0xff, PartitionPage.PARTITION_SIZE - 2);
  return new DerivedModePage({
    pageCode: 0x11,
    body: current,
    // The default format: one partition of everything the cartridge holds.
    defaults: () => {
      const medium = drive.mounted()?.medium;
      return layoutBody([medium === undefined ? (drive.mounted()?.request.capacityBytes ?? 0) : totalCapacity(medium)]);
    },
    changeable,
    validate: (next) => {
      validateFields(next);
      const medium = drive.mounted()?.medium;
      if (medium === undefined) return;
      // What the loaded cartridge cannot hold is refused now rather than by FORMAT MEDIUM.
      if (next[PartitionPage.ADDITIONAL_PARTITIONS_DEFINED] + 1 > medium.partitionLimit) throw Sense.invalidFieldInParameterList(PartitionPage.ADDITIONAL_PARTITIONS_DEFINED);
      const plan = planPartitions(next, totalCapacity(medium));
      if ('badByte' in plan) throw Sense.invalidFieldInParameterList(plan.badByte);
    },
    apply: (next) => mode.selectPartitions(drive.mounted()?.request.barcode, Buffer.from(next)),
  });
}

/** The capacity FORMAT MEDIUM shares out: every partition's together. */
export function totalCapacity(medium: { partitionCapacities(): readonly { readonly capacityBytes: number }[] }): number {
  return medium.partitionCapacities().reduce((sum, c) => sum + c.capacityBytes, 0);
}

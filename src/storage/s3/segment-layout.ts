// How a file of the Storage interface lies in the object store (FORMAT.md "Object store"): the file at path P is the
// objects `P/seg-00000000`, `P/seg-00000001`, ... each holding `segmentBytes` bytes of the file, the last one the
// rest (segment 0 always exists, empty for an empty file). Segments are uploaded in ascending order and a file is
// cut by removing segments from the end, so the store always holds a prefix: the file ends at its first short
// segment (or at the last one), and anything after that is garbage left by a crash, collected on the next cut.

export const SEGMENT_PREFIX = 'seg-';
const SEGMENT_NAME = /^seg-(\d{8})$/;
/** 8 digits: 10^8 segments of 8 MiB is 800 TB, far past any cartridge. */
const INDEX_DIGITS = 8;

export function segmentName(index: number): string {
  return `${SEGMENT_PREFIX}${index.toString().padStart(INDEX_DIGITS, '0')}`;
}

export function segmentKey(filePrefix: string, index: number): string {
  return `${filePrefix}/${segmentName(index)}`;
}

/** The segment index a key's last part names, or undefined when it is not a segment. */
export function parseSegmentName(name: string): number | undefined {
  const m = SEGMENT_NAME.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** How many segments a file of `length` bytes has: at least one, so that an empty file exists. */
export function segmentCount(length: number, segmentBytes: number): number {
  return Math.max(1, Math.ceil(length / segmentBytes));
}

export interface StoredLayout {
  /** The file's length as the store holds it. */
  readonly length: number;
  /** Segments that belong to the file: 0 .. count - 1. */
  readonly count: number;
  /** Segment objects past the file's end (a crash between the uploads or removals of a cut): to collect. */
  readonly garbage: readonly number[];
}

/**
 * The file a listing of its segment objects describes (`sizes` maps a segment index to its object's size), or
 * undefined when segment 0 is missing (no such file). The file is the contiguous run from segment 0 up to and
 * including its first short segment.
 */
export function layoutFromListing(sizes: ReadonlyMap<number, number>, segmentBytes: number): StoredLayout | undefined {
  if (!sizes.has(0)) return undefined;
  let count = 0;
  let length = 0;
  for (;;) {
    const size = sizes.get(count);
    if (size === undefined) break;
    count++;
    length += Math.min(size, segmentBytes);
    if (size < segmentBytes) break;
  }
  const garbage = [...sizes.keys()].filter((i) => i >= count).sort((a, b) => b - a);
  return { length, count, garbage };
}

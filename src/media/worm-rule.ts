// FORMAT.md "WORM": where a WORM cartridge accepts a write. LTO WORM drives allow appending at end of data and
// overwriting a run of filemarks that reaches end of data when a filemark precedes the position (applications
// append by overwriting the second of two closing filemarks).

export interface WormView {
  readonly objectCount: number;
  readonly filemarkCount: number;
  filemarksBefore(objectNumber: number): number;
  isFilemark(objectNumber: number): boolean;
}

export function wormAllowsWrite(index: WormView, position: number): boolean {
  if (position >= index.objectCount) return true;
  const marksFromPosition = index.filemarkCount - index.filemarksBefore(position);
  const onlyMarksAfter = marksFromPosition === index.objectCount - position;
  return onlyMarksAfter && position > 0 && index.isFilemark(position - 1);
}

// The bytes [start, start + length) of a gathered write, as views into its buffers (no copy).
export function sliceBuffers(buffers: readonly Buffer[], start: number, length: number): Buffer[] {
  const out: Buffer[] = [];
  let skip = start;
  let left = length;
  for (const buffer of buffers) {
    if (left === 0) break;
    if (skip >= buffer.length) {
      skip -= buffer.length;
      continue;
    }
    const take = Math.min(buffer.length - skip, left);
    out.push(buffer.subarray(skip, skip + take));
    left -= take;
    skip = 0;
  }
  return out;
}

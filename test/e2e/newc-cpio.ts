// A "newc" cpio archive writer (the format the kernel's initramfs unpacker reads), so the per-run guest files can be
// appended to the cached image without shelling out. Directories are implied by the paths and emitted first.

export interface CpioFile {
  /** Path inside the archive, without a leading slash: `vtl/run.sh`. */
  readonly path: string;
  readonly data: Buffer;
  /** Permission bits, e.g. 0o755. */
  readonly mode: number;
}

const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const HEADER_BYTES = 110;

function hex8(value: number): string {
  return value.toString(16).padStart(8, '0');
}

function pad4(length: number): number {
  return (4 - (length % 4)) % 4;
}

function entry(name: string, mode: number, data: Buffer, ino: number): Buffer {
  const nameBytes = Buffer.from(`${name}\0`, 'utf8');
  const fields = [
    ino, mode, 0, 0, // ino, mode, uid, gid
    1, 0, data.length, // nlink, mtime, filesize
    0, 0, 0, 0, // devmajor, devminor, rdevmajor, rdevminor
    nameBytes.length, 0, // namesize, check
  ];
  const header = Buffer.from(`070701${fields.map(hex8).join('')}`, 'ascii');
  const headerPad = pad4(HEADER_BYTES + nameBytes.length);
  return Buffer.concat([header, nameBytes, Buffer.alloc(headerPad), data, Buffer.alloc(pad4(data.length))]);
}

/** Encodes files (and their parent directories) as one uncompressed newc archive ending in the trailer. */
export function encodeCpio(files: readonly CpioFile[]): Buffer {
  const dirs = new Set<string>();
  for (const file of files) {
    const parts = file.path.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  const parts: Buffer[] = [];
  let ino = 1;
  for (const dir of [...dirs].sort()) parts.push(entry(dir, S_IFDIR | 0o755, Buffer.alloc(0), ino++));
  for (const file of files) parts.push(entry(file.path, S_IFREG | file.mode, file.data, ino++));
  parts.push(entry('TRAILER!!!', 0, Buffer.alloc(0), 0));
  return Buffer.concat(parts);
}

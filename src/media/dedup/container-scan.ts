// FORMAT.md "Deduplication / Index", the rebuild at open: a container's entries are indexed up to its first
// unreadable entry header. Nothing is cut: appends always go to a new container after an open, and a chunk referenced
// past a damaged header must stay for its reads to report. Containers that cannot be offered (no valid header; sealed
// without a master key; written in clear before encryption at rest) are not indexed at all.
import { crc32c } from '../../crc32c.js';
import type { Logger } from '../../log.js';
import { decodeContainerHeader, ENTRY_HEADER_BYTES, SEALED_CONTAINER_HEADER_BYTES } from './chunk-container.js';
import type { ChunkIndex } from './chunk-index.js';
import type { ChunkSealer } from './chunk-sealer.js';
import type { ContainerFiles } from './container-files.js';

/** Index container `n`'s readable entries; the bytes they take (headers and stored payloads). */
export async function scanContainer(files: ContainerFiles, n: number, index: ChunkIndex, sealer: ChunkSealer | undefined, log: Logger): Promise<number> {
  const file = await files.open(n, false);
  const length = await file.length();
  const head = Buffer.alloc(SEALED_CONTAINER_HEADER_BYTES);
  const got = await file.read(head, 0, SEALED_CONTAINER_HEADER_BYTES, 0);
  const decoded = decodeContainerHeader(head.subarray(0, got));
  if (decoded === undefined) {
    log.warn({ container: n, bytes: length }, 'chunk container without a valid header: its chunks are not offered again');
    return 0;
  }
  files.setHeader(n, decoded);
  if (decoded.salt !== undefined && sealer === undefined) {
    log.warn({ container: n }, 'chunk container sealed and no master key configured: its chunks are not offered again, and read as damaged');
    return 0;
  }
  if (decoded.salt === undefined && sealer !== undefined) {
    log.warn({ container: n }, 'chunk container written in clear before encryption at rest was on: its chunks are not offered again (new copies are sealed)');
    return 0;
  }
  let at = decoded.headerBytes;
  let storedBytes = 0;
  let last: { start: number; crc: number; stored: number } | undefined;
  while (at < length) {
    const header = await files.readEntryHeader(n, at);
    if (typeof header === 'string' || at + ENTRY_HEADER_BYTES + header.storedLength > length) break;
    index.add(header.hash, { container: n, offset: at });
    last = { start: at, crc: header.payloadCrc, stored: header.storedLength };
    at += ENTRY_HEADER_BYTES + header.storedLength;
    storedBytes += ENTRY_HEADER_BYTES + header.storedLength;
  }
  if (at < length) log.warn({ container: n, offset: at, bytes: length - at }, 'chunk container entries past this offset are not indexed');
  if (last !== undefined) {
    // A crash tears the last entry first: say so now rather than at the first read of it.
    const payload = Buffer.alloc(last.stored);
    await file.read(payload, 0, last.stored, last.start + ENTRY_HEADER_BYTES);
    if (crc32c(payload) !== last.crc) log.warn({ container: n, offset: last.start }, 'the last chunk of a container fails its CRC: kept for the reads to report');
  }
  return storedBytes;
}

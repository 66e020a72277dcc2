// After a verified copy (the job is done): the disk copy's space is released and a stub kept, only when nothing
// happened to the virtual cartridge since the copy began (no host write, not in a drive). A release that does not
// happen is said in the job's reason; the job stays done either way (the physical copy is good).
import type { LibraryManager } from '../library/library-manager.js';
import type { Logger } from '../log.js';
import type { CopyJob } from './copy-job-store.js';
import type { RecallingMediaStore } from './recalling-media-store.js';

export interface ReleaseContext {
  readonly manager: Pick<LibraryManager, 'cartridge' | 'retention'>;
  /** Where releases go (the store the drives use); absent: nothing is released. */
  readonly stubs: Pick<RecallingMediaStore, 'release'> | undefined;
  readonly nowIso: () => string;
  readonly log: Logger;
}

/** Why the disk copy of `job`'s cartridge must stay, or undefined when it may go. */
export function reasonToKeep(job: CopyJob, c: ReleaseContext): string | undefined {
  if (!c.stubs) return 'staging has no media store to release into';
  const cartridge = c.manager.cartridge(job.barcode);
  if (cartridge.location.kind === 'element' && cartridge.location.type === 'dataTransfer') return 'it is in a drive';
  if (c.manager.retention.times(job.barcode).lastWriteAt !== job.sourceLastWriteAt) return 'a host wrote to it after the copy began';
  return undefined;
}

/** Releases the disk copy of `job` (verified on `physicalLibrary`) or says why not in `job.reason`; the caller saves. */
export async function releaseAfterCopy(job: CopyJob, physicalLibrary: string, c: ReleaseContext): Promise<void> {
  try {
    const why = reasonToKeep(job, c);
    if (why !== undefined || !c.stubs) throw new Error(why);
    await c.stubs.release({ barcode: job.barcode, physicalLibrary, objects: job.objectsVerified, bytes: job.bytesVerified, jobId: job.id, releasedAt: c.nowIso() });
    job.releasedAt = c.nowIso();
    c.log.info({ barcode: job.barcode, physicalLibrary }, 'copy: disk copy released, stub kept');
  } catch (err) {
    job.reason = `verified, but the disk copy was not released: ${err instanceof Error ? err.message : String(err)}`;
    c.log.warn({ barcode: job.barcode, reason: job.reason }, 'copy: not released');
  }
}

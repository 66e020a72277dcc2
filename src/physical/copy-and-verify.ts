// One run of a copy job on a mounted physical cartridge: the copy phase from the job's checkpoint, then verify from
// the last object compared; the job's progress, checkpoints and rate are kept on the job as they happen. The copy
// phase's progress stays beside the checkpoint (`liveCopied`, never saved): a save of the job list between two
// checkpoints, for any job, stores the checkpoint. An import runs the other way: the physical cartridge from BOP into
// the virtual one, then the same verify.
import type { Logger } from '../log.js';
import type { TapeMedium } from '../media/tape-medium.js';
import { copyCartridge, verifyCopy, type CopyCheckpoint } from './cartridge-copier.js';
import { readPhysicalInto } from './cartridge-reader.js';
import type { CopyJob } from './copy-job-store.js';
import type { PhysicalTapeDrive } from './tape-drive.js';

export interface CopyRunContext {
  cancelled(): boolean;
  paused(): boolean;
  /** Saves the job and tells the listeners. */
  changed(): Promise<void>;
  nowIso(): string;
  readonly checkpointBytes: number;
  readonly log: Logger;
}

export async function copyAndVerify(job: CopyJob, medium: TapeMedium, drive: PhysicalTapeDrive, ctx: CopyRunContext): Promise<void> {
  let started = Date.now();
  let startBytes = job.phase === 'copy' ? job.bytesCopied : job.bytesVerified;
  const hooks = {
    cancelled: () => ctx.cancelled(),
    paused: () => ctx.paused(),
    progress: (phase: 'copy' | 'verify', at: CopyCheckpoint) => {
      if (phase === 'copy') {
        job.liveCopied = at;
      } else {
        job.objectsVerified = at.objects;
        job.bytesVerified = at.bytes;
      }
      const seconds = (Date.now() - started) / 1000;
      if (seconds > 0) job.rateBytesPerSecond = Math.round((at.bytes - startBytes) / seconds);
    },
    checkpoint: async (at: CopyCheckpoint) => {
      job.objectsCopied = at.objects;
      job.bytesCopied = at.bytes;
      await ctx.changed();
    },
    checkpointBytes: ctx.checkpointBytes,
    restarted: (reason: string) => {
      job.resumedFromObjects = 0;
      ctx.log.warn({ barcode: job.barcode, reason }, 'copy: copied again from the beginning');
    },
  };
  try {
    if (job.phase === 'copy') {
      job.resumedFromObjects = job.objectsCopied;
      if (job.objectsCopied > 0) ctx.log.info({ barcode: job.barcode, objects: job.objectsCopied }, 'copy: resuming from the checkpoint');
      await copyCartridge(medium, drive, { objects: job.objectsCopied, bytes: job.bytesCopied }, job.totalObjects, hooks);
      delete job.liveCopied;
      Object.assign(job, { phase: 'verify', copiedAt: ctx.nowIso(), objectsVerified: 0, bytesVerified: 0 });
      await ctx.changed();
      started = Date.now();
      startBytes = 0;
    }
    // Verify only reads: what it compared stays compared, so its counts are saved as they go.
    await verifyCopy(medium, drive, hooks, { objects: job.objectsVerified, bytes: job.bytesVerified });
  } finally {
    // A run that stopped (paused, failed, cancelled) shows its checkpoint: the next run starts there.
    delete job.liveCopied;
  }
}

/**
 * Import: every record and filemark of the physical cartridge into the virtual one (from BOP each time: a write at
 * BOP discards whatever an interrupted run left), then verify both from BOP. An import does not pause.
 */
export async function importAndVerify(job: CopyJob, medium: TapeMedium, drive: PhysicalTapeDrive, ctx: CopyRunContext): Promise<void> {
  const started = Date.now();
  const hooks = {
    cancelled: () => ctx.cancelled(),
    progress: (phase: 'copy' | 'verify', at: CopyCheckpoint) => {
      if (phase === 'copy') Object.assign(job, { objectsCopied: at.objects, bytesCopied: at.bytes, totalObjects: at.objects, totalBytes: at.bytes });
      else Object.assign(job, { objectsVerified: at.objects, bytesVerified: at.bytes });
      const seconds = (Date.now() - started) / 1000;
      if (seconds > 0) job.rateBytesPerSecond = Math.round(at.bytes / seconds);
    },
  };
  if (job.phase === 'copy') {
    await medium.rewind();
    const got = await readPhysicalInto(drive, medium, { cancelled: hooks.cancelled, progress: (at) => hooks.progress('copy', at) });
    Object.assign(job, { totalObjects: got.objects, totalBytes: got.bytes, phase: 'verify', copiedAt: ctx.nowIso(), objectsVerified: 0, bytesVerified: 0 });
    await ctx.changed();
  }
  await verifyCopy(medium, drive, hooks, { objects: job.objectsVerified, bytes: job.bytesVerified });
}

// Work on record payloads, on worker threads (FORMAT.md "Compression", "Encrypted records"): LZ4, AES-GCM sealing
// and the payload's CRC32C over shared memory. The write pipeline compresses (and checksums) blocks in the slots of compression-stage.ts; the
// reader checks and decompresses records into shared-memory slabs it lends to the caller. Nothing is allocated per
// block in the main heap, and LZ4 runs off the event loop. A worker that dies fails its jobs: the caller then does
// the work on the event loop (or stores the block as it is).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { DerivedKey, OpenProblem, RecordPlace } from './crypto/record-envelope.js';
import type { SealSpec } from './crypto/seal-layers.js';

/** Compress or decompress `length` bytes of `input` at `inputOffset` into `output`. */
export interface CodecJob {
  readonly input: SharedArrayBuffer;
  readonly inputOffset: number;
  readonly length: number;
  readonly output: SharedArrayBuffer;
  readonly outputOffset: number;
  readonly outputCapacity: number;
}

/** A job's answer: the length and the CRC32C (see PayloadReply), or why the worker could not do it. */
export type CodecResult = { readonly length: number; readonly crc: number } | { readonly problem: string };

export interface PayloadRequest extends CodecJob {
  readonly id: number;
  readonly op: 'compress' | 'decompress' | 'seal' | 'open';
  /** Sealing: the envelopes to put around the input (crypto/seal-layers.ts). */
  readonly seal?: SealSpec;
  /** Opening: the key derived for the input's envelope, and where its record is. */
  readonly open?: OpenSpec;
}

/** What opening one envelope takes (record-envelope.ts openInto). */
export interface OpenSpec {
  readonly derived: DerivedKey;
  readonly place: RecordPlace;
}

/** An opening's answer: the CRC32C of the input (to check first), and the payload's length or why it did not open. */
export type OpenResult = { readonly crc: number } & ({ readonly length: number } | { readonly refused: OpenProblem });

export interface PayloadReply {
  readonly id: number;
  /**
   * Compressing: the compressed length, or -1 when the compressed form is not shorter than the block (store it as it
   * is). Decompressing: the decompressed length, or -1 with `problem`. Sealing: the sealed length.
   */
  readonly length: number;
  /**
   * CRC32C of the form to store (compress: the compressed bytes, or the block when length is -1), or of the input
   * (decompress: the stored payload, for the caller to compare with its record's CRC before using the output); sealing:
   * of the sealed bytes; opening: of the input (the envelope as stored).
   */
  readonly crc?: number;
  /** Opening: the envelope does not open with the key given (length -1). */
  readonly refused?: OpenProblem;
  readonly problem?: string;
}

/**
 * A worker with no job for this long exits, and starts again on the next job (a few tens of milliseconds). Its heap
 * and the allocator arenas of lz4-napi (mimalloc, which keeps what the thread freed) go back to the system with the
 * thread: measured, a process that had compressed with four drives kept 60-80 MiB more until its workers exited.
 */
export const IDLE_EXIT_MS = 2000;

interface Lane {
  worker: Worker | undefined;
  readonly jobs: Map<number, (reply: PayloadReply) => void>;
  /** When the lane last became idle, and the timer that ends an idle worker. */
  idleSince: number;
  idleTimer: NodeJS.Timeout | undefined;
}

export class PayloadWorkers {
  private static instance: PayloadWorkers | undefined;
  private readonly lanes: Lane[];
  private nextId = 1;

  /** The process-wide pool (one worker per core, at most 4); workers start on first use and hold the process open only while busy. */
  static shared(): PayloadWorkers {
    PayloadWorkers.instance ??= new PayloadWorkers(Math.max(1, Math.min(4, availableParallelism())));
    return PayloadWorkers.instance;
  }

  /** `idleExitMs`: how long a worker may idle before it exits (IDLE_EXIT_MS; tests pass less). */
  constructor(
    workers: number,
    private readonly idleExitMs = IDLE_EXIT_MS,
  ) {
    this.lanes = Array.from({ length: workers }, () => ({ worker: undefined, jobs: new Map(), idleSince: 0, idleTimer: undefined }));
  }

  /** Workers running now (they start on the first job and exit when idle). */
  get running(): number {
    return this.lanes.filter((lane) => lane.worker !== undefined).length;
  }

  /** Compress into `output`: the compressed length (-1: store the block as it is) and the CRC32C of what to store. */
  compress(job: CodecJob): Promise<CodecResult> {
    return this.run('compress', job);
  }

  /** Decompress into `output`: the decompressed length and the CRC32C of the input, or a problem. */
  decompress(job: CodecJob): Promise<CodecResult> {
    return this.run('decompress', job);
  }

  /** Seal the input into `output` (FORMAT.md "Encrypted records"): the sealed length and its CRC32C, or a problem. */
  seal(job: CodecJob, spec: SealSpec): Promise<CodecResult> {
    return this.run('seal', job, spec);
  }

  /**
   * Open the envelope in the input into `output` (FORMAT.md "Encrypted records"), with a key derived for it: the CRC32C
   * of the input and the payload's length or why it does not open, or a problem (the worker stopped).
   */
  async open(job: CodecJob, spec: OpenSpec): Promise<OpenResult | { readonly problem: string }> {
    const reply = await this.post('open', job, undefined, spec);
    if (reply.problem !== undefined || reply.crc === undefined) return { problem: reply.problem ?? 'no CRC' };
    return reply.refused === undefined ? { crc: reply.crc, length: reply.length } : { crc: reply.crc, refused: reply.refused };
  }

  private async run(op: PayloadRequest['op'], job: CodecJob, seal?: SealSpec): Promise<CodecResult> {
    const reply = await this.post(op, job, seal);
    return reply.problem === undefined && reply.crc !== undefined ? { length: reply.length, crc: reply.crc } : { problem: reply.problem ?? 'no CRC' };
  }

  private post(op: PayloadRequest['op'], job: CodecJob, seal: SealSpec | undefined, open?: OpenSpec): Promise<PayloadReply> {
    const lane = this.lanes.reduce((best, l) => (l.jobs.size < best.jobs.size ? l : best));
    const worker = this.start(lane);
    const id = this.nextId++;
    return new Promise((resolve) => {
      if (lane.jobs.size === 0) worker.ref(); // a job in flight keeps the process alive
      lane.jobs.set(id, resolve);
      const request: PayloadRequest = { ...job, id, op, ...(seal === undefined ? {} : { seal }), ...(open === undefined ? {} : { open }) };
      worker.postMessage(request);
    });
  }

  private start(lane: Lane): Worker {
    if (lane.worker !== undefined) return lane.worker;
    // The built worker script next to this module (tests and production both run the built files).
    const worker = new Worker(new URL('./payload-worker.js', import.meta.url));
    worker.on('message', (reply: PayloadReply) => {
      const done = lane.jobs.get(reply.id);
      lane.jobs.delete(reply.id);
      if (lane.jobs.size === 0) {
        worker.unref();
        lane.idleSince = Date.now();
        this.watchIdle(lane, this.idleExitMs);
      }
      done?.(reply);
    });
    const fail = (): void => {
      if (lane.worker !== worker) return;
      lane.worker = undefined;
      for (const [id, done] of lane.jobs) done({ id, length: -1, problem: 'the payload worker stopped' });
      lane.jobs.clear();
    };
    worker.on('error', fail);
    worker.on('exit', fail);
    worker.unref(); // after the listeners: an idle worker must not hold the process open
    lane.worker = worker;
    return worker;
  }

  /** End the lane's worker once it has been idle for idleExitMs (one timer per idle period, not one per job). */
  private watchIdle(lane: Lane, delayMs: number): void {
    if (lane.idleTimer !== undefined) return;
    lane.idleTimer = setTimeout(() => {
      lane.idleTimer = undefined;
      const worker = lane.worker;
      if (worker === undefined || lane.jobs.size > 0) return; // busy again: the next idle period arms a new timer
      const idleFor = Date.now() - lane.idleSince;
      if (idleFor < this.idleExitMs) {
        this.watchIdle(lane, this.idleExitMs - idleFor);
        return;
      }
      lane.worker = undefined; // first, so that its exit fails nothing and the next job starts a new worker
      void worker.terminate();
    }, delayMs);
    lane.idleTimer.unref();
  }
}

// LZ4 on worker threads (FORMAT.md "Compression"): the write pipeline compresses blocks in the shared-memory slots
// of compression-stage.ts, the reader decompresses into shared-memory slabs it lends to the caller. Nothing is
// allocated per block in the main heap, and LZ4 runs off the event loop. A worker that dies fails its jobs: a
// block to compress is then stored as it is, a record to decompress is reported unreadable.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

export interface Lz4Request {
  readonly id: number;
  readonly op: 'compress' | 'decompress';
  readonly input: SharedArrayBuffer;
  readonly inputOffset: number;
  readonly length: number;
  readonly output: SharedArrayBuffer;
  readonly outputOffset: number;
  readonly outputCapacity: number;
}

export interface Lz4Reply {
  readonly id: number;
  /**
   * Bytes written to the output. Compressing: -1 when the compressed form is not shorter than the block.
   * Decompressing: -1 with `problem` when the input is not a valid LZ4 block (or decompresses past the output).
   */
  readonly length: number;
  readonly problem?: string;
}

export type Lz4Job = Omit<Lz4Request, 'id' | 'op'>;

interface Lane {
  worker: Worker | undefined;
  readonly jobs: Map<number, (reply: Lz4Reply) => void>;
}

/**
 * The worker script next to this module. Built, it is lz4-worker.js; running from source under tsx (the test loop),
 * the worker first registers tsx, which a worker does not inherit from `node --import tsx`.
 */
function newWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./lz4-worker.js', import.meta.url));
  const script = JSON.stringify(new URL('./lz4-worker.ts', import.meta.url).href);
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  return new Worker(`import(${tsx}).then((tsx) => { tsx.register(); return import(${script}); })`, { eval: true });
}

export class Lz4Workers {
  private static instance: Lz4Workers | undefined;
  private readonly lanes: Lane[];
  private nextId = 1;

  /** The process-wide pool (one worker per core, at most 4); workers start on first use and hold the process open only while busy. */
  static shared(): Lz4Workers {
    Lz4Workers.instance ??= new Lz4Workers(Math.max(1, Math.min(4, availableParallelism())));
    return Lz4Workers.instance;
  }

  constructor(workers: number) {
    this.lanes = Array.from({ length: workers }, () => ({ worker: undefined, jobs: new Map() }));
  }

  /** Compress `length` bytes of `input` at `inputOffset` into `output`; resolves to the compressed length or -1. */
  async compress(job: Lz4Job): Promise<number> {
    return (await this.run('compress', job)).length;
  }

  /** Decompress `length` bytes of `input` into `output`; resolves to the decompressed length or a problem. */
  async decompress(job: Lz4Job): Promise<{ length: number } | { problem: string }> {
    const reply = await this.run('decompress', job);
    return reply.problem === undefined ? { length: reply.length } : { problem: reply.problem };
  }

  private run(op: Lz4Request['op'], job: Lz4Job): Promise<Lz4Reply> {
    const lane = this.lanes.reduce((best, l) => (l.jobs.size < best.jobs.size ? l : best));
    const worker = this.start(lane);
    const id = this.nextId++;
    return new Promise((resolve) => {
      if (lane.jobs.size === 0) worker.ref(); // a job in flight keeps the process alive
      lane.jobs.set(id, resolve);
      worker.postMessage({ ...job, id, op } satisfies Lz4Request);
    });
  }

  private start(lane: Lane): Worker {
    if (lane.worker !== undefined) return lane.worker;
    const worker = newWorker();
    worker.on('message', (reply: Lz4Reply) => {
      const done = lane.jobs.get(reply.id);
      lane.jobs.delete(reply.id);
      if (lane.jobs.size === 0) worker.unref();
      done?.(reply);
    });
    const fail = (): void => {
      if (lane.worker !== worker) return;
      lane.worker = undefined;
      for (const [id, done] of lane.jobs) done({ id, length: -1, problem: 'the LZ4 worker stopped' });
      lane.jobs.clear();
    };
    worker.on('error', fail);
    worker.on('exit', fail);
    worker.unref(); // after the listeners: an idle worker must not hold the process open
    lane.worker = worker;
    return worker;
  }
}

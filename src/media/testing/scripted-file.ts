// Test support: a RandomAccessFile in memory that logs every call and fails the ones a test scripts, and can hold
// writes back until the test lets them go (no wall-clock waits).
import type { RandomAccessFile } from '../../storage/storage.js';
import { StorageError } from '../../storage/storage.js';

export type FileCall = 'write' | 'sync' | 'truncate';

export function storageError(code: string): StorageError {
  return new StorageError(`${code}: scripted failure`, code);
}

export class ScriptedFile implements RandomAccessFile {
  bytes: Buffer = Buffer.alloc(0);
  /** Every write, sync and truncate, in order: "write <position> <bytes>", "sync", "truncate <length>". */
  readonly calls: string[] = [];
  /** Errors thrown by the next calls of each kind, first one first. */
  readonly failures: Record<FileCall, StorageError[]> = { write: [], sync: [], truncate: [] };
  private held: { promise: Promise<void>; release: () => void } | undefined;

  /** Writes from now on wait until release() is called. */
  hold(): void {
    let release = (): void => undefined;
    const promise = new Promise<void>((resolve) => (release = resolve));
    this.held = { promise, release };
  }

  release(): void {
    this.held?.release();
    this.held = undefined;
  }

  async length(): Promise<number> {
    return this.bytes.length;
  }

  async read(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    if (position >= this.bytes.length) return 0;
    return this.bytes.copy(buffer, offset, position, Math.min(this.bytes.length, position + length));
  }

  async write(buffers: readonly Buffer[], position: number): Promise<void> {
    const total = buffers.reduce((sum, b) => sum + b.length, 0);
    this.calls.push(`write ${position} ${total}`);
    if (this.held !== undefined) await this.held.promise;
    this.throwScripted('write');
    if (position + total > this.bytes.length) {
      const grown = Buffer.alloc(position + total);
      this.bytes.copy(grown);
      this.bytes = grown;
    }
    let at = position;
    for (const buffer of buffers) at += buffer.copy(this.bytes, at);
  }

  async truncate(length: number): Promise<void> {
    this.calls.push(`truncate ${length}`);
    this.throwScripted('truncate');
    const cut = Buffer.alloc(length);
    this.bytes.copy(cut, 0, 0, Math.min(length, this.bytes.length));
    this.bytes = cut;
  }

  async sync(): Promise<void> {
    this.calls.push('sync');
    this.throwScripted('sync');
  }

  async close(): Promise<void> {}

  private throwScripted(call: FileCall): void {
    const error = this.failures[call].shift();
    if (error !== undefined) throw error;
  }
}

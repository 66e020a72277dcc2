// An open file of the S3 storage: the RandomAccessFile the cartridge layer uses, over the process's one CachedFile
// for that path (several opens share it). A failed read is logged here, where the path and position are known.
import type { Logger } from '../../log.js';
import type { RandomAccessFile } from '../storage.js';
import type { CachedFile } from './cached-file.js';

export class S3File implements RandomAccessFile {
  constructor(
    private readonly file: CachedFile,
    private readonly log: Logger,
  ) {}

  length(): Promise<number> {
    return Promise.resolve(this.file.length);
  }

  async read(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    try {
      return await this.file.read(buffer, offset, length, position);
    } catch (error) {
      this.log.warn({ path: this.file.path, position, length, reason: error instanceof Error ? error.message : String(error) }, 'read from the object store failed');
      throw error;
    }
  }

  write(buffers: readonly Buffer[], position: number): Promise<void> {
    return this.file.write(buffers, position);
  }

  truncate(length: number): Promise<void> {
    return this.file.truncate(length);
  }

  sync(): Promise<void> {
    return this.file.sync();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

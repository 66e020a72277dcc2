// Give a large buffer's memory back to the system now, instead of when V8 next runs a major collection. Used for
// the buffers a cartridge or a session owned alone, once it is gone: dropped, they would wait for a collection that
// is rare with vtl's small heap, and the process's memory would grow from mount to mount (measured: +40-60 MiB per
// round of the benchmark). Transferring an ArrayBuffer into a message of a channel that is then closed detaches it
// (its views become empty) and frees its memory with the undelivered message. The caller must hold the only use.
import { MessageChannel } from 'node:worker_threads';

export function releaseMemoryNow(memory: ArrayBufferLike): void {
  if (!(memory instanceof ArrayBuffer) || memory.byteLength === 0) return; // shared memory cannot be detached
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(null, [memory]);
  port1.close();
  port2.close();
}

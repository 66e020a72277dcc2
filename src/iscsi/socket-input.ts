// Receive without allocating: an accepted socket re-wrapped so that the kernel copies incoming bytes into one
// buffer per connection, reused for every read, instead of a fresh 64 KiB Buffer per read; and the bulk of a
// large data segment straight into the buffer it is meant for, without a copy.
//
// Why: at a few hundred MB/s a fresh Buffer per read is thousands of external allocations a second, and V8 answers
// them with a full mark-compact every few tens of milliseconds (measured: 181 per GiB streamed, half of vtl's CPU).
// Node offers a reused read buffer (`onread`) only on sockets it constructs from options, not on the sockets a
// net.Server accepts, so the accepted socket's handle is moved into a new net.Socket built with `onread`. This is
// the one place that relies on Node internals (`_handle`, the `handle` option); if they are missing the accepted
// socket is used as it is, with ordinary 'data' events.
import { Socket } from 'node:net';
import { releaseMemoryNow } from '../release-memory.js';

/** Where reads go. */
export interface ReadSink {
  /** The bytes of one read into the shared buffer; the view is only valid until the call returns. */
  receive(chunk: Buffer): void;
  /** A buffer the next read should land in directly (the rest of a data segment), or undefined. */
  target(): Buffer | undefined;
  /** `bytes` landed in `into`, the buffer target() returned last (possibly after the sink stopped reading). */
  receivedInPlace(bytes: number, into: Buffer): void;
}

/** Internals of net.Socket used here (present in Node 20 and 22). */
interface SocketInternals {
  _handle?: object | null;
}

/** Node's `onread` pair, separate from the socket so tests can drive it as the kernel would. */
export interface ReadRouting {
  /** Asked right after each read is processed: where the next read lands. */
  buffer(): Buffer;
  callback(bytes: number, into: Buffer): void;
}

/**
 * Reads land in the rest of a large data segment when the sink offers one (the command's data-out buffer, read
 * straight into its final place), else in `shared`, from where the PDU reader copies them out. `into` tells the
 * sink which: the read may complete after the sink changed its mind (stopped), and only it can tell.
 */
export function readRouting(shared: Buffer, sink: ReadSink): ReadRouting {
  return {
    buffer: (): Buffer => sink.target() ?? shared,
    callback: (bytes: number, into: Buffer): void => {
      if (into === shared) sink.receive(shared.subarray(0, bytes));
      else sink.receivedInPlace(bytes, into);
    },
  };
}

/**
 * Moves the handle of `accepted` (from a server created with `pauseOnConnect: true`, so it never started reading)
 * into a new socket whose reads land in one reused buffer of `bufferBytes` (or where `sink.target()` says) and go
 * to `sink`. The accepted socket is destroyed once the new one closes, so the server's connection count stays right.
 */
export function adoptWithReusedBuffer(accepted: Socket, bufferBytes: number, sink: ReadSink): Socket {
  const internals = accepted as unknown as SocketInternals;
  const handle = internals._handle;
  if (handle === undefined || handle === null) {
    accepted.resume();
    return accepted;
  }
  const shared = Buffer.allocUnsafeSlow(bufferBytes);
  const options = { handle, readable: true, writable: true, onread: readRouting(shared, sink) };
  const socket = new Socket(options);
  internals._handle = null;
  socket.once('close', () => {
    accepted.destroy();
    releaseMemoryNow(shared.buffer); // no read can land in it any more
  });
  return socket;
}

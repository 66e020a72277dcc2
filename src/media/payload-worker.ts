// One payload thread (payload-workers.ts). It reads its input from shared memory and writes its output back into
// shared memory, so neither thread allocates a Buffer per block in the other's heap. LZ4 is the system's liblz4
// (codec/codec-choice.ts), which compresses and decompresses straight into that memory (2-3 times less CPU than
// lz4-napi, measured in docs/BENCHMARKS.md "Session 10"); where only lz4-napi runs, its allocations stay in this
// thread's heap, collected here, off the event loop.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort } from 'node:worker_threads';
import { crc32c } from '../crc32c.js';
import type { PayloadReply, PayloadRequest } from './payload-workers.js';
import { codecChoice } from './codec/codec-choice.js';
import { aesGcm } from './crypto/aes-gcm-choice.js';
import { openInto } from './crypto/record-envelope.js';
import { sealLayers, sealSpecFromMessage } from './crypto/seal-layers.js';

if (parentPort === null) throw new Error('payload-worker.js runs as a worker thread');
const port = parentPort;

/**
 * lz4-napi returns each result in a fresh Buffer, which this thread copies out and drops at once. Left to itself V8
 * lets tens of MiB of such buffers pile up per thread before collecting them (measured: +200 MiB of peak RSS with
 * four drives). A young-generation collection every COLLECT_EVERY_BYTES of results keeps that to a few MiB, and every
 * MAJOR_EVERY-th one is a full collection, for the few that were promoted before they died (without it the process
 * grew by ~10 MiB per stream). Both cost about a millisecond or less on this thread's tiny heap.
 */
const COLLECT_EVERY_BYTES = 2 * 1024 * 1024;
const MAJOR_EVERY = 16;
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as (options?: { type: 'minor' | 'major' }) => void;
let sinceCollect = 0;
let collections = 0;

function dropped(bytes: number): void {
  sinceCollect += bytes;
  if (sinceCollect < COLLECT_EVERY_BYTES) return;
  sinceCollect = 0;
  collections++;
  collect({ type: collections % MAJOR_EVERY === 0 ? 'major' : 'minor' });
}

/** postMessage turns every Buffer into a Uint8Array. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function run(request: PayloadRequest): PayloadReply {
  const input = Buffer.from(request.input, request.inputOffset, request.length);
  const output = Buffer.from(request.output, request.outputOffset, request.outputCapacity);
  if (request.op === 'seal') {
    if (request.seal === undefined) return { id: request.id, length: -1, problem: 'a seal job without its keys' };
    const spec = sealSpecFromMessage(request.seal);
    const length = sealLayers(spec, input, output);
    // node:crypto (the cipher's fallback) returns the ciphertext in fresh buffers, once per envelope.
    if (aesGcm().allocates) dropped(length * (spec.host !== undefined && spec.atRest !== undefined ? 2 : 1));
    return { id: request.id, length, crc: crc32c(output.subarray(0, length)) };
  }
  if (request.op === 'open') {
    if (request.open === undefined) return { id: request.id, length: -1, problem: 'an open job without its key' };
    const crc = crc32c(input);
    const { derived, place } = request.open;
    const opened = openInto({ aesKey: asBuffer(derived.aesKey), check: asBuffer(derived.check) }, input, place, output);
    if (aesGcm().allocates) dropped(request.length);
    return typeof opened === 'string' ? { id: request.id, length: -1, crc, refused: opened } : { id: request.id, length: opened, crc };
  }
  const lz4 = codecChoice().lz4;
  if (request.op === 'compress') {
    // Only a shorter form is worth storing; -1 says "store the block as it is".
    const length = lz4.compressWithin(input, output.subarray(0, Math.max(0, Math.min(request.outputCapacity, request.length - 1))));
    if (lz4.allocates) dropped(request.length);
    if (length < 0) return { id: request.id, length: -1, crc: crc32c(input) };
    return { id: request.id, length, crc: crc32c(output.subarray(0, length)) };
  }
  const crc = crc32c(input);
  // The LZ4 layout's first four bytes say how long the block is (FORMAT.md "Compression").
  if (input.length >= 4 && input.readUInt32LE(0) > request.outputCapacity) {
    return { id: request.id, length: -1, crc, problem: `the payload decompresses to more than ${request.outputCapacity} bytes` };
  }
  const length = lz4.decompress(input, output);
  if (lz4.allocates) dropped(length);
  return { id: request.id, length, crc };
}

/** Jobs received and not yet run, and whether this turn of the event loop has run one already. */
const queue: PayloadRequest[] = [];
let ranThisTurn = false;

/**
 * One job per turn of the event loop. Node hands a thread all the messages waiting on its port in one go; run back to
 * back, every result of such a batch stays allocated until the batch ends, because lz4-napi's buffers are freed by a
 * callback that runs between turns, after the collector has found them dead (measured: 40-70 MiB of mimalloc memory
 * with four drives compressing, 13-16 MiB when each job has a turn of its own).
 */
function nextTurn(): void {
  ranThisTurn = false;
  const request = queue.shift();
  if (request !== undefined) runNow(request);
}

function runNow(request: PayloadRequest): void {
  ranThisTurn = true;
  setImmediate(nextTurn);
  let reply: PayloadReply;
  try {
    reply = run(request);
  } catch (error) {
    reply = { id: request.id, length: -1, problem: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
}

port.on('message', (request: PayloadRequest) => {
  if (ranThisTurn || queue.length > 0) queue.push(request);
  else runNow(request);
});

// Shared helpers for the media tests: a store in a temporary folder, a logger that keeps its lines, and
// deterministic block contents. (Under `node --test dist/test` this file also runs as a test file: it only exports.)
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { Logger } from '../../src/log.js';
import { FileMediaStore } from '../../src/media/file-media-store.js';
import type { CartridgeDescriptor } from '../../src/media/tape-medium.js';
import type { Storage } from '../../src/storage/storage.js';
import { MemoryStorage } from '../../src/storage/memory-storage.js';

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

export function capturingLogger(): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  return { log, lines };
}

export interface TempStore {
  readonly directory: string;
  readonly store: FileMediaStore;
  readonly lines: LogLine[];
  /** Path of one of a cartridge's files. */
  file(barcode: string, name: string): string;
  cleanup(): Promise<void>;
}

export async function tempStore(options: { storage?: (directory: string) => Storage } = {}): Promise<TempStore> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'vtl-media-'));
  const { log, lines } = capturingLogger();
  const storage = options.storage?.(directory);
  const store = new FileMediaStore(storage === undefined ? { directory, log } : { directory, log, storage });
  return {
    directory,
    store,
    lines,
    file: (barcode, name) => path.join(directory, barcode, name),
    cleanup: () => rm(directory, { recursive: true, force: true }),
  };
}

export function cartridge(overrides: Partial<CartridgeDescriptor> = {}): CartridgeDescriptor {
  return { barcode: 'T00001L8', generation: 8, worm: false, capacityBytes: 64 * 1024 * 1024, ...overrides };
}

/** Incompressible-looking bytes that depend only on (seed, length): xorshift32. */
export function pattern(seed: number, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

/** A deterministic pseudo-random generator for seeded tests. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** A store in memory: for tests that reopen a cartridge many times. */
export function memoryStore(): { store: FileMediaStore; storage: MemoryStorage; lines: LogLine[] } {
  const { log, lines } = capturingLogger();
  const storage = new MemoryStorage();
  return { store: new FileMediaStore({ directory: '/nonexistent', log, storage }), storage, lines };
}

/**
 * What the crash worker writes as object `objectNumber` in round `round`: a filemark, or a block. Some groups of four
 * objects are all filemarks, which the worker writes as runs (FORMAT.md "Filemark runs").
 */
export function crashObject(objectNumber: number, round: number): { kind: 'filemark' } | { kind: 'block'; data: Buffer; compress: boolean } {
  const group = (Math.imul(Math.floor(objectNumber / 4) + 1, 0x27d4eb2d) ^ Math.imul(round + 1, 0x165667b1)) >>> 0;
  if ((group ^ (group >>> 13)) % 13 === 0) return { kind: 'filemark' };
  const h = Math.imul(objectNumber + 1, 0x9e3779b1) ^ Math.imul(round + 1, 0x85ebca6b);
  const mix = (h ^ (h >>> 15)) >>> 0;
  if (mix % 11 === 0) return { kind: 'filemark' };
  const size = mix % 13 === 0 ? 256 * 1024 + (mix % 997) : mix % 3 === 0 ? 512 : (mix % 20_000) + 1;
  if (mix % 4 === 0) return { kind: 'block', data: Buffer.alloc(size, mix & 0xff), compress: true };
  return { kind: 'block', data: pattern(mix, size), compress: mix % 2 === 0 };
}

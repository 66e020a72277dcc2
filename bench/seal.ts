// Issue 16, "Performance": what sealing costs a 256 KiB stream, measured in-process on FileTapeMedium (no iSCSI), so
// the cost of the cipher is seen without the network path around it. Three streams over the same kind of cartridge:
// plain, with a drive key (the host's envelope) and with encryption at rest (the data key's envelope), each written
// (WRITE with compression on, as a drive writes by default, then a filemark, which flushes) and read back (the drive
// key's envelope opened as the drive opens it). Incompressible data, as the bench's 85 % goal is stated on it.
// The machine may be shared: each stream is repeated, interleaved, and the best repetition is reported, with the CPU
// time the process spent (all threads) per GB. Usage: node dist/bench/seal.js [--mib 256] [--reps 5] [--only "drive key"]
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { silentLogger } from '../src/log.js';
import { MasterKey } from '../src/media/crypto/master-key.js';
import { openBlock } from '../src/media/crypto/open-block.js';
import { KeyDeriver, sealRecord, type BlockKey } from '../src/media/crypto/record-envelope.js';
import type { EnvelopeKey } from '../src/media/crypto/record-opener.js';
import { FileMediaStore } from '../src/media/file-media-store.js';

const RECORD = 256 * 1024;
const { values } = parseArgs({ options: { mib: { type: 'string', default: '256' }, reps: { type: 'string', default: '5' }, only: { type: 'string' } } });
const streamBytes = Number(values.mib) * 1024 * 1024;
const reps = Number(values.reps);
const hostKey: BlockKey = { key: randomBytes(32), ukad: Buffer.alloc(0), akad: Buffer.alloc(0), kadFormat: 0, rawReadDisabled: false };
/** A pool larger than the caches, each record a window into it. */
const pool = randomBytes(16 * 1024 * 1024);

type Kind = 'plain' | 'drive key' | 'at rest';
/** MB/s; CPU seconds of the process (all threads) and of the event loop alone (its busy time) per GB. */
interface Sample { readonly writeMBs: number; readonly readMBs: number; readonly cpuWrite: number; readonly cpuRead: number; readonly loopWrite: number; readonly loopRead: number }

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

async function stream(kind: Kind, directory: string): Promise<Sample> {
  const store = new FileMediaStore({ directory, log: silentLogger(), ...(kind === 'at rest' ? { masterKey: MasterKey.generate() } : {}) });
  const descriptor = { barcode: `SEAL${Math.floor(Math.random() * 1e6)}`, generation: 8, worm: false, capacityBytes: 2 * streamBytes };
  await store.create(descriptor);
  const medium = await store.open(descriptor);
  const options = kind === 'drive key' ? { compress: true, encrypt: hostKey } : { compress: true };
  const records = Math.floor(streamBytes / RECORD);
  let t = process.hrtime.bigint();
  let cpu = process.cpuUsage();
  let loop = performance.eventLoopUtilization();
  for (let i = 0; i < records; i++) {
    const at = (i * 40_961) % (pool.length - RECORD);
    await medium.write(pool.subarray(at, at + RECORD), options);
  }
  await medium.writeFilemarks(1);
  const writeSeconds = Number(process.hrtime.bigint() - t) / 1e9;
  const cpuWrite = cpuSeconds(cpu);
  const loopWrite = performance.eventLoopUtilization(loop).active / 1000;
  await medium.rewind();
  t = process.hrtime.bigint();
  cpu = process.cpuUsage();
  loop = performance.eventLoopUtilization();
  const deriver = new KeyDeriver(); // as the drive keeps one (one key derivation per generation, not per record)
  // Lent to the medium as the drive lends its key (DriveEncryption.readKey): blocks are opened as they are read.
  const openWith: EnvelopeKey = { derive: (salt, generation) => deriver.derive(hostKey.key, salt, generation) };
  for (;;) {
    const outcome = await medium.read(kind === 'drive key' ? { openWith } : {});
    if (outcome.kind === 'encrypted-block') {
      const early = outcome.opened;
      const block = early === undefined ? openBlock(hostKey.key, outcome.envelope, outcome.place, deriver) : 'data' in early ? early.data : early.refused;
      outcome.release?.();
      if (typeof block === 'string') throw new Error(`a record does not open: ${block}`);
    } else if (outcome.kind === 'block') outcome.release?.();
    else break;
  }
  const readSeconds = Number(process.hrtime.bigint() - t) / 1e9;
  const cpuRead = cpuSeconds(cpu);
  const loopRead = performance.eventLoopUtilization(loop).active / 1000;
  await medium.close();
  const gb = (records * RECORD) / 1e9;
  return { writeMBs: (gb * 1000) / writeSeconds, readMBs: (gb * 1000) / readSeconds, cpuWrite: cpuWrite / gb, cpuRead: cpuRead / gb, loopWrite: loopWrite / gb, loopRead: loopRead / gb };
}

/** sealRecord() alone on one 256 KiB payload: CPU microseconds per call, best of a few rounds. */
function sealAlone(): number {
  const identity = { salt: randomBytes(16), generation: 1 };
  let best = Infinity;
  for (let round = 0; round < 10; round++) {
    const cpu = process.cpuUsage();
    for (let i = 0; i < 100; i++) sealRecord(hostKey, pool.subarray(0, RECORD), { objectNumber: i, pass: 1, logicalLength: RECORD, compressed: false }, identity);
    best = Math.min(best, (cpuSeconds(cpu) * 1e6) / 100);
  }
  return best;
}

async function main(): Promise<void> {
  const kinds = (['plain', 'drive key', 'at rest'] as const).filter((k) => values.only === undefined || values.only === k || k === 'plain');
  const best = new Map<Kind, Sample>();

  for (let rep = 0; rep < reps; rep++) {
    for (const kind of kinds) {
      const directory = await mkdtemp(path.join(tmpdir(), 'vtl-seal-'));
      try {
        const s = await stream(kind, directory);
        const b = best.get(kind);
        best.set(kind, b === undefined ? s : {
          writeMBs: Math.max(b.writeMBs, s.writeMBs), readMBs: Math.max(b.readMBs, s.readMBs),
          cpuWrite: Math.min(b.cpuWrite, s.cpuWrite), cpuRead: Math.min(b.cpuRead, s.cpuRead),
          loopWrite: Math.min(b.loopWrite, s.loopWrite), loopRead: Math.min(b.loopRead, s.loopRead),
        });
      } finally {
        await rm(directory, { recursive: true, force: true });
      }
    }
  }
  const plain = best.get('plain');
  if (plain === undefined) return;
  console.log(`sealRecord() alone, 256 KiB: ${sealAlone().toFixed(0)} us of CPU per record`);
  console.log(`${Number(values.mib)} MiB per stream, 256 KiB records, best of ${reps}:`);
  console.log('stream     | write MB/s      | read MB/s       | CPU s/GB written (event loop) | CPU s/GB read (event loop)');
  for (const kind of kinds) {
    const s = best.get(kind);
    if (s === undefined) continue;
    const ratio = (a: number, b: number): string => `(${((a / b) * 100).toFixed(0)} %)`;
    console.log(`${kind.padEnd(10)} | ${s.writeMBs.toFixed(0).padStart(5)} ${ratio(s.writeMBs, plain.writeMBs).padStart(7)} | ${s.readMBs.toFixed(0).padStart(5)} ${ratio(s.readMBs, plain.readMBs).padStart(7)} | ${s.cpuWrite.toFixed(2).padStart(16)} (${s.loopWrite.toFixed(2)}) | ${s.cpuRead.toFixed(2).padStart(13)} (${s.loopRead.toFixed(2)})`);
  }
}

await main();

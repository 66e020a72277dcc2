// A micro-driver for issue 17's first complaint: 256 KiB blocks of compressible and incompressible data written through
// FileTapeMedium with drive compression on, in process (no iSCSI), so the media path alone is measured. Each kind is
// written `--reps` times, alternating, and the best and median MB/s are printed; run it under
// `valgrind --tool=callgrind --trace-children=no` with `--reps 1` to count instructions on a noisy machine.
// Process CPU time (every thread: the event loop, payload workers, libuv) per GB is printed too: it is what a noisy
// machine disturbs least.
// Usage: node dist/bench/dedup-ingest.js [--mib 256] [--reps 3] [--block 262144] [--compress on|off] [--ingest inline|deferred]
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../src/log.js';
import { FileMediaStore } from '../src/media/file-media-store.js';
import { compressibleBlock, incompressibleBlock } from './dedup-data.js';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && at + 1 < process.argv.length ? (process.argv[at + 1] ?? fallback) : fallback;
}

const totalMiB = Number(option('mib', '256'));
const reps = Number(option('reps', '3'));
const blockBytes = Number(option('block', String(256 * 1024)));
const compress = option('compress', 'on') === 'on';
const ingestCompression = option('ingest', 'deferred') === 'inline' ? 'inline' : 'deferred';

async function stream(kind: 'compressible' | 'incompressible', rep: number): Promise<{ mbps: number; storedBytes: number; cpuMsPerGB: number }> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'vtl-dedup-ingest-'));
  try {
    const store = new FileMediaStore({ directory, log: silentLogger(), ingestCompression });
    const descriptor = { barcode: `B${rep}`, generation: 8, worm: false, capacityBytes: 64 * 1024 ** 3 };
    await store.create(descriptor);
    const medium = await store.open(descriptor);
    const blocks = Math.floor((totalMiB * 1024 * 1024) / blockBytes);
    const source = Array.from({ length: 16 }, (_, i) => (kind === 'compressible' ? compressibleBlock(i, blockBytes) : incompressibleBlock(i, blockBytes)));
    const cpuBefore = process.cpuUsage();
    const started = process.hrtime.bigint();
    for (let i = 0; i < blocks; i++) await medium.write(source[i % source.length], { compress });
    await medium.flush();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMsPerGB = (cpu.user + cpu.system) / 1000 / ((blocks * blockBytes) / 1e9);
    const storedBytes = medium.capacity().usedBytes;
    await medium.close();
    return { mbps: (blocks * blockBytes) / 1e6 / seconds, storedBytes, cpuMsPerGB };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

const results: Record<string, number[]> = { compressible: [], incompressible: [] };
const stored: Record<string, number> = {};
const cpuMs: Record<string, number[]> = { compressible: [], incompressible: [] };
for (let rep = 0; rep < reps; rep++) {
  for (const kind of rep % 2 === 0 ? (['compressible', 'incompressible'] as const) : (['incompressible', 'compressible'] as const)) {
    const { mbps, storedBytes, cpuMsPerGB } = await stream(kind, rep);
    cpuMs[kind]?.push(cpuMsPerGB);
    results[kind]?.push(mbps);
    stored[kind] = storedBytes;
  }
}
for (const [kind, runs] of Object.entries(results)) {
  const sorted = [...runs].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  console.log(`${kind.padEnd(15)} best ${Math.max(...runs).toFixed(0)} MB/s, median ${median.toFixed(0)} MB/s, stored ${((stored[kind] ?? 0) / 1e6).toFixed(1)} MB of ${totalMiB * 1.048576} MB (${runs.map((r) => r.toFixed(0)).join(' ')}); CPU (all threads) best ${Math.min(...(cpuMs[kind] ?? [])).toFixed(0)} ms/GB`);
}

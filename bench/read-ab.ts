// Interleaved A/B/... of single read streams across several builds of vtl, for finding where read speed went (issue
// 13): every build is started once, then each repetition runs one stream (write, write+flush, read) per build, the
// order rotated every repetition so no build always follows the same one. Prints the median read MB/s and the
// target's CPU seconds per GB read per build, with every sample.
//
//   node --import tsx bench/read-ab.ts --reps 8 --record 262144 base=OLD/src/main.js head=dist/src/main.js
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runStream } from './client.js';
import { startVtl, type BenchTarget } from './targets.js';

const MiB = 1024 * 1024;

interface Options {
  reps: number;
  recordBytes: number[];
  bytes: number;
  pattern: 'random' | 'text';
  builds: { label: string; main: string }[];
}

function parse(argv: string[]): Options {
  const options: Options = { reps: 6, recordBytes: [262144], bytes: 256 * MiB, pattern: 'random', builds: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--reps') options.reps = Number(argv[++i]);
    else if (arg === '--record') options.recordBytes = (argv[++i] ?? '').split(',').map(Number);
    else if (arg === '--mib') options.bytes = Number(argv[++i]) * MiB;
    else if (arg === '--pattern') options.pattern = argv[++i] === 'text' ? 'text' : 'random';
    else if (arg.includes('=')) {
      const [label = '', main = ''] = arg.split('=');
      options.builds.push({ label, main: resolve(main) });
    } else throw new Error(`Unknown argument ${arg}; usage: --reps N --record 65536,262144 --mib 256 --pattern random|text label=main.js...`);
  }
  if (options.builds.length === 0) throw new Error('Name at least one build: label=path/to/src/main.js');
  return options;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function main(): Promise<void> {
  const options = parse(process.argv.slice(2));
  const clientPath = resolve('bench/out/tape-bench');
  const workDir = mkdtempSync(join(tmpdir(), 'vtl-read-ab-'));
  const targets: { label: string; target: BenchTarget }[] = [];
  try {
    for (const [i, build] of options.builds.entries()) {
      // startVtl names the data folder after the target name; each build gets its own folder.
      const target = await startVtl({ name: 'vtl', main: build.main, workDir: join(workDir, String(i)) });
      targets.push({ label: build.label, target });
    }
    const samples = new Map<string, { mbps: number[]; cpu: number[] }>();
    for (let rep = 0; rep < options.reps; rep++) {
      for (const recordBytes of options.recordBytes) {
        for (let k = 0; k < targets.length; k++) {
          const entry = targets[(k + rep) % targets.length];
          if (entry === undefined) continue;
          const { label, target } = entry;
          const result = await runStream(clientPath, target, { recordBytes, bytesPerStream: options.bytes, pattern: options.pattern, streams: 1, verify: false });
          const key = `${label} ${recordBytes}`;
          const s = samples.get(key) ?? { mbps: [], cpu: [] };
          s.mbps.push(result.readMBps);
          s.cpu.push(result.targetCpuReadSeconds / (result.bytesRead / 1e9));
          samples.set(key, s);
          process.stderr.write(`rep ${rep} ${key}: read ${result.readMBps.toFixed(0)} MB/s, ${(result.targetCpuReadSeconds / (result.bytesRead / 1e9)).toFixed(2)} CPU s/GB\n`);
        }
      }
    }
    for (const [key, s] of samples) {
      console.log(`${key.padEnd(24)} read median ${median(s.mbps).toFixed(0)} MB/s, CPU ${median(s.cpu).toFixed(3)} s/GB read  [${s.mbps.map((v) => v.toFixed(0)).join(' ')}]`);
    }
  } finally {
    for (const { target } of targets) await target.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

await main();

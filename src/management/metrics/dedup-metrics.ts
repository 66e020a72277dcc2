// Deduplication series (issue 17), read from the chunk store when Prometheus scrapes: logical, stored and backlog
// bytes per library, and what the background pass has done since the start.
import { Gauge, type Registry } from 'prom-client';
import type { DedupView } from '../dedup-status.js';

export function registerDedupMetrics(registry: Registry, dedup: DedupView): void {
  const registers = [registry];
  // One status read per scrape serves every series below (each gauge's collect runs in turn).
  let pending: ReturnType<DedupView['status']> | undefined;
  const status = (): ReturnType<DedupView['status']> => (pending ??= dedup.status().finally(() => setImmediate(() => (pending = undefined))));
  const bytes = new Gauge({
    name: 'vtl_dedup_bytes',
    help: 'Cartridges of deduplicating libraries: logical (as the hosts wrote), stored (chunks they added plus data not yet moved) and backlog (not yet moved) bytes',
    labelNames: ['library', 'kind'],
    registers,
    collect: async () => {
      bytes.reset();
      for (const c of (await status()).cartridges) {
        bytes.inc({ library: c.library, kind: 'logical' }, c.logicalBytes);
        bytes.inc({ library: c.library, kind: 'stored' }, c.storedBytes);
        bytes.inc({ library: c.library, kind: 'backlog' }, c.backlogBytes);
      }
    },
  });
  const pass = new Gauge({
    name: 'vtl_dedup_pass',
    help: 'The background deduplication pass since the start: bytes moved into chunks, seconds busy, rounds, containers collected',
    labelNames: ['kind'],
    registers,
    collect: async () => {
      const p = (await status()).pass;
      pass.set({ kind: 'moved_bytes' }, p.movedBytes);
      pass.set({ kind: 'busy_seconds' }, p.busySeconds);
      pass.set({ kind: 'rounds' }, p.rounds);
      pass.set({ kind: 'containers_collected' }, p.containersCollected);
    },
  });
}

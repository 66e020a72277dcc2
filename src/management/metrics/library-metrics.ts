// Per-library and server-wide series: cartridges by location and state, the data dir's disk, and iSCSI sessions
// and connections. Each value is read when Prometheus scrapes.
import { statfs } from 'node:fs/promises';
import { Gauge, type Registry } from 'prom-client';
import { KIND_OF_ELEMENT } from '../views.js';
import type { MetricsSources } from './metrics-sources.js';

export function registerLibraryMetrics(registry: Registry, sources: MetricsSources): void {
  const registers = [registry];
  const manager = sources.manager;

  const cartridges = new Gauge({
    name: 'vtl_library_cartridges',
    help: 'Cartridges by location (slot, mailslot, drive, robot, shelf: the vault outside the library) and state',
    labelNames: ['library', 'location', 'worm', 'write_protected', 'retention_locked'],
    registers,
    collect: () => {
      cartridges.reset();
      const now = sources.now?.() ?? new Date();
      for (const c of manager.cartridges()) {
        const labels = {
          library: c.location.library,
          location: c.location.kind === 'shelf' ? 'shelf' : KIND_OF_ELEMENT[c.location.type],
          worm: String(c.worm),
          write_protected: String(c.writeProtected),
          retention_locked: String(manager.retention.retentionOf(c.barcode, now).locked),
        };
        cartridges.inc(labels, 1);
      }
    },
  });

  const dataDir = sources.dataDir;
  if (dataDir !== undefined) {
    const disk = new Gauge({ name: 'vtl_data_dir_bytes', help: 'The file system under the data dir: used, free (for vtl, not root) and size', labelNames: ['kind'], registers, collect: async () => {
      const fs = await statfs(dataDir);
      disk.set({ kind: 'used' }, (fs.blocks - fs.bfree) * fs.bsize);
      disk.set({ kind: 'free' }, fs.bavail * fs.bsize);
      disk.set({ kind: 'size' }, fs.blocks * fs.bsize);
    } });
  }

  const sessions = new Gauge({ name: 'vtl_iscsi_sessions', help: 'Open iSCSI sessions, normal and discovery', labelNames: ['type'], registers, collect: () => {
    const all = sources.sessions?.() ?? [];
    sessions.set({ type: 'normal' }, all.filter((s) => !s.discovery).length);
    sessions.set({ type: 'discovery' }, all.filter((s) => s.discovery).length);
  } });
  const connections = new Gauge({ name: 'vtl_iscsi_connections', help: 'Open iSCSI connections over all sessions', registers, collect: () => {
    connections.set((sources.sessions?.() ?? []).reduce((n, s) => n + s.connections, 0));
  } });
}

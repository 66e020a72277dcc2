// Builds a LibraryManager over a temp-dir catalog and the fakes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../../src/config/schema.js';
import type { VtlConfig } from '../../src/config/schema.js';
import { LibraryManager } from '../../src/library/library-manager.js';
import { silentLogger } from '../../src/log.js';
import { FakeDrive, FakeMediaStore } from './fakes.js';

export interface Harness {
  readonly dir: string;
  readonly catalogPath: string;
  readonly store: FakeMediaStore;
  readonly config: VtlConfig;
  manager: LibraryManager;
  readonly drives: FakeDrive[];
  /** Close and open the catalog again (a restart), with fresh drives attached. */
  restart(config?: VtlConfig): Promise<void>;
  cleanup(): void;
}

export function smallConfig(overrides: Record<string, unknown> = {}): VtlConfig {
  return configSchema.parse({
    libraries: [{ name: 'lib0', driveCount: 2, slots: 6, mailSlots: 2, initialCartridges: { count: 3 }, ...overrides }],
  });
}

export async function harness(config: VtlConfig = smallConfig()): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'vtl-library-'));
  const catalogPath = join(dir, 'catalog.sqlite');
  const store = new FakeMediaStore();
  const h: Harness = {
    dir,
    catalogPath,
    store,
    config,
    manager: new LibraryManager({ config, mediaStore: store, log: silentLogger(), catalogPath }),
    drives: [],
    async restart(next = config) {
      h.manager.close();
      h.manager = new LibraryManager({ config: next, mediaStore: store, log: silentLogger(), catalogPath });
      await h.manager.start();
      h.drives.length = 0;
      for (const lib of next.libraries) {
        for (let i = 0; i < h.manager.library(lib.name).drives; i++) {
          const d = new FakeDrive(`${lib.name}/${i}`);
          h.drives.push(d);
          await h.manager.attachDrive(lib.name, i, d);
        }
      }
    },
    cleanup() {
      h.manager.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await h.manager.start();
  for (const lib of config.libraries) {
    for (let i = 0; i < h.manager.library(lib.name).drives; i++) {
      const d = new FakeDrive(`${lib.name}/${i}`);
      h.drives.push(d);
      await h.manager.attachDrive(lib.name, i, d);
    }
  }
  return h;
}

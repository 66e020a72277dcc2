// Start-up on a cluster node (src/cluster): the catalog is shared and each library is served by the node holding its
// lease, so the start-up steps of startup-check.ts split in two. What belongs to no library runs once when the node
// starts; what belongs to one library runs when the node takes that library (at start or from a node that died),
// under its lease: the catalog's fence refuses changes to another node's library.
import type { LibraryCore } from './library-core.js';
import { LibraryStateError } from './library-state-error.js';
import {
  adoptOrphans, applyRetentionPolicies, emptyReport, finishIntents, logReport, markMissingMedia, reconcileLayout, shelveInactive,
  type StartupReport,
} from './startup-check.js';

/**
 * Libraries of the catalog no longer in the config go to the shelf (unless another node still serves them: its
 * config differs, and the fence says so); deletes a crash interrupted are finished; orphan media files adopted;
 * retention policies applied. Nothing here touches a located cartridge of a configured library.
 */
export async function sharedStartup(core: LibraryCore): Promise<StartupReport> {
  const report = emptyReport();
  const { catalog, log } = core;
  for (const { name } of catalog.libraries()) {
    if (core.active.has(name)) continue;
    try {
      shelveInactive(core, name, report);
    } catch (err) {
      if (!(err instanceof LibraryStateError && err.code === 'not-owner')) throw err;
      log.warn({ library: name }, 'a library not in this node\'s config is served by another node: left alone');
    }
  }
  const leftByCrash = new Set(catalog.intents().map((i) => i.id));
  // A delete's row is gone, so it belongs to no library; finishing it twice (here and on its node) deletes one file.
  await finishIntents(core, report, leftByCrash, (i) => i.kind === 'delete' && catalog.cartridge(i.barcode) === undefined);
  adoptOrphans(core, report, new Set(await core.mediaStore.list()));
  logReport(core, report);
  applyRetentionPolicies(core);
  return report;
}

/**
 * The library's own steps, as a single node runs them at start: created if new, its layout reconciled, the moves
 * and creates of its cartridges that a dead node left finished or dropped, its media checked.
 */
export async function libraryStartup(core: LibraryCore, name: string): Promise<StartupReport> {
  const report = emptyReport();
  const { catalog } = core;
  const lib = core.lib(name);
  const leftByCrash = new Set(catalog.intents().map((i) => i.id));
  await reconcileLayout(core, lib, catalog.library(name) !== undefined, report);
  await finishIntents(core, report, leftByCrash, (i) => i.kind !== 'delete' && catalog.cartridge(i.barcode)?.library === name);
  const files = new Set(await core.mediaStore.list());
  markMissingMedia(core, report, files, catalog.cartridgesIn(name));
  logReport(core, report);
  return report;
}

// `vtl key rotate` (docs/SECURITY.md): every cartridge data key, on local files and in S3 libraries, re-wrapped under
// a new master key while vtl is stopped; no data is rewritten.
import { join, resolve } from 'node:path';
import { resolveServeConfig, type ServeFlags } from './config/serve-config.js';
import { createLogger } from './log.js';
import { loadMasterKey } from './media/crypto/load-master-key.js';
import { MasterKey } from './media/crypto/master-key.js';
import { rotateMasterKey } from './media/crypto/rotate-master-key.js';
import { isWormBarcode } from './open-media-stores.js';
import { LocalStorage } from './storage/local-storage.js';

/** `vtl key rotate`: exit code 0 when every encrypted cartridge is under the new key, 1 when some could not be. */
export async function rotateKey(options: ServeFlags & { newKeyFile: string }): Promise<void> {
  const config = await resolveServeConfig(options);
  // The report goes to stdout; log lines to stderr.
  const log = createLogger({ level: config.server.logLevel, destination: 2 });
  const current = await loadMasterKey(config.encryption.masterKeyFile, process.env, log);
  const next = await MasterKey.fromFile(options.newKeyFile);
  const dataDir = resolve(config.server.dataDir);
  const report = await rotateMasterKey(new LocalStorage(join(dataDir, 'cartridges')), current, next, log);
  // An S3 library's data keys live in its cartridges' metadata objects: each is rewritten by one PUT (atomic per
  // object), and in the store before the command reports success (drain() throws while the store is down).
  for (const library of config.libraries) {
    if (library.storage.kind !== 's3') continue;
    const { openLibraryS3Storage } = await import('./storage/s3/open-library-storage.js');
    const storage = await openLibraryS3Storage(library, library.storage, dataDir, log, isWormBarcode);
    try {
      const part = await rotateMasterKey(storage, current, next, log);
      await storage.drain();
      report.rotated.push(...part.rotated);
      report.alreadyNew.push(...part.alreadyNew);
      report.plain.push(...part.plain);
      report.failed.push(...part.failed);
    } finally {
      await storage.close();
    }
  }
  process.stdout.write(`${JSON.stringify({ master: next.id, ...report }, null, 2)}\n`);
  log.flush();
  if (report.failed.length > 0) process.exitCode = 1;
}

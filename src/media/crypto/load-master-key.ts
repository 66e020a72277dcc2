// Where the master key comes from (docs/SECURITY.md "Encryption at rest"): the file the config names, else the
// environment variable VTL_MASTER_KEY. A file that cannot be read leaves vtl without a master key, so cartridges
// encrypted at rest are refused (never overwritten); a key that is not 64 hex digits is a configuration error.
import type { Logger } from '../../log.js';
import { MasterKey } from './master-key.js';

export const MASTER_KEY_ENV = 'VTL_MASTER_KEY';

export async function loadMasterKey(file: string | undefined, env: NodeJS.ProcessEnv, log: Logger): Promise<MasterKey | undefined> {
  if (file !== undefined) {
    let key: MasterKey;
    try {
      key = await MasterKey.fromFile(file);
    } catch (error) {
      if (error instanceof RangeError) throw error;
      log.error({ file, err: error instanceof Error ? error.message : String(error) }, 'cannot read the master key file: cartridges encrypted at rest will be refused');
      return undefined;
    }
    log.info({ master: key.id }, 'encryption at rest: master key loaded from its file');
    return key;
  }
  const text = env[MASTER_KEY_ENV];
  if (text === undefined || text === '') return undefined;
  const key = MasterKey.parse(text, `the environment variable ${MASTER_KEY_ENV}`);
  log.info({ master: key.id }, `encryption at rest: master key taken from ${MASTER_KEY_ENV}`);
  return key;
}

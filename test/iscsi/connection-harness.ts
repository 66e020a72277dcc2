// An IscsiConnection on an in-memory transport, without TCP: the seam for byte-level and fuzz tests.
import type { Duplex } from 'node:stream';
import { silentLogger } from '../../src/log.js';
import type { Logger } from '../../src/log.js';
import { IscsiConnection } from '../../src/iscsi/connection.js';
import type { ConnectionContext } from '../../src/iscsi/connection.js';
import { DEFAULT_LIMITS } from '../../src/iscsi/negotiate.js';
import { SessionTable } from '../../src/iscsi/session-table.js';
import { StaticTargetRegistry } from '../../src/iscsi/target-registry.js';
import type { IscsiTarget } from '../../src/iscsi/target-registry.js';
import { duplexPair } from './duplex-pair.js';
import { fakeTarget } from './fake-unit.js';
import type { FakeUnit } from './fake-unit.js';
import { TARGET } from './harness.js';

export interface ConnectionRig {
  readonly connection: IscsiConnection;
  readonly initiator: Duplex;
  readonly sessionTable: SessionTable;
  readonly units: Map<number, FakeUnit>;
}

export function connectionRig(
  rechunk?: (c: Buffer) => Buffer[],
  log: Logger = silentLogger(),
  access: IscsiTarget['access'] = { initiators: [] },
  overrides: Partial<Pick<ConnectionContext, 'nopInIntervalMs' | 'nopInTimeoutMs'>> = {},
): ConnectionRig {
  const { device, units } = fakeTarget([0]);
  const registry = new StaticTargetRegistry([{ name: TARGET, portalGroupTag: 1, device, access }]);
  const sessionTable = new SessionTable(log);
  const { initiator, target } = duplexPair(rechunk);
  const connection = new IscsiConnection(
    target,
    {
      registry,
      sessionTable,
      limits: { ...DEFAULT_LIMITS, maxRecvDataSegmentLength: 65536 },
      queueDepth: 16,
      nopInIntervalMs: 5000,
      nopInTimeoutMs: 5000,
      log,
      ...overrides,
    },
    { local: { host: '127.0.0.1', port: 3260 }, remote: { host: '127.0.0.1', port: 40000 } },
  );
  return { connection, initiator, sessionTable, units };
}

// Starts an IscsiServer with fake targets on 127.0.0.1:0 for protocol tests.
import { silentLogger } from '../../src/log.js';
import { IscsiServer } from '../../src/iscsi/server.js';
import type { IscsiServerOptions } from '../../src/iscsi/server.js';
import { StaticTargetRegistry } from '../../src/iscsi/target-registry.js';
import type { IscsiTarget } from '../../src/iscsi/target-registry.js';
import type { ScsiTargetDevice } from '../../src/scsi/logical-unit.js';
import { fakeTarget } from './fake-unit.js';
import type { FakeUnit } from './fake-unit.js';

export const TARGET = 'iqn.2026-11.org.vtl:test';
export const INITIATOR = 'iqn.2026-11.org.vtl:initiator';

export interface Harness {
  readonly server: IscsiServer;
  readonly port: number;
  readonly units: Map<number, FakeUnit>;
  readonly registry: StaticTargetRegistry;
  close(): Promise<void>;
}

export async function startHarness(
  options: Partial<Omit<IscsiServerOptions, 'registry'>> & {
    readonly access?: IscsiTarget['access'];
    readonly luns?: readonly number[];
    readonly extraTargets?: readonly IscsiTarget[];
  } = {},
): Promise<Harness> {
  const { device, units } = fakeTarget(options.luns ?? [0, 1]);
  const registry = new StaticTargetRegistry([
    { name: TARGET, alias: 'test target', portalGroupTag: 1, device, access: options.access ?? { initiators: [] } },
    ...(options.extraTargets ?? []),
  ]);
  const server = new IscsiServer({ ...options, registry, log: options.log ?? silentLogger() });
  const { port } = await server.listen('127.0.0.1', 0);
  return { server, port, units, registry, close: () => server.close() };
}

/**
 * For scenario tests of real devices (SSC, SMC): serve `device` as one target on 127.0.0.1:0 and return the port.
 * Pair it with IscsiInitiator.connect({ host: '127.0.0.1', port, targetName: name, initiatorName: INITIATOR }).
 */
export async function serveDevice(
  device: ScsiTargetDevice,
  options: Partial<Omit<IscsiServerOptions, 'registry'>> & { readonly name?: string; readonly access?: IscsiTarget['access'] } = {},
): Promise<{ server: IscsiServer; port: number; name: string; close(): Promise<void> }> {
  const name = options.name ?? TARGET;
  const registry = new StaticTargetRegistry([{ name, portalGroupTag: 1, device, access: options.access ?? { initiators: [] } }]);
  const server = new IscsiServer({ ...options, registry, log: options.log ?? silentLogger() });
  const { port } = await server.listen('127.0.0.1', 0);
  return { server, port, name, close: () => server.close() };
}

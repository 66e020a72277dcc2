// Test support: a small SPC device built only from this folder's helpers, driven through the real dispatcher.
// Used by the *.test.ts files beside it; SSC and SMC tests may reuse `nexus()` and `FakeSpcDevice.run()`.
import { CommandDispatcher } from '../dispatcher.js';
import type { ItNexus, ScsiResponse, TargetEvent } from '../logical-unit.js';
import { TaskAttribute } from '../logical-unit.js';
import { silentLogger } from '../../log.js';
import type { SenseData } from '../sense.js';
import { Sense } from '../sense.js';
import type { LogPage, LogParameter } from './log-page.js';
import { LogPageControl, LogParameterControl } from './log-page.js';
import { SpcCore } from './spc-core.js';
import { spcCommands } from './spc-commands.js';
import type { BlockDescriptorSupport, BlockDescriptorValues, CommandSummary, SpcDevice, SpcIdentity } from './spc-device.js';
import { StoredModePage } from './stored-mode-page.js';
import { VersionDescriptor } from './version-descriptor.js';

export const TARGET_IQN = 'iqn.2026-01.io.vtl:lib1';

export function nexus(n: number): ItNexus {
  return {
    id: `nexus-${n}`,
    initiatorPort: `iqn.1993-08.org.debian:01:host${n},i,0x00023d000001`,
    targetPort: `${TARGET_IQN},t,0x0001`,
    relativeTargetPort: 1,
  };
}

/** A counter page (vendor-specific code 32h): parameter 0 cumulative, parameter 1 with a threshold. */
export class FakeCounterLogPage implements LogPage {
  readonly subpageCode = 0;
  counters = [5, 7];
  thresholds = [0, 100];

  constructor(readonly pageCode = 0x32) {}

  parameters(pc: LogPageControl): readonly LogParameter[] {
    const values = pc === LogPageControl.CURRENT_CUMULATIVE ? this.counters
      : pc === LogPageControl.CURRENT_THRESHOLD ? this.thresholds
      : pc === LogPageControl.DEFAULT_THRESHOLD ? [0, 100] : [0, 0];
    return values.map((v, code) => {
      const value = Buffer.alloc(4);
      value.writeUInt32BE(v);
      return { code, control: LogParameterControl.UNBOUNDED_COUNTER, value };
    });
  }

  reset(pc: LogPageControl): void {
    if (pc === LogPageControl.CURRENT_THRESHOLD) this.thresholds = [0, 100];
    else this.counters = [0, 0];
  }

  validateSelect(_pc: LogPageControl, parameters: readonly LogParameter[]): void {
    let offset = 0;
    for (const p of parameters) {
      if (p.code > 1) throw Sense.invalidFieldInParameterList(offset);
      if (p.value.length !== 4) throw Sense.invalidFieldInParameterList(offset + 3);
      offset += 4 + p.value.length;
    }
  }

  select(pc: LogPageControl, parameters: readonly LogParameter[]): void {
    this.validateSelect(pc, parameters);
    for (const p of parameters) {
      const target = pc === LogPageControl.CURRENT_THRESHOLD ? this.thresholds : this.counters;
      target[p.code] = p.value.readUInt32BE(0);
    }
  }
}

/** SSC-like block descriptor: density changeable among 00h/5Eh, block length changeable, buffered mode 0/1. */
export class FakeBlockDescriptors implements BlockDescriptorSupport {
  densityCode = 0x5e;
  blockLength = 0;
  bufferedMode = 1;

  mediumType(): number {
    return 0x88;
  }

  deviceSpecificParameter(): number {
    return this.bufferedMode << 4;
  }

  descriptors(): readonly BlockDescriptorValues[] {
    return [{ densityCode: this.densityCode, blockCount: 0, blockLength: this.blockLength }];
  }

  validateSelect(header: Parameters<BlockDescriptorSupport['validateSelect']>[0]): void {
    if ((header.deviceSpecificParameter & 0x0f) !== 0 || (header.deviceSpecificParameter >> 4 & 0x07) > 1) {
      throw Sense.invalidFieldInParameterList(header.offsets.deviceSpecificParameter);
    }
    if (header.blockDescriptors.length > 1) throw Sense.invalidFieldInParameterList(header.offsets.blockDescriptors + 8);
    const d = header.blockDescriptors[0];
    if (d && d.densityCode !== 0 && d.densityCode !== 0x5e) throw Sense.invalidFieldInParameterList(header.offsets.blockDescriptors);
  }

  applySelect(header: Parameters<BlockDescriptorSupport['applySelect']>[0]): boolean {
    const before = JSON.stringify([this.densityCode, this.blockLength, this.bufferedMode]);
    this.bufferedMode = (header.deviceSpecificParameter >> 4) & 0x07;
    const d = header.blockDescriptors[0];
    if (d) {
      if (d.densityCode !== 0) this.densityCode = d.densityCode;
      this.blockLength = d.blockLength;
    }
    return before !== JSON.stringify([this.densityCode, this.blockLength, this.bufferedMode]);
  }
}

export interface FakeOptions {
  readonly blockDescriptors?: boolean;
}

export class FakeSpcDevice implements SpcDevice {
  readonly spc = new SpcCore();
  readonly unitAttentions = this.spc.unitAttentions;
  readonly queue = this.spc.queue;
  readonly reservation = this.spc.reservation;
  readonly mediumRemoval = this.spc.mediumRemoval;
  readonly deviceClock = this.spc.deviceClock;
  readonly dataBuffer = this.spc.dataBuffer;
  readonly modePages = this.spc.modePages;
  readonly logPages = this.spc.logPages;
  readonly counterPage = new FakeCounterLogPage();
  /** A subpage (10h/01h) whose byte 4 accepts 0..3 only. */
  readonly subpage = new StoredModePage({
    pageCode: 0x10,
    subpageCode: 0x01,
    defaults: [0x00, 0x00, 0x00, 0x00],
    changeable: [0x0f, 0x00, 0x00, 0x00],
    validate: (next) => {
      if (next[4] > 3) throw Sense.invalidFieldInParameterList(4);
    },
  });
  readonly identity: SpcIdentity = {
    peripheralDeviceType: 0x01,
    removable: true,
    vendor: 'VTL',
    product: 'ULT3580-TD8',
    revision: '0100',
    serial: 'SN00000001',
    versionDescriptors: [VersionDescriptor.SAM_5, VersionDescriptor.SPC_4, VersionDescriptor.ISCSI, VersionDescriptor.SSC_4],
    naa: Buffer.from('5000c50000000001', 'hex'),
  };
  readonly extraVpdPages = new Map([[0xb0, (): Buffer => Buffer.from([0x00, 0x01])]]);
  readonly blockDescriptors: BlockDescriptorSupport | undefined;
  notReady: SenseData | undefined;
  readonly dispatcher: CommandDispatcher<SpcDevice>;

  constructor(options: FakeOptions = {}) {
    this.blockDescriptors = options.blockDescriptors ? new FakeBlockDescriptors() : undefined;
    this.modePages.add(this.subpage);
    this.logPages.add(this.counterPage);
    this.dispatcher = new CommandDispatcher<SpcDevice>(spcCommands, this, silentLogger());
  }

  senseFormat(): ReturnType<SpcCore['senseFormat']> {
    return this.spc.senseFormat();
  }

  lunInventory(): readonly number[] {
    return [0, 1, 2];
  }

  readiness(): SenseData | undefined {
    return this.notReady;
  }

  supportedCommands(): readonly CommandSummary[] {
    return spcCommands;
  }

  handleEvent(event: TargetEvent): void {
    this.spc.handleEvent(event);
  }

  /** Run one CDB (padded to 16 bytes like iSCSI does) through the dispatcher. */
  run(cdb: readonly number[], options: { readonly nexus?: ItNexus; readonly dataOut?: Buffer } = {}): Promise<ScsiResponse> {
    const padded = Buffer.alloc(Math.max(16, cdb.length));
    Buffer.from(cdb).copy(padded);
    return this.dispatcher.execute({
      lun: 1,
      cdb: padded,
      dataOut: options.dataOut,
      expectedDataInLength: 65536,
      expectedDataOutLength: options.dataOut?.length ?? 0,
      taskAttribute: TaskAttribute.SIMPLE,
      nexus: options.nexus ?? nexus(1),
      signal: new AbortController().signal,
    });
  }

  /** A device whose nexus 1 (and `others`) already consumed the power-on unit attention. */
  static async ready(options: FakeOptions = {}, others: readonly number[] = []): Promise<FakeSpcDevice> {
    const d = new FakeSpcDevice(options);
    for (const n of [1, ...others]) await d.run([0x03, 0, 0, 0, 252, 0], { nexus: nexus(n) });
    return d;
  }
}

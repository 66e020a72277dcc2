// SMC-3 client: what a physical library holds (element ranges, READ ELEMENT STATUS with VOLTAG and DVCID), which
// tape LUN each drive element is (by the drive's device identifier), and MOVE MEDIUM.
import type { IscsiSession } from '../initiator/iscsi-session.js';
import * as Cdb from './cdb.js';
import { decodeElementAddressPage, decodeElementStatus, type ElementDescriptor, type ElementRanges } from './element-status.js';
import { ScsiDevice } from './scsi-device.js';

export interface PhysicalDrive {
  readonly address: number;
  /** The tape LUN behind this element, when it could be matched. */
  readonly lun?: number;
  readonly identifier?: string;
  readonly full: boolean;
  readonly barcode?: string;
  readonly sourceAddress?: number;
}

export interface PhysicalInventory {
  readonly vendor: string;
  readonly product: string;
  readonly changerLun: number;
  readonly ranges: ElementRanges;
  readonly transportAddress: number;
  readonly drives: readonly PhysicalDrive[];
  readonly slots: readonly ElementDescriptor[];
  readonly mailSlots: readonly ElementDescriptor[];
}

export interface LunIdentity {
  readonly lun: number;
  readonly deviceType: number;
  readonly vendor: string;
  readonly product: string;
  /** VPD 80h unit serial number. */
  readonly serial: string;
}

const DeviceType = { SEQUENTIAL_ACCESS: 0x01, MEDIUM_CHANGER: 0x08 } as const;

export class PhysicalChanger {
  private device: ScsiDevice | undefined;

  constructor(private readonly session: IscsiSession, private readonly configuredChangerLun?: number) {}

  /** REPORT LUNS and INQUIRY of each: the changer LUN (unless configured) and the tape LUNs with their identities. */
  async identifyLuns(): Promise<LunIdentity[]> {
    const controller = new ScsiDevice(this.session, 0);
    const report = await controller.run('REPORT LUNS', Cdb.reportLuns(4096), { dataInLength: 4096 });
    const luns: number[] = [];
    const listLength = report.data.length >= 4 ? report.data.readUInt32BE(0) : 0;
    for (let at = 8; at + 8 <= Math.min(report.data.length, 8 + listLength); at += 8) {
      luns.push(report.data[at] >> 6 === 1 ? report.data.readUInt16BE(at) & 0x3fff : report.data[at + 1]);
    }
    const out: LunIdentity[] = [];
    for (const lun of luns) {
      const d = new ScsiDevice(this.session, lun);
      const inq = await d.run('INQUIRY', Cdb.inquiry(96), { dataInLength: 96 });
      const deviceType = inq.data[0] & 0x1f;
      let serial = '';
      if (deviceType === DeviceType.SEQUENTIAL_ACCESS) {
        const vpd = await d.run('INQUIRY', Cdb.inquiry(255, 0x80), { dataInLength: 255 });
        serial = vpd.data.toString('latin1', 4, 4 + (vpd.data[3] ?? 0)).trim();
      }
      out.push({ lun, deviceType, vendor: inq.data.toString('latin1', 8, 16), product: inq.data.toString('latin1', 16, 32), serial });
    }
    return out;
  }

  async inventory(): Promise<PhysicalInventory> {
    const luns = await this.identifyLuns();
    const changer = luns.find((l) => (this.configuredChangerLun === undefined ? l.deviceType === DeviceType.MEDIUM_CHANGER : l.lun === this.configuredChangerLun));
    if (!changer) throw new Error(this.configuredChangerLun === undefined ? 'the target has no medium changer LUN' : `LUN ${this.configuredChangerLun} is not on the target`);
    this.device = new ScsiDevice(this.session, changer.lun);
    const page = await this.device.run('MODE SENSE', Cdb.modeSense6(0x1d), { dataInLength: 255 });
    const ranges = decodeElementAddressPage(page.data);
    const drives = await this.elements(Cdb.ElementType.DATA_TRANSFER, ranges.dataTransfer);
    const tapes = luns.filter((l) => l.deviceType === DeviceType.SEQUENTIAL_ACCESS);
    return {
      vendor: changer.vendor.trim(),
      product: changer.product.trim(),
      changerLun: changer.lun,
      ranges,
      transportAddress: ranges.transport.first,
      drives: matchDrives(drives, tapes),
      slots: await this.elements(Cdb.ElementType.STORAGE, ranges.storage),
      mailSlots: await this.elements(Cdb.ElementType.IMPORT_EXPORT, ranges.importExport),
    };
  }

  async moveMedium(transport: number, source: number, destination: number): Promise<void> {
    await this.changerDevice().run('MOVE MEDIUM', Cdb.moveMedium(transport, source, destination), { timeoutMs: 900_000 });
  }

  async preventRemoval(prevent: boolean): Promise<void> {
    await this.changerDevice().run('PREVENT ALLOW MEDIUM REMOVAL', Cdb.preventAllowMediumRemoval(prevent));
  }

  private changerDevice(): ScsiDevice {
    if (!this.device) throw new Error('inventory() first: the changer LUN is not known yet');
    return this.device;
  }

  private async elements(type: number, range: { first: number; count: number }): Promise<ElementDescriptor[]> {
    if (range.count === 0) return [];
    const allocationLength = 16 + range.count * 128;
    const cdb = Cdb.readElementStatus({ type, start: range.first, count: range.count, voltag: true, dvcid: true, allocationLength });
    const r = await this.changerDevice().run('READ ELEMENT STATUS', cdb, { dataInLength: allocationLength });
    return decodeElementStatus(r.data).filter((e) => e.type === type);
  }
}

/**
 * A drive element names its drive by the identifier it reports with DVCID; tgt (and most libraries) use the T10
 * vendor identification form: vendor, product, serial. A reported identifier may be cut short (see
 * element-status.ts), so a unique prefix match counts. Without identifiers, drives pair with tape LUNs in order.
 */
export function matchDrives(drives: readonly ElementDescriptor[], tapes: readonly LunIdentity[]): PhysicalDrive[] {
  const ids = tapes.map((t) => ({ lun: t.lun, text: `${t.vendor}${t.product}${t.serial}`.trimEnd() }));
  const withIds = drives.every((d) => d.deviceIdentifier !== undefined);
  const candidates = drives.map((d, i) => {
    if (!withIds) return tapes[i] ? [tapes[i].lun] : [];
    const id = d.deviceIdentifier ?? '';
    return ids.filter((t) => t.text === id || t.text.startsWith(id)).map((t) => t.lun);
  });
  // A cut identifier can match several LUNs: settle the unique matches first, then what remains by elimination.
  const taken = new Set<number>();
  const chosen: (number | undefined)[] = drives.map(() => undefined);
  for (let progress = true; progress; ) {
    progress = false;
    candidates.forEach((c, i) => {
      const open = c.filter((lun) => !taken.has(lun));
      if (chosen[i] === undefined && open.length === 1) {
        chosen[i] = open[0];
        taken.add(open[0]);
        progress = true;
      }
    });
  }
  return drives.map((d, i) => {
    const lun = chosen[i];
    return {
      address: d.address,
      ...(lun !== undefined ? { lun } : {}),
      ...(d.deviceIdentifier ? { identifier: d.deviceIdentifier } : {}),
      full: d.full,
      ...(d.barcode ? { barcode: d.barcode } : {}),
      ...(d.sourceAddress !== undefined ? { sourceAddress: d.sourceAddress } : {}),
    };
  });
}

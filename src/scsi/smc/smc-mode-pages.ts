// SMC-3 7.3 mode pages of the changer: element address assignment (1Dh), transport geometry parameters (1Eh),
// device capabilities (1Fh). All three describe the fixed layout: nothing in them is changeable, and MODE SELECT
// with the current values is accepted (the framework refuses any other value).
import type { LibraryLayout } from '../../library/layout.js';
import type { ModePage } from '../spc/mode-page.js';
import { modePageBytes } from '../spc/stored-mode-page.js';

export const SmcModePageCode = {
  ELEMENT_ADDRESS_ASSIGNMENT: 0x1d,
  TRANSPORT_GEOMETRY_PARAMETERS: 0x1e,
  DEVICE_CAPABILITIES: 0x1f,
} as const;

class FixedModePage implements ModePage {
  readonly subpageCode = 0;

  constructor(
    readonly pageCode: number,
    private readonly body: () => Buffer,
  ) {}

  current(): Buffer {
    return modePageBytes(this.pageCode, 0, this.body());
  }

  changeable(): Buffer {
    return modePageBytes(this.pageCode, 0, Buffer.alloc(this.body().length));
  }

  default(): Buffer {
    return this.current();
  }

  apply(): void {
    // Nothing is changeable: the framework only lets the current values through.
  }
}

/** SMC-3 7.3.3: first address and count of each element type. */
export function elementAddressAssignmentBody(layout: LibraryLayout): Buffer {
  const b = Buffer.alloc(18);
  const ranges = [layout.transport, layout.storage, layout.importExport, layout.dataTransfer];
  ranges.forEach((r, i) => {
    b.writeUInt16BE(r.count > 0 ? r.firstAddress : 0, 4 * i);
    b.writeUInt16BE(r.count, 4 * i + 2);
  });
  return b;
}

/** SMC-3 7.3.5: one transport element, which cannot rotate media (ROTATE = 0, member number 0). */
export function transportGeometryBody(): Buffer {
  return Buffer.from([0x00, 0x00]);
}

/** Bits of the capability bytes: to/with DT (3), I/E (2), ST (1), MT (0). */
const ST = 0x02;
const IE = 0x04;
const DT = 0x08;

/**
 * SMC-3 7.3.4: storage, mail slots and drives hold media (the robot never keeps one: STORMT = 0); every move and
 * exchange among them is possible.
 */
export function deviceCapabilitiesBody(): Buffer {
  const b = Buffer.alloc(18);
  b[0] = 0x20 | 0x10 | 0x08; // STORDT, STORI/E, STORST
  b[2] = 0; // MT -> nothing
  b[3] = DT | IE | ST; // ST -> DT, I/E, ST
  b[4] = DT | IE | ST; // I/E -> ...
  b[5] = DT | IE | ST; // DT -> ...
  b[10] = 0; // MT <> nothing
  b[11] = DT | IE | ST;
  b[12] = DT | IE | ST;
  b[13] = DT | IE | ST;
  return b;
}

export function smcModePages(layout: () => LibraryLayout): ModePage[] {
  return [
    new FixedModePage(SmcModePageCode.ELEMENT_ADDRESS_ASSIGNMENT, () => elementAddressAssignmentBody(layout())),
    new FixedModePage(SmcModePageCode.TRANSPORT_GEOMETRY_PARAMETERS, transportGeometryBody),
    new FixedModePage(SmcModePageCode.DEVICE_CAPABILITIES, deviceCapabilitiesBody),
  ];
}

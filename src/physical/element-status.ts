// SMC-3 READ ELEMENT STATUS data (6.11.2-6.11.6) decoded: element status pages, each descriptor's address, FULL,
// source, primary volume tag (barcode) and, for data transfer elements with DVCID, the device identifier.

export interface ElementDescriptor {
  readonly type: number;
  readonly address: number;
  readonly full: boolean;
  readonly except: boolean;
  readonly sourceAddress?: number;
  /** The primary volume tag's identifier, trailing spaces removed; undefined when not reported or blank. */
  readonly barcode?: string;
  /** Device identification (DVCID): the drive's identifier as ASCII text or hex. */
  readonly deviceIdentifier?: string;
}

export function decodeElementStatus(data: Buffer): ElementDescriptor[] {
  if (data.length < 8) return [];
  const reportEnd = Math.min(data.length, 8 + data.readUIntBE(5, 3));
  const out: ElementDescriptor[] = [];
  let at = 8;
  while (at + 8 <= reportEnd) {
    const type = data[at] & 0x0f;
    const pvoltag = (data[at + 1] & 0x80) !== 0;
    const avoltag = (data[at + 1] & 0x40) !== 0;
    const descriptorLength = data.readUInt16BE(at + 2);
    const pageEnd = Math.min(reportEnd, at + 8 + data.readUIntBE(at + 5, 3));
    // tgt 1.0.85 leaves the page header out of its byte counts, so its last descriptor arrives 8 bytes short: a
    // descriptor is kept once its fixed 12 bytes are there, and what follows is read as far as it goes.
    for (let d = at + 8; descriptorLength > 0 && d + 12 <= pageEnd; d += descriptorLength) {
      const desc = data.subarray(d, Math.min(pageEnd, d + descriptorLength));
      let tail = 12;
      let barcode: string | undefined;
      if (pvoltag && desc.length >= tail + 36) {
        barcode = desc.toString('latin1', tail, tail + 32).replace(/[\s\0]+$/, '') || undefined;
        tail += 36;
      }
      if (avoltag) tail += 36;
      let deviceIdentifier: string | undefined;
      if (desc.length > tail + 4 && desc[tail + 3] > 0) {
        const id = desc.subarray(tail + 4, Math.min(desc.length, tail + 4 + desc[tail + 3]));
        deviceIdentifier = (desc[tail] & 0x0f) === 2 ? id.toString('latin1').replace(/[\s\0]+$/, '') : id.toString('hex');
      }
      out.push({
        type,
        address: desc.readUInt16BE(0),
        full: (desc[2] & 0x01) !== 0,
        except: (desc[2] & 0x04) !== 0,
        ...((desc[9] & 0x80) !== 0 ? { sourceAddress: desc.readUInt16BE(10) } : {}),
        ...(barcode ? { barcode } : {}),
        ...(deviceIdentifier ? { deviceIdentifier } : {}),
      });
    }
    at = pageEnd;
  }
  return out;
}

/** SMC-3 7.3.4 Element Address Assignment mode page (1Dh): first address and count of each element type. */
export interface ElementRanges {
  readonly transport: { first: number; count: number };
  readonly storage: { first: number; count: number };
  readonly importExport: { first: number; count: number };
  readonly dataTransfer: { first: number; count: number };
}

export function decodeElementAddressPage(modeSense6: Buffer): ElementRanges {
  const page = modeSense6.subarray(4 + modeSense6[3]);
  if ((page[0] & 0x3f) !== 0x1d || page.length < 20) throw new Error('the changer did not return the element address assignment page');
  const range = (at: number): { first: number; count: number } => ({ first: page.readUInt16BE(at), count: page.readUInt16BE(at + 2) });
  return { transport: range(2), storage: range(6), importExport: range(10), dataTransfer: range(14) };
}

// FORMAT.md "Encryption at rest": the library's master key and the cartridge data keys it wraps. AES-256-GCM with a
// random nonce per wrap (a handful of wraps per key over its life), the barcode as authenticated data so a wrapped
// key cannot be moved to another cartridge. The master key is read from a file or the environment, never written.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { KEY_BYTES } from './record-envelope.js';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** What the metadata file keeps of a cartridge's data key (FORMAT.md "Metadata file" `atRest`). */
export interface WrappedDataKey {
  /** base64 of nonce (12) || ciphertext (32) || tag (16). */
  readonly wrapped: string;
  /** The id of the master key that wrapped it (masterKeyId()). */
  readonly master: string;
}

/** A cartridge's data key cannot be had: its payloads stay unreadable and the cartridge is refused, never changed. */
export class CartridgeKeyError extends Error {
  constructor(
    message: string,
    readonly barcode: string,
  ) {
    super(message);
    this.name = 'CartridgeKeyError';
  }
}

export class MasterKey {
  /** 16 hex digits naming the key without revealing it: HMAC-SHA256(key, "vtl master key id"), first 8 bytes. */
  readonly id: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== KEY_BYTES) throw new RangeError(`A master key has ${KEY_BYTES} bytes, not ${key.length}`);
    this.id = createHmac('sha256', key).update('vtl master key id').digest().subarray(0, 8).toString('hex');
  }

  /** The key written as 64 hex digits (surrounding white space ignored). */
  static parse(text: string, source: string): MasterKey {
    const hex = text.trim();
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new RangeError(`The master key in ${source} must be 64 hex digits (256 bits)`);
    return new MasterKey(Buffer.from(hex, 'hex'));
  }

  static async fromFile(path: string): Promise<MasterKey> {
    return MasterKey.parse(await readFile(path, 'utf8'), path);
  }

  static generate(): MasterKey {
    return new MasterKey(randomBytes(KEY_BYTES));
  }

  wrap(dataKey: Buffer, barcode: string): WrappedDataKey {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(barcode));
    const body = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    return { wrapped: Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64'), master: this.id };
  }

  /** The data key, or a CartridgeKeyError that says why not (another master key, or a damaged wrap). */
  unwrap(wrapped: WrappedDataKey, barcode: string): Buffer {
    if (wrapped.master !== this.id) {
      throw new CartridgeKeyError(`Cannot open cartridge "${barcode}": its data key is wrapped by master key ${wrapped.master}, and the configured master key is ${this.id}`, barcode);
    }
    const bytes = Buffer.from(wrapped.wrapped, 'base64');
    if (bytes.length !== NONCE_BYTES + KEY_BYTES + TAG_BYTES) throw new CartridgeKeyError(`Cannot open cartridge "${barcode}": its wrapped data key is damaged`, barcode);
    const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(barcode));
    decipher.setAuthTag(bytes.subarray(NONCE_BYTES + KEY_BYTES));
    const dataKey = decipher.update(bytes.subarray(NONCE_BYTES, NONCE_BYTES + KEY_BYTES));
    try {
      decipher.final();
    } catch {
      throw new CartridgeKeyError(`Cannot open cartridge "${barcode}": its data key does not unwrap with master key ${this.id} (damaged, or another key with the same id)`, barcode);
    }
    return dataKey;
  }
}

function aad(barcode: string): Buffer {
  return Buffer.from(`vtl data key v1 ${barcode}`, 'utf8');
}

/** A new random data key for a cartridge. */
export function newDataKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

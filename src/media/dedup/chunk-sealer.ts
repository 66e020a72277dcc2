// FORMAT.md "Deduplication / Encryption at rest": with a master key, a chunk store's containers are sealed. The store
// has one random key (`store.key`, wrapped by the master key as a cartridge's data key is, its folder as the
// authenticated label). From it: the key of each container (HMAC-SHA256 of the container's random salt, so a
// container number used again after a collection never reuses a key) and the key that turns a chunk's BLAKE3 into
// its id (BLAKE3 of that key and the hash: equal chunks still meet in the index, and the files do not say which
// known data they hold). Each entry's payload is AES-256-GCM under its container's key, the nonce its offset, through
// the cipher seam (crypto/aes-gcm-choice.ts), as records are.
import { blake3 } from '@napi-rs/blake-hash';
import { createHmac, randomBytes } from 'node:crypto';
import type { Storage } from '../../storage/storage.js';
import { aesGcm } from '../crypto/aes-gcm-choice.js';
import { CartridgeKeyError, type MasterKey, type WrappedDataKey } from '../crypto/master-key.js';
import { KEY_BYTES } from '../crypto/record-envelope.js';

export const SEAL_TAG_BYTES = 16;
export const CONTAINER_SALT_BYTES = 16;
const STORE_KEY_FILE = 'store.key';

export class ChunkSealer {
  private readonly idKey: Buffer;
  private readonly containerKeys = new Map<string, Buffer>();

  private constructor(private readonly storeKey: Buffer) {
    this.idKey = createHmac('sha256', storeKey).update('vtl chunk id').digest();
  }

  /** The sealer of the store in `folder`: its key unwrapped, or made and saved when the store has none yet. */
  static async open(storage: Storage, folder: string, masterKey: MasterKey): Promise<ChunkSealer> {
    const path = `${folder}/${STORE_KEY_FILE}`;
    const saved = await storage.readFile(path);
    if (saved !== undefined) return new ChunkSealer(masterKey.unwrap(JSON.parse(saved.toString('utf8')) as WrappedDataKey, folder));
    const key = randomBytes(KEY_BYTES);
    await storage.writeFileAtomic(path, Buffer.from(JSON.stringify(masterKey.wrap(key, folder)), 'utf8'));
    return new ChunkSealer(key);
  }

  /** The id the index and the entry header keep for a chunk whose BLAKE3 is `hash`. */
  id(hash: Buffer): Buffer {
    return blake3(Buffer.concat([this.idKey, hash]));
  }

  /** Seal `payload` of the entry at `offset` of the container with `salt`; `aad` is its header's fields. */
  seal(salt: Buffer, offset: number, aad: Buffer, payload: Buffer): Buffer {
    const sealed = Buffer.allocUnsafe(payload.length + SEAL_TAG_BYTES);
    aesGcm().seal(this.keyOf(salt), nonce(offset), aad, payload, sealed.subarray(0, payload.length), sealed.subarray(payload.length));
    return sealed;
  }

  /** The payload, or undefined when the seal does not open (damage, or another key). */
  open(salt: Buffer, offset: number, aad: Buffer, sealed: Buffer): Buffer | undefined {
    if (sealed.length < SEAL_TAG_BYTES) return undefined;
    const length = sealed.length - SEAL_TAG_BYTES;
    const payload = Buffer.allocUnsafe(length);
    return aesGcm().open(this.keyOf(salt), nonce(offset), aad, sealed.subarray(0, length), sealed.subarray(length), payload) ? payload : undefined;
  }

  private keyOf(salt: Buffer): Buffer {
    const name = salt.toString('hex');
    let key = this.containerKeys.get(name);
    if (key === undefined) {
      key = createHmac('sha256', this.storeKey).update('vtl container key').update(salt).digest();
      this.containerKeys.set(name, key);
    }
    return key;
  }
}

function nonce(offset: number): Buffer {
  const bytes = Buffer.alloc(12);
  bytes.writeBigUInt64LE(BigInt(offset), 0);
  return bytes;
}

/** Where `vtl key rotate` finds the chunk stores' keys: `.dedup/store.key` and `.dedup/<library>/store.key`. */
export async function chunkStoreKeyFolders(storage: Storage): Promise<string[]> {
  const folders = ['.dedup', ...(await storage.list('.dedup')).filter((name) => /^[a-z0-9][a-z0-9-]{0,31}$/.test(name)).map((name) => `.dedup/${name}`)];
  const found: string[] = [];
  for (const folder of folders) if ((await storage.readFile(`${folder}/${STORE_KEY_FILE}`)) !== undefined) found.push(folder);
  return found;
}

/** Re-wrap a chunk store's key under `next` (`vtl key rotate`); 'already' when it is under `next` already. */
export async function rewrapChunkStoreKey(storage: Storage, folder: string, current: MasterKey | undefined, next: MasterKey): Promise<'rotated' | 'already'> {
  const path = `${folder}/${STORE_KEY_FILE}`;
  const saved = await storage.readFile(path);
  if (saved === undefined) throw new RangeError(`${path} is missing`);
  const wrapped = JSON.parse(saved.toString('utf8')) as WrappedDataKey;
  if (wrapped.master === next.id) return 'already';
  if (current === undefined) throw new CartridgeKeyError(`Cannot re-wrap the key of chunk store ${folder}: no current master key is configured`, folder);
  await storage.writeFileAtomic(path, Buffer.from(JSON.stringify(next.wrap(current.unwrap(wrapped, folder), folder)), 'utf8'));
  return 'rotated';
}

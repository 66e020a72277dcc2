// FORMAT.md "Encrypted records", "Why a nonce never repeats": the cartridge's sealing identity. A write generation
// is taken (and made durable in the metadata file) before the first encrypted record of every stretch of appends;
// anything that may make an object number be written again (a load, a cut, a failed write) ends the stretch.
import { randomBytes } from 'node:crypto';
import type { CartridgeMetadata } from '../cartridge-metadata.js';
import { SALT_BYTES, type SealingIdentity } from './record-envelope.js';

const MAX_GENERATION = 0xffffffff;

export class SealingGenerations {
  private current: SealingIdentity | undefined;

  constructor(
    private readonly metadata: CartridgeMetadata,
    /** Saves the metadata file durably (the persistence schedule's saveMetadata). */
    private readonly save: () => Promise<void>,
  ) {}

  /** The identity the next encrypted record is sealed with; a new generation is durable before it is used. */
  async identity(): Promise<SealingIdentity> {
    if (this.current !== undefined) return this.current;
    const prior = this.metadata.sealing;
    const salt = prior === undefined ? randomBytes(SALT_BYTES) : Buffer.from(prior.salt, 'base64');
    const generation = (prior?.generation ?? 0) + 1;
    if (generation > MAX_GENERATION) throw new Error(`Cartridge ${this.metadata.barcode} has used every write generation for encrypted records`);
    this.metadata.sealing = { salt: salt.toString('base64'), generation };
    await this.save();
    this.current = { salt, generation };
    return this.current;
  }

  /** Object numbers from here on may be written again: the next encrypted record takes a new generation. */
  retire(): void {
    this.current = undefined;
  }
}

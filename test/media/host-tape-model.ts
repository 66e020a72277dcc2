// Test support: what a host may believe is on a tape after the answers it got (SSC buffered mode), and the check of
// what a cartridge reads back against it. GOOD for a WRITE puts the record in the drive's buffer; GOOD for a flush
// (WRITE FILEMARKS without IMMED, REWIND, UNLOAD, buffered mode 0) makes everything before it durable; a deferred
// MEDIUM ERROR says how many acknowledged objects never reached the medium.

export type TapeObject = { readonly kind: 'block'; readonly data: Buffer } | { readonly kind: 'filemark' };

export const FILEMARK: TapeObject = { kind: 'filemark' };

export function block(data: Buffer): TapeObject {
  return { kind: 'block', data: Buffer.from(data) };
}

function same(a: TapeObject | undefined, b: TapeObject | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.kind === b.kind && (a.kind === 'filemark' || (b.kind === 'block' && a.data.equals(b.data)));
}

function describe(o: TapeObject | undefined): string {
  if (o === undefined) return 'nothing';
  return o.kind === 'filemark' ? 'a filemark' : `a block of ${o.data.length} bytes (crc-free head ${o.data.subarray(0, 6).toString('hex')})`;
}

export class HostTapeModel {
  /** The objects the host was told are on the tape, from the beginning of the partition. */
  readonly objects: TapeObject[] = [];
  /** objects[0, durable) were flushed: they must read back identical, whatever happens afterwards. */
  durable = 0;
  /** The object number the next command works at. */
  position = 0;

  get endOfData(): number {
    return this.objects.length;
  }

  /** GOOD for a command that wrote `written` at the position: everything after the position was discarded first. */
  wrote(written: readonly TapeObject[]): void {
    this.objects.length = this.position;
    this.durable = Math.min(this.durable, this.position);
    this.objects.push(...written);
    this.position += written.length;
  }

  /** GOOD for a flush: everything acknowledged so far is durable. */
  flushed(): void {
    this.durable = this.objects.length;
  }

  /**
   * A deferred error: the last `count` acknowledged objects never reached the medium (end of data moves back).
   * Returns what is wrong when that would take flushed objects.
   */
  lost(count: number): string | undefined {
    if (count < 0 || count > this.objects.length - this.durable) {
      return `the drive reported ${count} acknowledged object(s) lost, but only ${this.objects.length - this.durable} were not flushed`;
    }
    this.objects.length -= count;
    this.position = Math.min(this.position, this.objects.length);
    return undefined;
  }

  /** What was read back is the tape from now on: on the file, so no later kill can take it; the position is its end. */
  adopt(objects: readonly TapeObject[]): void {
    this.objects.length = 0;
    this.objects.push(...objects);
    this.durable = objects.length;
    this.position = objects.length;
  }

  /** The position the drive reports is the host's from now on (after an error whose sense says where it left off). */
  moveTo(objectNumber: number): void {
    this.position = objectNumber;
  }

  /** The medium's end of data is the host's: objects past it are gone, those before it stay (a cut end). */
  endsAt(objectNumber: number): void {
    this.objects.length = Math.min(this.objects.length, objectNumber);
    this.durable = Math.min(this.durable, objectNumber);
    this.position = Math.min(this.position, objectNumber);
  }
}

/** A tape the cartridge may hold, and how many of its first objects must be there. */
export interface PossibleTape {
  readonly objects: readonly TapeObject[];
  readonly durable: number;
}

/**
 * Check what a cartridge reads back against the host's view. The flushed prefix must be there, identical; after it,
 * what reads back must be a prefix of what was acknowledged, object by object: lost, but never altered, duplicated
 * or resurrected. A command in flight when the target died adds `possible` tapes (an overwrite in flight may have cut
 * the flushed prefix short); the read-back must fit one of them or the host's view. `exact`: everything acknowledged
 * must be there (a session that ended with a good flush).
 */
export function checkReadBack(got: readonly TapeObject[], model: HostTapeModel, options: { exact?: boolean; possible?: readonly PossibleTape[] } = {}): string | undefined {
  if (options.exact === true) {
    for (let i = 0; i < Math.max(got.length, model.objects.length); i++) {
      if (!same(got[i], model.objects[i])) {
        const flushed = i < model.durable ? 'flushed ' : '';
        return `${flushed}object ${i} is lost or altered: expected ${describe(model.objects[i])}, read ${describe(got[i])} (${got.length} objects read, ${model.objects.length} acknowledged, ${model.durable} flushed)`;
      }
    }
    return undefined;
  }
  let first: string | undefined;
  for (const tape of [{ objects: model.objects, durable: model.durable }, ...(options.possible ?? [])]) {
    const problem = fits(got, tape);
    if (problem === undefined) return undefined;
    first ??= problem;
  }
  return first;
}

function fits(got: readonly TapeObject[], tape: PossibleTape): string | undefined {
  for (let i = 0; i < tape.durable; i++) {
    if (!same(got[i], tape.objects[i])) {
      return `flushed object ${i} is lost or altered: expected ${describe(tape.objects[i])}, read ${describe(got[i])} (${got.length} objects read, ${tape.durable} flushed)`;
    }
  }
  for (let i = tape.durable; i < got.length; i++) {
    if (!same(got[i], tape.objects[i])) {
      const wrote = i < tape.objects.length ? describe(tape.objects[i]) : 'nothing';
      return `object ${i} (after ${tape.durable} flushed) reads back as ${describe(got[i])}, but the host wrote ${wrote} there`;
    }
  }
  return undefined;
}

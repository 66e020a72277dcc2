// FORMAT.md "Encrypted records": both envelopes of one record in one go, as a payload worker runs it. The host's
// envelope is sealed straight into the place the data key's envelope holds its ciphertext, and the data key's is then
// sealed in place around it, so a doubly sealed record costs no buffer between the two.
import { envelopeLength, sealInto, type DerivedKey, type EnvelopeFields, type RecordPlace, type SealingIdentity } from './record-envelope.js';

/** One envelope: its derived key (deriveRecordKey) and its clear fields. */
export interface SealLayer {
  readonly derived: DerivedKey;
  readonly fields: EnvelopeFields;
}

/** What to seal a record with: the host's envelope, the data key's, or both (the host's inside). */
export interface SealSpec {
  readonly place: RecordPlace;
  readonly identity: SealingIdentity;
  readonly host?: SealLayer;
  readonly atRest?: SealLayer;
}

/** Bytes the sealed form of `payloadBytes` takes. */
export function sealedLength(spec: SealSpec, payloadBytes: number): number {
  const inner = spec.host === undefined ? payloadBytes : envelopeLength(spec.host.fields, payloadBytes);
  return spec.atRest === undefined ? inner : envelopeLength(spec.atRest.fields, inner);
}

/** Seal `payload` into `output` (not overlapping it): the length written, sealedLength(). */
export function sealLayers(spec: SealSpec, payload: Buffer, output: Buffer): number {
  const { host, atRest, place, identity } = spec;
  if (host === undefined) {
    if (atRest === undefined) throw new Error('Sealing a record takes a key');
    return sealInto(atRest.derived, atRest.fields, payload, place, identity, output);
  }
  const innerAt = atRest === undefined ? 0 : envelopeLength(atRest.fields, 0);
  const innerLength = sealInto(host.derived, host.fields, payload, place, identity, output, innerAt);
  if (atRest === undefined) return innerLength;
  return sealInto(atRest.derived, atRest.fields, output.subarray(innerAt, innerAt + innerLength), place, identity, output);
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function layerFromMessage(layer: SealLayer | undefined): SealLayer | undefined {
  if (layer === undefined) return undefined;
  const { derived, fields } = layer;
  return {
    derived: { aesKey: asBuffer(derived.aesKey), check: asBuffer(derived.check) },
    fields: { ...fields, ukad: asBuffer(fields.ukad), akad: asBuffer(fields.akad) },
  };
}

/** A spec as a worker receives it (postMessage turns every Buffer into a Uint8Array), with its Buffers back. */
export function sealSpecFromMessage(spec: SealSpec): SealSpec {
  const host = layerFromMessage(spec.host);
  const atRest = layerFromMessage(spec.atRest);
  return {
    place: spec.place,
    identity: { salt: asBuffer(spec.identity.salt), generation: spec.identity.generation },
    ...(host === undefined ? {} : { host }),
    ...(atRest === undefined ? {} : { atRest }),
  };
}

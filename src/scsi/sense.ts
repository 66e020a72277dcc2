// SPC-4 4.5 sense data: the one catalogue of every sense key / ASC / ASCQ this target can emit.
// Handlers throw `Sense.xxx()`; the dispatcher turns a SenseError into CHECK CONDITION.
// Tape conditions that come with data (filemark, ILI, early warning) are returned, not thrown:
// see `CommandResult` in command.ts.

export const SenseKey = {
  NO_SENSE: 0x0,
  RECOVERED_ERROR: 0x1,
  NOT_READY: 0x2,
  MEDIUM_ERROR: 0x3,
  HARDWARE_ERROR: 0x4,
  ILLEGAL_REQUEST: 0x5,
  UNIT_ATTENTION: 0x6,
  DATA_PROTECT: 0x7,
  BLANK_CHECK: 0x8,
  VENDOR_SPECIFIC: 0x9,
  COPY_ABORTED: 0xa,
  ABORTED_COMMAND: 0xb,
  VOLUME_OVERFLOW: 0xd,
  MISCOMPARE: 0xe,
} as const;
export type SenseKey = (typeof SenseKey)[keyof typeof SenseKey];

/**
 * Every reason the target reports, by its SPC-4 Annex D spelling, with its sense key.
 * A reason that can come with more than one key (END-OF-DATA DETECTED with BLANK CHECK) names the usual one;
 * `Sense.of()` may override the key.
 */
export const SenseReason = {
  NO_ADDITIONAL_SENSE_INFORMATION: { key: SenseKey.NO_SENSE, asc: 0x00, ascq: 0x00 },
  FILEMARK_DETECTED: { key: SenseKey.NO_SENSE, asc: 0x00, ascq: 0x01 },
  END_OF_PARTITION_MEDIUM_DETECTED: { key: SenseKey.NO_SENSE, asc: 0x00, ascq: 0x02 },
  SETMARK_DETECTED: { key: SenseKey.NO_SENSE, asc: 0x00, ascq: 0x03 },
  BEGINNING_OF_PARTITION_MEDIUM_DETECTED: { key: SenseKey.NO_SENSE, asc: 0x00, ascq: 0x04 },
  END_OF_DATA_DETECTED: { key: SenseKey.BLANK_CHECK, asc: 0x00, ascq: 0x05 },
  PROGRAMMABLE_EARLY_WARNING_DETECTED: { key: SenseKey.NO_SENSE, asc: 0x00, ascq: 0x07 },
  OPERATION_IN_PROGRESS: { key: SenseKey.NO_SENSE, asc: 0x00, ascq: 0x16 },

  LOGICAL_UNIT_NOT_READY_CAUSE_NOT_REPORTABLE: { key: SenseKey.NOT_READY, asc: 0x04, ascq: 0x00 },
  LOGICAL_UNIT_IS_IN_PROCESS_OF_BECOMING_READY: { key: SenseKey.NOT_READY, asc: 0x04, ascq: 0x01 },
  LOGICAL_UNIT_NOT_READY_MANUAL_INTERVENTION_REQUIRED: { key: SenseKey.NOT_READY, asc: 0x04, ascq: 0x03 },
  LOGICAL_UNIT_NOT_READY_FORMAT_IN_PROGRESS: { key: SenseKey.NOT_READY, asc: 0x04, ascq: 0x04 },
  LOGICAL_UNIT_NOT_READY_OPERATION_IN_PROGRESS: { key: SenseKey.NOT_READY, asc: 0x04, ascq: 0x07 },
  MEDIUM_NOT_PRESENT: { key: SenseKey.NOT_READY, asc: 0x3a, ascq: 0x00 },
  CLEANING_CARTRIDGE_INSTALLED: { key: SenseKey.NOT_READY, asc: 0x30, ascq: 0x03 },

  WRITE_ERROR: { key: SenseKey.MEDIUM_ERROR, asc: 0x0c, ascq: 0x00 },
  UNRECOVERED_READ_ERROR: { key: SenseKey.MEDIUM_ERROR, asc: 0x11, ascq: 0x00 },
  RECORDED_ENTITY_NOT_FOUND: { key: SenseKey.MEDIUM_ERROR, asc: 0x14, ascq: 0x00 },
  MEDIUM_FORMAT_CORRUPTED: { key: SenseKey.MEDIUM_ERROR, asc: 0x31, ascq: 0x00 },
  SEQUENTIAL_POSITIONING_ERROR: { key: SenseKey.MEDIUM_ERROR, asc: 0x3b, ascq: 0x00 },
  MEDIA_LOAD_OR_EJECT_FAILED: { key: SenseKey.MEDIUM_ERROR, asc: 0x53, ascq: 0x00 },
  INCOMPATIBLE_MEDIUM_INSTALLED: { key: SenseKey.MEDIUM_ERROR, asc: 0x30, ascq: 0x00 },
  CANNOT_READ_MEDIUM_INCOMPATIBLE_FORMAT: { key: SenseKey.MEDIUM_ERROR, asc: 0x30, ascq: 0x02 },
  CANNOT_WRITE_MEDIUM_INCOMPATIBLE_FORMAT: { key: SenseKey.MEDIUM_ERROR, asc: 0x30, ascq: 0x05 },

  INTERNAL_TARGET_FAILURE: { key: SenseKey.HARDWARE_ERROR, asc: 0x44, ascq: 0x00 },
  // SSC logical block protection: a protected WRITE whose CRC does not match its block.
  LOGICAL_BLOCK_GUARD_CHECK_FAILED: { key: SenseKey.HARDWARE_ERROR, asc: 0x10, ascq: 0x01 },
  MEDIUM_TRANSPORT_ELEMENT_FAILURE: { key: SenseKey.HARDWARE_ERROR, asc: 0x15, ascq: 0x00 },

  PARAMETER_LIST_LENGTH_ERROR: { key: SenseKey.ILLEGAL_REQUEST, asc: 0x1a, ascq: 0x00 },
  INVALID_COMMAND_OPERATION_CODE: { key: SenseKey.ILLEGAL_REQUEST, asc: 0x20, ascq: 0x00 },
  LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE: { key: SenseKey.ILLEGAL_REQUEST, asc: 0x21, ascq: 0x00 },
  INVALID_ELEMENT_ADDRESS: { key: SenseKey.ILLEGAL_REQUEST, asc: 0x21, ascq: 0x01 },
  INVALID_FIELD_IN_CDB: { key: SenseKey.ILLEGAL_REQUEST, asc: 0x24, ascq: 0x00 },
  LOGICAL_UNIT_NOT_SUPPORTED: { key: SenseKey.ILLEGAL_REQUEST, asc: 0x25, ascq: 0x00 },
  INVALID_FIELD_IN_PARAMETER_LIST: { key: SenseKey.ILLEGAL_REQUEST, asc: 0x26, ascq: 0x00 },
  PARAMETER_NOT_SUPPORTED: { key: SenseKey.ILLEGAL_REQUEST, asc: 0x26, ascq: 0x01 },
  PARAMETER_VALUE_INVALID: { key: SenseKey.ILLEGAL_REQUEST, asc: 0x26, ascq: 0x02 },
  COMMAND_SEQUENCE_ERROR: { key: SenseKey.ILLEGAL_REQUEST, asc: 0x2c, ascq: 0x00 },
  SAVING_PARAMETERS_NOT_SUPPORTED: { key: SenseKey.ILLEGAL_REQUEST, asc: 0x39, ascq: 0x00 },
  MEDIUM_DESTINATION_ELEMENT_FULL: { key: SenseKey.ILLEGAL_REQUEST, asc: 0x3b, ascq: 0x0d },
  MEDIUM_SOURCE_ELEMENT_EMPTY: { key: SenseKey.ILLEGAL_REQUEST, asc: 0x3b, ascq: 0x0e },
  MEDIUM_MAGAZINE_NOT_ACCESSIBLE: { key: SenseKey.ILLEGAL_REQUEST, asc: 0x3b, ascq: 0x11 },
  MEDIUM_REMOVAL_PREVENTED: { key: SenseKey.ILLEGAL_REQUEST, asc: 0x53, ascq: 0x02 },
  ILLEGAL_REQUEST_INCOMPATIBLE_MEDIUM_INSTALLED: { key: SenseKey.ILLEGAL_REQUEST, asc: 0x30, ascq: 0x00 },
  MEDIUM_NOT_FORMATTED: { key: SenseKey.ILLEGAL_REQUEST, asc: 0x30, ascq: 0x10 },
  INSUFFICIENT_RESOURCES: { key: SenseKey.ILLEGAL_REQUEST, asc: 0x55, ascq: 0x03 },
  // SPC-4 PERSISTENT RESERVE OUT: RELEASE whose scope or type differs from the reservation held.
  INVALID_RELEASE_OF_PERSISTENT_RESERVATION: { key: SenseKey.ILLEGAL_REQUEST, asc: 0x26, ascq: 0x04 },
  // SPC-4 PERSISTENT RESERVE OUT: a registration beyond the logical unit's registrant table.
  INSUFFICIENT_REGISTRATION_RESOURCES: { key: SenseKey.ILLEGAL_REQUEST, asc: 0x55, ascq: 0x04 },

  POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED: { key: SenseKey.UNIT_ATTENTION, asc: 0x29, ascq: 0x00 },
  POWER_ON_OCCURRED: { key: SenseKey.UNIT_ATTENTION, asc: 0x29, ascq: 0x01 },
  BUS_DEVICE_RESET_FUNCTION_OCCURRED: { key: SenseKey.UNIT_ATTENTION, asc: 0x29, ascq: 0x03 },
  I_T_NEXUS_LOSS_OCCURRED: { key: SenseKey.UNIT_ATTENTION, asc: 0x29, ascq: 0x07 },
  NOT_READY_TO_READY_CHANGE_MEDIUM_MAY_HAVE_CHANGED: { key: SenseKey.UNIT_ATTENTION, asc: 0x28, ascq: 0x00 },
  IMPORT_OR_EXPORT_ELEMENT_ACCESSED: { key: SenseKey.UNIT_ATTENTION, asc: 0x28, ascq: 0x01 },
  MODE_PARAMETERS_CHANGED: { key: SenseKey.UNIT_ATTENTION, asc: 0x2a, ascq: 0x01 },
  LOG_PARAMETERS_CHANGED: { key: SenseKey.UNIT_ATTENTION, asc: 0x2a, ascq: 0x02 },
  RESERVATIONS_PREEMPTED: { key: SenseKey.UNIT_ATTENTION, asc: 0x2a, ascq: 0x03 },
  RESERVATIONS_RELEASED: { key: SenseKey.UNIT_ATTENTION, asc: 0x2a, ascq: 0x04 },
  REGISTRATIONS_PREEMPTED: { key: SenseKey.UNIT_ATTENTION, asc: 0x2a, ascq: 0x05 },
  // SSC-4: the data encryption parameters all I_T nexuses share were set by another one.
  DATA_ENCRYPTION_PARAMETERS_CHANGED_BY_ANOTHER_I_T_NEXUS: { key: SenseKey.UNIT_ATTENTION, asc: 0x2a, ascq: 0x12 },
  COMMANDS_CLEARED_BY_ANOTHER_INITIATOR: { key: SenseKey.UNIT_ATTENTION, asc: 0x2f, ascq: 0x00 },
  MEDIUM_REMOVAL_REQUESTED: { key: SenseKey.UNIT_ATTENTION, asc: 0x5a, ascq: 0x01 },
  // SPC-4 informational exceptions (mode page 1Ch): a TapeAlert flag became set, or TEST asked for a false one.
  FAILURE_PREDICTION_THRESHOLD_EXCEEDED: { key: SenseKey.UNIT_ATTENTION, asc: 0x5d, ascq: 0x00 },
  FAILURE_PREDICTION_THRESHOLD_EXCEEDED_FALSE: { key: SenseKey.UNIT_ATTENTION, asc: 0x5d, ascq: 0xff },
  INQUIRY_DATA_HAS_CHANGED: { key: SenseKey.UNIT_ATTENTION, asc: 0x3f, ascq: 0x03 },
  REPORTED_LUNS_DATA_HAS_CHANGED: { key: SenseKey.UNIT_ATTENTION, asc: 0x3f, ascq: 0x0e },
  MEDIUM_MAGAZINE_REMOVED: { key: SenseKey.UNIT_ATTENTION, asc: 0x3b, ascq: 0x12 },
  MEDIUM_MAGAZINE_INSERTED: { key: SenseKey.UNIT_ATTENTION, asc: 0x3b, ascq: 0x13 },

  WRITE_PROTECTED: { key: SenseKey.DATA_PROTECT, asc: 0x27, ascq: 0x00 },
  SPACE_ALLOCATION_FAILED_WRITE_PROTECT: { key: SenseKey.DATA_PROTECT, asc: 0x27, ascq: 0x07 },
  // A retention lock: writing is refused only where it would cut written data (docs/CONFORMANCE.md "Retention").
  CONDITIONAL_WRITE_PROTECT: { key: SenseKey.DATA_PROTECT, asc: 0x27, ascq: 0x06 },
  WORM_MEDIUM_OVERWRITE_ATTEMPTED: { key: SenseKey.DATA_PROTECT, asc: 0x30, ascq: 0x0c },
  DATA_PROTECT_END_OF_PARTITION_MEDIUM_DETECTED: { key: SenseKey.DATA_PROTECT, asc: 0x00, ascq: 0x02 },

  VOLUME_OVERFLOW_END_OF_PARTITION_MEDIUM_DETECTED: { key: SenseKey.VOLUME_OVERFLOW, asc: 0x00, ascq: 0x02 },

  DATA_PHASE_ERROR: { key: SenseKey.ABORTED_COMMAND, asc: 0x4b, ascq: 0x00 },
  COMMAND_ABORTED_BY_TARGET: { key: SenseKey.ABORTED_COMMAND, asc: 0x00, ascq: 0x00 },
  OVERLAPPED_COMMANDS_ATTEMPTED: { key: SenseKey.ABORTED_COMMAND, asc: 0x4e, ascq: 0x00 },
  // iSCSI (RFC 7143 7.8): a data digest error on data-out terminates the task with this sense.
  PROTOCOL_SERVICE_CRC_ERROR: { key: SenseKey.ABORTED_COMMAND, asc: 0x47, ascq: 0x05 },
  // SSC: a write refused by append-only mode (mode page 10h/01h WRITE MODE 1h) away from end of data.
  WRITE_APPEND_POSITION_ERROR: { key: SenseKey.DATA_PROTECT, asc: 0x50, ascq: 0x01 },
  // SSC SET CAPACITY away from the beginning of the partition.
  POSITION_PAST_BEGINNING_OF_MEDIUM: { key: SenseKey.ILLEGAL_REQUEST, asc: 0x3b, ascq: 0x0c },
  // SPC-4 WRITE ATTRIBUTE beyond the cartridge memory's room.
  AUXILIARY_MEMORY_OUT_OF_SPACE: { key: SenseKey.ILLEGAL_REQUEST, asc: 0x55, ascq: 0x06 },
  // SSC VERIFY(6) with BYTCMP=1 when the medium differs from the data sent.
  MISCOMPARE_DURING_VERIFY_OPERATION: { key: SenseKey.MISCOMPARE, asc: 0x1d, ascq: 0x00 },
  // SSC-4 4.2.27 tape data encryption (docs/CONFORMANCE.md "Encryption"): reading blocks the key set cannot open.
  UNABLE_TO_DECRYPT_DATA: { key: SenseKey.DATA_PROTECT, asc: 0x74, ascq: 0x01 },
  UNENCRYPTED_DATA_ENCOUNTERED_WHILE_DECRYPTING: { key: SenseKey.DATA_PROTECT, asc: 0x74, ascq: 0x02 },
  INCORRECT_DATA_ENCRYPTION_KEY: { key: SenseKey.DATA_PROTECT, asc: 0x74, ascq: 0x03 },
  CRYPTOGRAPHIC_INTEGRITY_VALIDATION_FAILED: { key: SenseKey.DATA_PROTECT, asc: 0x74, ascq: 0x04 },
  ENCRYPTED_BLOCK_NOT_RAW_READ_ENABLED: { key: SenseKey.DATA_PROTECT, asc: 0x74, ascq: 0x0a },
  // SET DATA ENCRYPTION from another I_T nexus while the parameters of all I_T nexuses are locked (LOCK=1).
  DATA_ENCRYPTION_CONFIGURATION_PREVENTED: { key: SenseKey.ILLEGAL_REQUEST, asc: 0x74, ascq: 0x21 },
} as const satisfies Record<string, { key: SenseKey; asc: number; ascq: number }>;
export type SenseReasonName = keyof typeof SenseReason;

/** SPC-4 4.5.2.4.2 field pointer: which CDB or parameter-list byte (and bit) was wrong. */
export interface FieldPointer {
  /** true: the error is in the CDB (C/D=1); false: in the parameter list. */
  readonly inCdb: boolean;
  readonly byte: number;
  /** 0..7 when a single bit field is meant; absent when the whole byte (or a multi-byte field) is meant. */
  readonly bit?: number;
}

export interface SenseData {
  readonly key: SenseKey;
  readonly asc: number;
  readonly ascq: number;
  /** INFORMATION field (residue, LBA, element address...). VALID is set only when it fits in 32 bits (fixed). */
  readonly information?: bigint | number;
  readonly commandSpecific?: number;
  readonly filemark?: boolean;
  readonly eom?: boolean;
  readonly ili?: boolean;
  readonly fieldPointer?: FieldPointer;
  /** Progress indication 0..65535 (SKS for NOT READY becoming ready, long operations). */
  readonly progress?: number;
  /** Deferred error (response code 71h / 73h). */
  readonly deferred?: boolean;
}

export class SenseError extends Error {
  constructor(readonly sense: SenseData, message?: string) {
    super(message ?? describeSense(sense));
    this.name = 'SenseError';
  }
}

export function describeSense(s: SenseData): string {
  const reason = (Object.keys(SenseReason) as SenseReasonName[]).find(
    (n) => SenseReason[n].asc === s.asc && SenseReason[n].ascq === s.ascq,
  );
  const hex = (n: number): string => n.toString(16).padStart(2, '0');
  return `sense key ${hex(s.key)} ${hex(s.asc)}/${hex(s.ascq)}${reason ? ` ${reason}` : ''}`;
}

type Extras = Omit<SenseData, 'key' | 'asc' | 'ascq'> & { readonly key?: SenseKey };

/** Sense data for a catalogued reason, with extra fields. */
export function senseOf(reason: SenseReasonName, extras: Extras = {}): SenseData {
  const r = SenseReason[reason];
  return { ...extras, key: extras.key ?? r.key, asc: r.asc, ascq: r.ascq };
}

/** Factories for the errors handlers throw. */
export const Sense = {
  of(reason: SenseReasonName, extras: Extras = {}): SenseError {
    return new SenseError(senseOf(reason, extras));
  },
  invalidFieldInCdb(byte: number, bit?: number): SenseError {
    return Sense.of('INVALID_FIELD_IN_CDB', { fieldPointer: { inCdb: true, byte, ...(bit === undefined ? {} : { bit }) } });
  },
  invalidFieldInParameterList(byte: number, bit?: number): SenseError {
    return Sense.of('INVALID_FIELD_IN_PARAMETER_LIST', {
      fieldPointer: { inCdb: false, byte, ...(bit === undefined ? {} : { bit }) },
    });
  },
  parameterListLengthError(): SenseError {
    return Sense.of('PARAMETER_LIST_LENGTH_ERROR');
  },
  invalidOpcode(): SenseError {
    return Sense.of('INVALID_COMMAND_OPERATION_CODE', { fieldPointer: { inCdb: true, byte: 0 } });
  },
  mediumNotPresent(): SenseError {
    return Sense.of('MEDIUM_NOT_PRESENT');
  },
  becomingReady(): SenseError {
    return Sense.of('LOGICAL_UNIT_IS_IN_PROCESS_OF_BECOMING_READY');
  },
  writeProtected(): SenseError {
    return Sense.of('WRITE_PROTECTED');
  },
  wormOverwriteAttempted(): SenseError {
    return Sense.of('WORM_MEDIUM_OVERWRITE_ATTEMPTED');
  },
  unrecoveredReadError(information?: bigint | number): SenseError {
    return Sense.of('UNRECOVERED_READ_ERROR', information === undefined ? {} : { information });
  },
  writeError(): SenseError {
    return Sense.of('WRITE_ERROR');
  },
  internalTargetFailure(): SenseError {
    return Sense.of('INTERNAL_TARGET_FAILURE');
  },
  invalidElementAddress(): SenseError {
    return Sense.of('INVALID_ELEMENT_ADDRESS');
  },
  mediumSourceElementEmpty(): SenseError {
    return Sense.of('MEDIUM_SOURCE_ELEMENT_EMPTY');
  },
  mediumDestinationFull(): SenseError {
    return Sense.of('MEDIUM_DESTINATION_ELEMENT_FULL');
  },
  mediumRemovalPrevented(): SenseError {
    return Sense.of('MEDIUM_REMOVAL_PREVENTED');
  },
  logicalUnitNotSupported(): SenseError {
    return Sense.of('LOGICAL_UNIT_NOT_SUPPORTED');
  },
  savingParametersNotSupported(): SenseError {
    return Sense.of('SAVING_PARAMETERS_NOT_SUPPORTED', { fieldPointer: { inCdb: true, byte: 1, bit: 0 } });
  },
} as const;

export const SenseFormat = { FIXED: 'fixed', DESCRIPTOR: 'descriptor' } as const;
export type SenseFormat = (typeof SenseFormat)[keyof typeof SenseFormat];

const FIXED_LENGTH = 18;
const MAX_U32 = 0xffff_ffffn;

function sksBytes(s: SenseData): Buffer | undefined {
  if (s.fieldPointer) {
    const b = Buffer.alloc(3);
    const fp = s.fieldPointer;
    b[0] = 0x80 | (fp.inCdb ? 0x40 : 0) | (fp.bit === undefined ? 0 : 0x08 | (fp.bit & 0x07));
    b.writeUInt16BE(fp.byte & 0xffff, 1);
    return b;
  }
  if (s.progress !== undefined) {
    const b = Buffer.alloc(3);
    b[0] = 0x80;
    b.writeUInt16BE(s.progress & 0xffff, 1);
    return b;
  }
  return undefined;
}

/** Encode sense data, fixed (70h/71h, 18 bytes) or descriptor (72h/73h) format. */
export function encodeSense(s: SenseData, format: SenseFormat = SenseFormat.FIXED): Buffer {
  const info = s.information === undefined ? undefined : BigInt.asUintN(64, BigInt(s.information));
  const sks = sksBytes(s);
  if (format === SenseFormat.FIXED) {
    const b = Buffer.alloc(FIXED_LENGTH);
    // A negative residue is sent as 32-bit two's complement; anything else over 32 bits makes VALID=0.
    const signed = s.information !== undefined && BigInt(s.information) < 0n;
    const fits = info !== undefined && (info <= MAX_U32 || (signed && BigInt(s.information ?? 0) >= -0x8000_0000n));
    b[0] = (fits ? 0x80 : 0) | (s.deferred ? 0x71 : 0x70);
    b[2] = (s.filemark ? 0x80 : 0) | (s.eom ? 0x40 : 0) | (s.ili ? 0x20 : 0) | (s.key & 0x0f);
    if (fits) b.writeUInt32BE(Number(BigInt.asUintN(32, info)), 3);
    b[7] = FIXED_LENGTH - 8;
    if (s.commandSpecific !== undefined) b.writeUInt32BE(s.commandSpecific >>> 0, 8);
    b[12] = s.asc;
    b[13] = s.ascq;
    if (sks) sks.copy(b, 15);
    return b;
  }
  const descriptors: Buffer[] = [];
  if (info !== undefined) {
    const d = Buffer.alloc(12);
    d[0] = 0x00;
    d[1] = 0x0a;
    d[2] = 0x80;
    d.writeBigUInt64BE(info, 4);
    descriptors.push(d);
  }
  if (s.commandSpecific !== undefined) {
    const d = Buffer.alloc(12);
    d[0] = 0x01;
    d[1] = 0x0a;
    d.writeBigUInt64BE(BigInt(s.commandSpecific >>> 0), 4);
    descriptors.push(d);
  }
  if (sks) {
    const d = Buffer.alloc(8);
    d[0] = 0x02;
    d[1] = 0x06;
    sks.copy(d, 4);
    descriptors.push(d);
  }
  if (s.filemark || s.eom || s.ili) {
    // SPC-4 4.5.2.6 stream commands descriptor.
    const d = Buffer.alloc(4);
    d[0] = 0x04;
    d[1] = 0x02;
    d[3] = (s.filemark ? 0x80 : 0) | (s.eom ? 0x40 : 0) | (s.ili ? 0x20 : 0);
    descriptors.push(d);
  }
  const body = Buffer.concat(descriptors);
  const b = Buffer.alloc(8 + body.length);
  b[0] = s.deferred ? 0x73 : 0x72;
  b[1] = s.key & 0x0f;
  b[2] = s.asc;
  b[3] = s.ascq;
  b[7] = body.length;
  body.copy(b, 8);
  return b;
}

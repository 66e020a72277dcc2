// SPC-4 6.4.2 table "Version descriptor values": the "no version claimed" codes of the standards we follow.
export const VersionDescriptor = {
  SAM_5: 0x00a0,
  SPC_4: 0x0460,
  SSC_3: 0x0400,
  SSC_4: 0x0520,
  SMC_3: 0x0480,
  ISCSI: 0x0960,
} as const;
export type VersionDescriptor = (typeof VersionDescriptor)[keyof typeof VersionDescriptor];

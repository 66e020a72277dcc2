// SPC-4 6.15.3 persistent reservation TYPE and SCOPE codes, and what each type means for access.

export const PrType = {
  WRITE_EXCLUSIVE: 0x1,
  EXCLUSIVE_ACCESS: 0x3,
  WRITE_EXCLUSIVE_REGISTRANTS_ONLY: 0x5,
  EXCLUSIVE_ACCESS_REGISTRANTS_ONLY: 0x6,
  WRITE_EXCLUSIVE_ALL_REGISTRANTS: 0x7,
  EXCLUSIVE_ACCESS_ALL_REGISTRANTS: 0x8,
} as const;
export type PrType = (typeof PrType)[keyof typeof PrType];

/** Only logical unit scope exists in SPC-4 (element and extent scopes are obsolete). */
export const PrScope = { LU_SCOPE: 0x0 } as const;

const TYPES: ReadonlySet<number> = new Set(Object.values(PrType));

export function isPrType(value: number): value is PrType {
  return TYPES.has(value);
}

/** Write exclusive family: reads from non-holders are allowed; everything else conflicts. */
export function isWriteExclusive(type: PrType): boolean {
  return type === PrType.WRITE_EXCLUSIVE || type === PrType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY || type === PrType.WRITE_EXCLUSIVE_ALL_REGISTRANTS;
}

/** Registrants-only and all-registrants types: every registered I_T nexus has the holder's access. */
export function admitsRegistrants(type: PrType): boolean {
  return type !== PrType.WRITE_EXCLUSIVE && type !== PrType.EXCLUSIVE_ACCESS;
}

/** All-registrants types: every registrant is a reservation holder and the reservation key reported is zero. */
export function isAllRegistrants(type: PrType): boolean {
  return type === PrType.WRITE_EXCLUSIVE_ALL_REGISTRANTS || type === PrType.EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
}

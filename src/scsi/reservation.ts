// SPC-2 RESERVE(6/10) / RELEASE(6/10): one logical-unit reservation held by one I_T nexus.
export class Reservation {
  private holder: string | undefined;

  get holderNexusId(): string | undefined {
    return this.holder;
  }

  /** True when another nexus holds the reservation. */
  conflicts(nexusId: string): boolean {
    return this.holder !== undefined && this.holder !== nexusId;
  }

  /** Returns false on conflict (the caller answers RESERVATION CONFLICT). */
  reserve(nexusId: string): boolean {
    if (this.conflicts(nexusId)) return false;
    this.holder = nexusId;
    return true;
  }

  /** A release by a nexus that does not hold it is not an error (SPC-2 7.23). */
  release(nexusId: string): void {
    if (this.holder === nexusId) this.holder = undefined;
  }

  clear(): void {
    this.holder = undefined;
  }
}

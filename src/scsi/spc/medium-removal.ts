// SPC-4 6.13 / SSC-4 / SMC-3 PREVENT ALLOW MEDIUM REMOVAL: the logical unit holds its medium while any I_T
// nexus prevents removal. Cleared for a nexus on its loss, for all on a logical unit reset or power on.
export class MediumRemoval {
  private readonly preventing = new Set<string>();

  /** true: PREVENT field 01b from this nexus; false: 00b (allow) from this nexus. */
  set(nexusId: string, prevent: boolean): void {
    if (prevent) this.preventing.add(nexusId);
    else this.preventing.delete(nexusId);
  }

  /** Removal is prevented when any nexus prevents it. */
  prevented(): boolean {
    return this.preventing.size > 0;
  }

  preventedBy(nexusId: string): boolean {
    return this.preventing.has(nexusId);
  }

  /** The nexus is gone (I_T nexus loss). */
  clear(nexusId: string): void {
    this.preventing.delete(nexusId);
  }

  /** Logical unit reset, hard reset, power on; also an operator's forced unload. */
  clearAll(): void {
    this.preventing.clear();
  }
}

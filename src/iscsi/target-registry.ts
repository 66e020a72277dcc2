// The iSCSI targets this server presents: name, portal group, the SCSI target device behind it, and who may log in.
import type { ScsiTargetDevice } from '../scsi/logical-unit.js';

export interface IscsiTarget {
  readonly name: string;
  readonly alias?: string;
  readonly portalGroupTag: number;
  readonly device: ScsiTargetDevice;
  readonly access: {
    /** Initiator names allowed to log in; empty = any. */
    readonly initiators: readonly string[];
    readonly chap?: {
      readonly username: string;
      readonly secret: string;
      readonly mutual?: { readonly username: string; readonly secret: string };
    };
  };
}

/** A target another node of a cluster serves: SendTargets lists it at that node's portal; no login here. */
export interface RemoteTarget {
  readonly name: string;
  readonly portalGroupTag: number;
  /** The owner's portal, as TargetAddress gives it (host:port). */
  readonly address: string;
  readonly access: IscsiTarget['access'];
}

export interface TargetRegistry {
  targets(): readonly IscsiTarget[];
  find(name: string): IscsiTarget | undefined;
  /** Targets served elsewhere, for discovery only (src/cluster). */
  remoteTargets?(): readonly RemoteTarget[];
}

/** iSCSI names compare case-insensitively once normalised (RFC 3722 stringprep lower-cases them). */
function normalise(name: string): string {
  return name.toLowerCase();
}

export class StaticTargetRegistry implements TargetRegistry {
  private readonly byName = new Map<string, IscsiTarget>();

  constructor(targets: readonly IscsiTarget[] = []) {
    for (const t of targets) this.add(t);
  }

  add(target: IscsiTarget): void {
    const key = normalise(target.name);
    if (this.byName.has(key)) throw new Error(`Cannot add target "${target.name}": the name is already used`);
    this.byName.set(key, target);
  }

  remove(name: string): void {
    this.byName.delete(normalise(name));
  }

  targets(): readonly IscsiTarget[] {
    return [...this.byName.values()];
  }

  find(name: string): IscsiTarget | undefined {
    return this.byName.get(normalise(name));
  }
}

/** True when `initiatorName` may log in to `target` (ACL check, 02/02 otherwise). */
export function isInitiatorAllowed(target: Pick<IscsiTarget, 'access'>, initiatorName: string): boolean {
  const allowed = target.access.initiators;
  return allowed.length === 0 || allowed.some((n) => normalise(n) === normalise(initiatorName));
}

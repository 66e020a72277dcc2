// The commands that change a cartridge, wrapped with the drive's MediaGuard (media-guard.ts): the command files keep
// their SSC rules, and the protection of issue 14 sits in one place around them.
import type { CommandContext, CommandDescriptor, CommandResult, DecodedCdb } from '../command.js';
import type { TapeMedium } from '../../media/tape-medium.js';
import { SenseError, SenseReason } from '../sense.js';
import type { Destruction, GuardedKind } from './media-guard.js';
import { mountReadiness, mountWriteRefusal } from './mount.js';
import type { TapeDrive } from './tape-drive.js';

/**
 * `changes(decoded)`: whether this CDB changes the medium at all (WRITE of 0 blocks and WRITE FILEMARKS 0 do not; a
 * CDB the command will refuse as invalid is left to it). `writes`: whether it puts data on the medium (noted for the
 * first-write and last-write retention policies).
 */
export function guarded<C extends DecodedCdb>(
  command: CommandDescriptor<TapeDrive, C>,
  kind: GuardedKind,
  rule: { readonly changes: (decoded: C) => boolean; readonly writes?: boolean },
): CommandDescriptor<TapeDrive, C> {
  /** The command itself, then what the guard records of it; `destruction` is what check() returned. */
  async function run(ctx: CommandContext<TapeDrive, C>, medium: TapeMedium, destruction: Destruction | undefined): Promise<CommandResult> {
    const { device, nexus } = ctx;
    let result;
    try {
      result = await command.execute(ctx);
    } catch (err) {
      const worm = SenseReason.WORM_MEDIUM_OVERWRITE_ATTEMPTED;
      if (err instanceof SenseError && err.sense.asc === worm.asc && err.sense.ascq === worm.ascq) await device.guard.refusedByWorm(kind, command.opcode, nexus, medium);
      throw err;
    }
    if (destruction) await device.guard.ran(destruction);
    if (rule.writes) device.guard.wrote(medium.barcode);
    return result;
  }
  return {
    ...command,
    // Not async itself: an append that the guard lets pass takes no promise turn more than the command's own.
    execute(ctx) {
      const { device, nexus, decoded } = ctx;
      const mount = device.mounted();
      const medium = mount?.medium;
      // A deferred error, not ready, write-protected or read-only media: the command reports that itself, first.
      if (!rule.changes(decoded) || !mount || !medium || device.queue.hasDeferred() || mountReadiness(mount) || mountWriteRefusal(mount)) {
        return command.execute(ctx);
      }
      if (device.guard.passes(kind, nexus, medium)) return run(ctx, medium, undefined);
      return device.guard.check(kind, command.opcode, nexus, medium).then((destruction) => run(ctx, medium, destruction));
    },
  };
}

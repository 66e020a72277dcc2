// `npm run soak [-- --kills N --max-minutes M --seed S --trace FILE]`: the SIGKILL soak of test/soak/sigkill-soak.ts at length.
// Bounded by the count of kills and by time, whichever comes first; exits 1 when an invariant broke (the data folder
// is then kept for inspection).
import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runSoak } from '../test/soak/sigkill-soak.js';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '300' },
    'max-minutes': { type: 'string', default: '20' },
    seed: { type: 'string' },
    /** Every command, answer, kill and check, one per line. */
    trace: { type: 'string' },
  },
});
const kills = Number(values.kills);
const maxMinutes = Number(values['max-minutes']);
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
if (!Number.isInteger(kills) || kills < 1 || !(maxMinutes > 0) || !Number.isInteger(seed)) {
  console.error('usage: npm run soak -- [--kills N] [--max-minutes M] [--seed S] [--trace FILE]');
  process.exit(2);
}
console.log(`soak: up to ${kills} kills in at most ${maxMinutes} min, seed ${seed}`);
const traceFile = values.trace;
const summary = await runSoak({
  kills, maxMinutes, seed,
  ...(traceFile === undefined ? {} : { trace: (line: string) => appendFileSync(traceFile, `${line}\n`) }),
  progress: (line) => {
    if (line.startsWith('kill ') && Number(line.slice(5, line.indexOf(':'))) % 10 === 0) console.log(line);
  },
});
console.log([
  `kills: ${summary.kills} (seed ${seed}, ${summary.elapsedSeconds} s)`,
  `commands acknowledged: ${summary.commandsAcknowledged} (${summary.overwrites} overwrites in the middle, ${summary.moves} MOVE MEDIUM)`,
  `cartridges read back and compared: ${summary.cartridgeChecks}, records verified: ${summary.recordsVerified}, bytes verified: ${summary.bytesVerified}`,
  `catalog checks (every cartridge exactly once, in the element its location names): ${summary.catalogChecks}`,
  summary.problems.length === 0 ? 'invariants: all held' : `PROBLEMS (data kept in ${summary.dataDir}):\n  ${summary.problems.join('\n  ')}`,
].join('\n'));
process.exit(summary.problems.length === 0 ? 0 : 1);

// Self time per function from a V8 .cpuprofile (what `node --cpu-prof` writes), for the hot-spot report.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface HotSpot {
  functionName: string;
  location: string;
  selfMs: number;
  selfPct: number;
}

/** Functions by self time, largest first; idle and the program root are left out of the percentages. */
export function summarizeCpuProfile(file: string, top = 25): HotSpot[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<string, { name: string; location: string; us: number }>();
  let totalUs = 0;
  profile.samples.forEach((id, index) => {
    const node = byId.get(id);
    const delta = profile.timeDeltas[index] ?? 0;
    if (!node || delta <= 0) return;
    const name = node.callFrame.functionName || '(anonymous)';
    if (name === '(idle)' || name === '(program)' || name === '(root)') return;
    const location = `${node.callFrame.url.replace(/^file:\/\/.*?\/(dist|node_modules)\//, '$1/')}:${node.callFrame.lineNumber + 1}`;
    const key = `${name}@${location}`;
    const entry = selfUs.get(key) ?? { name, location, us: 0 };
    entry.us += delta;
    selfUs.set(key, entry);
    totalUs += delta;
  });
  return [...selfUs.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((entry) => ({
      functionName: entry.name,
      location: entry.location,
      selfMs: entry.us / 1000,
      selfPct: totalUs > 0 ? (entry.us / totalUs) * 100 : 0,
    }));
}

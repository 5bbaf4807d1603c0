import type { OwnerKind } from './owners';
import { MAIN_THREAD, samplesToMs, type ProfiledRun } from './session';

/** One owner's CPU per request with the full chain and bare, from the two profiles. */
export interface ExplainedRow {
  name: string;
  kind: OwnerKind;
  tags: string[];
  fullMs: number;
  fullSelfMs: number;
  bareMs: number;
  /** fullMs − bareMs: what the chain adds here. */
  deltaMs: number;
}

export interface Explanation {
  rows: ExplainedRow[];
  /** Threads other than JavaScript's (HTTP client, GC helpers): full − bare, ms per request. */
  otherThreadsDeltaMs: Record<string, number>;
  /** Σ deltaMs over plugins: what the attribution puts on named plugins. */
  pluginsDeltaMs: number;
  /** The difference to explain: gateway CPU per request, full chain − bare, from unprofiled runs. */
  ablationDeltaMs: number | null;
  /** pluginsDeltaMs ÷ ablationDeltaMs; null when that difference is not larger than the runs' noise. */
  explainedShare: number | null;
}

/**
 * Puts the profiles of the full chain and of the bare gateway side by side, owner by owner, and
 * says how much of the measured full − bare difference (gateway CPU per request, unprofiled) the
 * named plugins account for.
 */
type Profiled = Pick<ProfiledRun, 'attribution' | 'threadsMsPerRequest'>;

export function explainDifference(
  full: Profiled,
  bare: Profiled | null,
  ablationDeltaMs: number | null,
  /** How far two runs of the same gateway differed (ms per request): a smaller difference is noise. */
  noiseMs = 0,
): Explanation {
  const names = new Set([...full.attribution.owners, ...(bare?.attribution.owners ?? [])].map((row) => row.name));
  const rows: ExplainedRow[] = [];
  for (const name of names) {
    const inFull = full.attribution.owners.find((row) => row.name === name);
    const inBare = bare?.attribution.owners.find((row) => row.name === name);
    const fullMs = inFull ? samplesToMs(full, inFull.samples) : 0;
    const bareMs = inBare && bare ? samplesToMs(bare, inBare.samples) : 0;
    rows.push({
      name,
      kind: (inFull ?? inBare)!.kind,
      tags: inFull?.tags ?? [],
      fullMs,
      fullSelfMs: inFull ? samplesToMs(full, inFull.selfSamples) : 0,
      bareMs,
      deltaMs: fullMs - bareMs,
    });
  }
  rows.sort((a, b) => b.deltaMs - a.deltaMs);
  const otherThreadsDeltaMs: Record<string, number> = {};
  for (const [thread, ms] of Object.entries(full.threadsMsPerRequest))
    if (thread !== MAIN_THREAD) otherThreadsDeltaMs[thread] = ms - (bare?.threadsMsPerRequest[thread] ?? 0);
  const pluginsDeltaMs = rows.filter((row) => row.kind === 'plugin').reduce((sum, row) => sum + row.deltaMs, 0);
  return {
    rows,
    otherThreadsDeltaMs,
    pluginsDeltaMs,
    ablationDeltaMs,
    explainedShare: ablationDeltaMs && ablationDeltaMs > noiseMs ? pluginsDeltaMs / ablationDeltaMs : null,
  };
}

import type { PreparedRequest } from '../lab/requests';
import { between, phaseStats, timeline, type Check, type PhaseStats } from './analysis';
import { startSteadyLoad, type Outcome, type SteadyLoadOptions } from './steady-load';
import type { ChaosSystem } from './system';

/** How long each phase lasts: the steady load before the fault, the fault itself, and after it. */
export interface Timing {
  beforeMs: number;
  duringMs: number;
  afterMs: number;
}

export interface FaultContext {
  chaos: ChaosSystem;
  timing: Timing;
  /** The steady load's requests per second (about 70 % of the measured maximum, or given). */
  rate: number;
  log(message: string): void;
}

export interface FaultReport {
  name: string;
  description: string;
  goal: string;
  rate: number;
  /** The fault's window, ms since the load started; `backAtMs`: when the faulted part served again. */
  window: { fromMs: number; toMs: number; backAtMs?: number };
  before: PhaseStats;
  during: PhaseStats;
  after: PhaseStats;
  recoveryMs: number | null;
  /** Acknowledged writes missing afterwards; null where the fault does not write. */
  dataLost: number | null;
  checks: Check[];
  passed: boolean;
  timeline: ReturnType<typeof timeline>;
  notes: string[];
}

export interface Fault {
  name: string;
  description: string;
  goal: string;
  run(context: FaultContext): Promise<FaultReport>;
}

export interface LoadedRun {
  outcomes: Outcome[];
  fromMs: number;
  toMs: number;
  backAtMs?: number;
}

/**
 * The shape every fault shares: steady load, then `inject`, then `lift` after the fault's time
 * (it may resolve when the faulted part is back, returning nothing, or wait for it itself), then
 * the load goes on for the after-phase. The load stops even when a step throws.
 */
export async function underLoad(
  context: FaultContext,
  steps: {
    next: () => PreparedRequest;
    url?: string;
    inspect?: SteadyLoadOptions['inspect'];
    /** `now`: milliseconds on the load's clock, to mark moments within the fault. */
    inject(now: () => number): Promise<void>;
    /** Resolves when the fault is lifted; may wait until the faulted part serves again. */
    lift(): Promise<void>;
    /** Optional: resolves when the faulted part serves again (after lift). */
    back?(): Promise<void>;
  },
): Promise<LoadedRun> {
  const { timing } = context;
  const load = startSteadyLoad({
    url: steps.url ?? context.chaos.system.gatewayUrl,
    next: steps.next,
    rate: context.rate,
    inspect: steps.inspect,
  });
  let fromMs = 0;
  let toMs = 0;
  let backAtMs: number | undefined;
  try {
    await Bun.sleep(timing.beforeMs);
    fromMs = load.now();
    await steps.inject(load.now);
    await Bun.sleep(Math.max(0, timing.duringMs - (load.now() - fromMs)));
    await steps.lift();
    toMs = load.now();
    if (steps.back) {
      await steps.back();
      backAtMs = load.now();
    }
    await Bun.sleep(timing.afterMs);
  } finally {
    await load.stop();
  }
  return { outcomes: load.outcomes, fromMs, toMs, backAtMs };
}

/** A fault's report from its run, its checks, and what it measured besides. */
export function faultReport(
  fault: Pick<Fault, 'name' | 'description' | 'goal'>,
  context: FaultContext,
  run: LoadedRun,
  measured: { checks: Check[]; recoveryMs: number | null; dataLost?: number | null; notes?: string[] },
): FaultReport {
  const after = run.backAtMs ?? run.toMs;
  return {
    ...fault,
    rate: context.rate,
    window: {
      fromMs: Math.round(run.fromMs),
      toMs: Math.round(run.toMs),
      backAtMs: run.backAtMs && Math.round(run.backAtMs),
    },
    before: phaseStats(between(run.outcomes, 0, run.fromMs)),
    during: phaseStats(between(run.outcomes, run.fromMs, after)),
    after: phaseStats(between(run.outcomes, after)),
    recoveryMs: measured.recoveryMs,
    dataLost: measured.dataLost ?? null,
    checks: measured.checks,
    passed: measured.checks.every((c) => c.pass),
    timeline: timeline(run.outcomes),
    notes: measured.notes ?? [],
  };
}

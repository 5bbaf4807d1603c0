import type { Scenario } from '../../scenarios';
import type { LoadDriver } from '../load';
import { describeMachine } from '../machine';
import { RESULTS_DIR } from '../report';
import { summarize } from '../stats';
import { readableLabel } from './attribution';
import type { explainDifference } from './explain';
import { wrapperCostNs } from './hooks';
import type { ProfiledRun, ProfileSnapshot } from './session';

/** Gateway CPU per request (ms) and RPS unprofiled: full chain (mean of first and last), bare, each concern off. */
export interface AblationResult {
  fullMs: number;
  fullRps: number;
  bareMs: number;
  bareRps: number;
  noise: { ms: number; rps: number };
  rows: { off: string; rps: number; ms: number; owners: string; savedMs: number; rpsChange: number }[];
}

export interface HookRow {
  plugin: string;
  hook: string;
  callsPerRequest: number;
  meanMs: number;
  p95Ms: number;
  p99Ms: number;
  /** Share of the gateway's total request time spent in this hook. */
  share: number;
}

export function hookTable(snapshot: Omit<ProfileSnapshot, 'plugins'>): HookRow[] {
  const totalMs = snapshot.requestTimes.reduce((sum, value) => sum + value, 0);
  return snapshot.hooks
    .map(({ plugin, hook, calls, samples }) => {
      const summary = summarize(samples);
      return {
        plugin,
        hook,
        callsPerRequest: snapshot.requests ? calls / snapshot.requests : 0,
        meanMs: summary.meanMs,
        p95Ms: summary.p95Ms,
        p99Ms: summary.p99Ms,
        share: totalMs > 0 ? (summary.meanMs * calls) / totalMs : 0,
      };
    })
    .sort((a, b) => b.share - a.share);
}

/** Per-hook statistics from a profile snapshot, largest share first. */
export function buildProfileReport(input: {
  scenario: Scenario;
  connections: number;
  durationSec: number;
  driver: LoadDriver;
  full: ProfiledRun;
  bare: ProfiledRun | null;
  ablation: AblationResult | null;
  explanation: ReturnType<typeof explainDifference>;
}) {
  const { full, bare } = input;
  const names = new Map(full.snapshot.plugins.map((label) => [label, resolvedName(full, label)]));
  const rows = hookTable(full.snapshot).map((row) => ({ ...row, plugin: names.get(row.plugin) ?? row.plugin }));
  const hookCallsPerRequest = rows.reduce((sum, row) => sum + row.callsPerRequest, 0);
  const wrapperNs = wrapperCostNs();
  const summary = (run: ProfiledRun) => ({
    label: run.label,
    requests: run.requests,
    rps: run.rps,
    gatewayMsPerRequest: run.gatewayMsPerRequest,
    threadsMsPerRequest: run.threadsMsPerRequest,
    samples: run.attribution.samples,
    cpuProfile: run.cpuProfileFile?.slice(RESULTS_DIR.length) ?? null,
  });
  return {
    kind: 'profile',
    scenario: input.scenario.name,
    machine: describeMachine(),
    load: { connections: input.connections, durationSec: input.durationSec, driver: input.driver },
    runs: [summary(full), ...(bare ? [summary(bare)] : [])],
    request: summarize(full.snapshot.requestTimes),
    explanation: input.explanation,
    libraries: full.attribution.libraries.map((row) => ({
      ...row,
      selfShare: row.selfSamples / Math.max(1, full.attribution.samples),
      onStackShare: row.onStackSamples / Math.max(1, full.attribution.samples),
    })),
    hooks: rows,
    phases: full.snapshot.phases.map(({ phase, calls, samples }) => ({
      phase,
      callsPerRequest: full.snapshot.requests ? calls / full.snapshot.requests : 0,
      ...summarize(samples),
    })),
    overhead: {
      wrapperNsPerCall: wrapperNs,
      hookCallsPerRequest,
      estimatedMsPerRequest: (wrapperNs * hookCallsPerRequest) / 1e6,
      profiledRps: full.rps,
      profiledMsPerRequest: full.gatewayMsPerRequest,
      plainRps: input.ablation?.fullRps ?? null,
      plainMsPerRequest: input.ablation?.fullMs ?? null,
    },
    ablation: input.ablation,
    flameGraph: null as string | null,
  };
}

export type ProfileReport = ReturnType<typeof buildProfileReport>;

/** The plugin a hook label stands for, as the CPU samples named it (the chain's tag stays beside it). */
function resolvedName(run: ProfiledRun, label: string): string {
  const tag = label.replace(/ \(.*\)$/, '');
  const name = run.attribution.pluginNames[label];
  if (!name) return readableLabel(label);
  return tag.startsWith('#') ? name : `${name} [${tag}]`;
}

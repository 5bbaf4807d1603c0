import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getScenario, type Scenario } from '../../scenarios';
import { ABLATIONS } from '../ablation';
import { runLoad } from '../load';
import { describeMachine } from '../machine';
import { collapseProfile, renderFlameGraph, type CpuProfile } from '../profiler/flame';
import { wrapperCostNs } from '../profiler/hooks';
import { RESULTS_DIR } from '../report';
import { createRequestSource, type RequestContext } from '../requests';
import { prepareScenario } from '../setup';
import { summarize } from '../stats';
import { startGatewayVariant, startLabSystem, type LabSystem } from '../target';
import { parseEnvFlags } from './run';

interface ProfileSnapshot {
  requests: number;
  requestTimes: number[];
  hooks: { plugin: string; hook: string; calls: number; samples: number[] }[];
  phases: { phase: string; calls: number; samples: number[] }[];
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

/** Per-hook statistics from a profile snapshot, largest share first. */
export function hookTable(snapshot: ProfileSnapshot): HookRow[] {
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

/**
 * `bun perf profile <scenario>`: per-hook timings of the chain under load, the profiler's own
 * overhead, an ablation (RPS with each concern switched off in turn) and a CPU flame graph.
 */
export async function profileCommand(
  name: string,
  flags: { duration?: string; connections?: string; env?: string[]; config?: string; ablation?: boolean },
): Promise<void> {
  const scenario = getScenario(name);
  const durationSec = flags.duration ? Number(flags.duration) : Math.min(scenario.load.durationSec, 15);
  const connections = flags.connections ? Number(flags.connections) : scenario.load.connections;
  if (!(durationSec > 0) || !(connections > 0))
    throw new Error('--duration and --connections must be positive numbers');
  const env = parseEnvFlags(flags.env);
  const profileDir = join(RESULTS_DIR, `profile-${scenario.name}-cpu`);
  mkdirSync(profileDir, { recursive: true });
  for (const file of readdirSync(profileDir))
    if (file.endsWith('.cpuprofile')) Bun.file(join(profileDir, file)).delete?.();

  let lab: LabSystem | undefined;
  try {
    log('starting the system');
    lab = await startLabSystem({ log });
    const entry = [
      '--cpu-prof',
      `--cpu-prof-dir=${profileDir}`,
      fileURLToPath(new URL('../profiler/gateway.ts', import.meta.url)),
      ...(flags.config ? ['--config', flags.config] : []),
    ];
    const profiled = await startGatewayVariant(lab, env, entry);
    const registry = { url: lab.system.registryUrl, token: lab.system.registryToken, target: 'main' };
    const context = await prepareScenario(scenario, { gatewayUrl: profiled.url, registry });
    const load = (url: string, seconds: number) =>
      runLoad({ url, scenario, next: createRequestSource(scenario, context), connections, durationSec: seconds });

    log(`warming up, then profiling ${scenario.name} for ${durationSec} s`);
    await load(profiled.url, Math.min(5, durationSec));
    await fetch(`${profiled.url}/__profile`, { method: 'POST' });
    const profiledRun = await load(profiled.url, durationSec);
    const snapshot = (await (await fetch(`${profiled.url}/__profile`)).json()) as ProfileSnapshot;
    await profiled.stop(); // writes the CPU profile

    log('measuring the same load without the profiler, then the ablation');
    const plainRps = await measureRps(lab, env, scenario, context, connections, durationSec);
    const ablation =
      flags.ablation === false
        ? null
        : await runAblation(lab, env, scenario, context, connections, Math.max(5, Math.round(durationSec / 2)));

    const cpuFile = readdirSync(profileDir).find((file) => file.endsWith('.cpuprofile'));
    let flame: string | null = null;
    if (cpuFile) {
      const collapsed = collapseProfile(JSON.parse(readFileSync(join(profileDir, cpuFile), 'utf8')) as CpuProfile);
      writeFileSync(join(RESULTS_DIR, `profile-${scenario.name}.collapsed.txt`), `${collapsed.join('\n')}\n`);
      writeFileSync(
        join(RESULTS_DIR, `profile-${scenario.name}.flame.svg`),
        renderFlameGraph(collapsed, `${scenario.name}: gateway CPU`),
      );
      flame = `profile-${scenario.name}.flame.svg`;
    }

    const rows = hookTable(snapshot);
    const hookCallsPerRequest = rows.reduce((sum, row) => sum + row.callsPerRequest, 0);
    const wrapperNs = wrapperCostNs();
    const report = {
      kind: 'profile',
      scenario: scenario.name,
      machine: describeMachine(),
      load: { connections, durationSec },
      requests: snapshot.requests,
      request: summarize(snapshot.requestTimes),
      hooks: rows,
      phases: snapshot.phases.map(({ phase, calls, samples }) => ({
        phase,
        callsPerRequest: snapshot.requests ? calls / snapshot.requests : 0,
        ...summarize(samples),
      })),
      overhead: {
        wrapperNsPerCall: wrapperNs,
        hookCallsPerRequest,
        estimatedMsPerRequest: (wrapperNs * hookCallsPerRequest) / 1e6,
        profiledRps: profiledRun.requests / profiledRun.durationSec,
        plainRps,
      },
      ablation,
      flameGraph: flame,
      cpuProfile: cpuFile ? `profile-${scenario.name}-cpu/${cpuFile}` : null,
    };
    writeFileSync(join(RESULTS_DIR, `profile-${scenario.name}.json`), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(RESULTS_DIR, `profile-${scenario.name}.md`), renderProfileMarkdown(report));
    console.log(renderProfileMarkdown(report));
  } finally {
    await lab?.stop();
  }
}

async function measureRps(
  lab: LabSystem,
  env: Record<string, string>,
  scenario: Scenario,
  context: RequestContext,
  connections: number,
  seconds: number,
) {
  const gateway = await startGatewayVariant(lab, env);
  try {
    const next = createRequestSource(scenario, context);
    await runLoad({ url: gateway.url, scenario, next, connections, durationSec: Math.min(3, seconds) });
    const result = await runLoad({ url: gateway.url, scenario, next, connections, durationSec: seconds });
    return result.requests / result.durationSec;
  } finally {
    await gateway.stop();
  }
}

/**
 * RPS with each concern off in turn. The full chain is measured first and last: the ablation is
 * read against their mean, and their difference is the run's noise (each run is a fresh process).
 */
async function runAblation(
  lab: LabSystem,
  env: Record<string, string>,
  scenario: Scenario,
  context: RequestContext,
  connections: number,
  seconds: number,
) {
  const first = await measureRps(lab, env, scenario, context, connections, seconds);
  const rows: { off: string; rps: number }[] = [];
  for (const ablation of ABLATIONS) {
    log(`ablation: ${ablation.name} off`);
    rows.push({
      off: ablation.name,
      rps: await measureRps(lab, { ...env, ...ablation.env }, scenario, context, connections, seconds),
    });
  }
  const last = await measureRps(lab, env, scenario, context, connections, seconds);
  const baseline = (first + last) / 2;
  return {
    baseline,
    noise: Math.abs(first - last) / baseline,
    rows: [{ off: '(nothing: full chain, first and last run)', rps: baseline }, ...rows].map((row) => ({
      ...row,
      change: row.rps / baseline - 1,
    })),
  };
}

function renderProfileMarkdown(report: any): string {
  const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(v < 1 ? 3 : 2) : '–');
  return `# Plugin-chain profile: ${report.scenario}

${report.machine.date} · commit ${report.machine.commit} · ${report.machine.cpu} · Bun ${report.machine.bun} · ${report.load.connections} connections, ${report.load.durationSec} s

Gateway request time: mean ${ms(report.request.meanMs)} ms, p95 ${ms(report.request.p95Ms)} ms, p99 ${ms(report.request.p99Ms)} ms over ${report.requests} requests.

## Hooks (wall time in the hook; async hooks until their promise settles)

| plugin | hook | calls/req | mean ms | p95 ms | p99 ms | share of gateway time |
|--------|------|----------:|--------:|-------:|-------:|----------------------:|
${report.hooks.map((r: HookRow) => `| ${r.plugin} | ${r.hook} | ${r.callsPerRequest.toFixed(2)} | ${ms(r.meanMs)} | ${ms(r.p95Ms)} | ${ms(r.p99Ms)} | ${(r.share * 100).toFixed(1)} % |`).join('\n')}

## Phases

| phase | calls/req | mean ms | p95 ms | p99 ms |
|-------|----------:|--------:|-------:|-------:|
${report.phases.map((p: any) => `| ${p.phase} | ${p.callsPerRequest.toFixed(2)} | ${ms(p.meanMs)} | ${ms(p.p95Ms)} | ${ms(p.p99Ms)} |`).join('\n')}

## The profiler's own cost

${report.overhead.wrapperNsPerCall.toFixed(0)} ns per wrapped hook call × ${report.overhead.hookCallsPerRequest.toFixed(1)} hook calls per request ≈ ${(report.overhead.estimatedMsPerRequest * 1000).toFixed(1)} µs per request. Throughput with hook timing and the CPU sampling profiler on: ${Math.round(report.overhead.profiledRps)} RPS vs ${Math.round(report.overhead.plainRps)} RPS without either (${((report.overhead.profiledRps / report.overhead.plainRps - 1) * 100).toFixed(1)} %): read the timings as relative.

${
  report.ablation
    ? `## Ablation: RPS with one concern off

The full chain ran first and last; they differed by ${(report.ablation.noise * 100).toFixed(1)} %, the noise of this run: smaller changes mean nothing.

| switched off | RPS | change vs full chain |
|--------------|----:|---------------------:|
${report.ablation.rows.map((a: any) => `| ${a.off} | ${Math.round(a.rps)} | ${(a.change * 100).toFixed(1)} % |`).join('\n')}
`
    : ''
}
${report.flameGraph ? `## CPU flame graph\n\n![flame graph](${report.flameGraph}) (collapsed stacks: \`profile-${report.scenario}.collapsed.txt\`; open \`${report.cpuProfile}\` in speedscope or Chrome DevTools)\n` : 'No CPU profile was written.\n'}`;
}

function log(message: string) {
  console.error(`[perf] ${message}`);
}

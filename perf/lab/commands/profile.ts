import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getScenario, type Scenario } from '../../scenarios';
import { ABLATIONS, ALL_OFF } from '../ablation';
import { runLoad, type LoadDriver } from '../load';
import { collapseProfile, renderFlameGraph } from '../profiler/flame';
import { explainDifference } from '../profiler/explain';
import { renderProfileMarkdown } from '../profiler/markdown';
import { buildProfileReport, type AblationResult } from '../profiler/report';
import { profiledRun } from '../profiler/session';
import { RESULTS_DIR } from '../report';
import { createRequestSource, type RequestContext } from '../requests';
import { prepareScenario } from '../setup';
import { cpuSeconds } from '../cpu/processes';
import { startGatewayVariant, startLabSystem, type LabSystem } from '../target';
import { parseDriver, parseEnvFlags } from './run';

/**
 * `bun perf profile <scenario>`: where the chain's CPU goes, by plugin. Profiles the gateway
 * (hook timings and CPU samples) with the full chain and with every plugin off, attributes the
 * samples to plugins and libraries, and sets that beside the measured cost: gateway CPU per
 * request unprofiled, full chain against bare and with each concern off in turn (the ablation).
 */
export async function profileCommand(
  name: string,
  flags: {
    duration?: string;
    connections?: string;
    env?: string[];
    config?: string;
    ablation?: boolean;
    driver?: string;
  },
): Promise<void> {
  const scenario = getScenario(name);
  const durationSec = flags.duration ? Number(flags.duration) : Math.min(scenario.load.durationSec, 15);
  const connections = flags.connections ? Number(flags.connections) : scenario.load.connections;
  if (!(durationSec > 0) || !(connections > 0))
    throw new Error('--duration and --connections must be positive numbers');
  const env = parseEnvFlags(flags.env);
  const driver = parseDriver(flags.driver, undefined);
  let lab: LabSystem | undefined;
  try {
    log('starting the system');
    lab = await startLabSystem({ log });
    const registry = { url: lab.system.registryUrl, token: lab.system.registryToken, target: 'main' };
    const context = await prepareScenario(scenario, { gatewayUrl: lab.system.gatewayUrl, registry });
    const profile = (label: string, variantEnv: Record<string, string>, dir: string) =>
      profiledRun({
        lab: lab!,
        label,
        env: variantEnv,
        config: flags.config,
        scenario,
        context,
        connections,
        durationSec,
        driver,
        profileDir: join(RESULTS_DIR, dir),
      });
    log(`profiling the full chain: ${scenario.name} for ${durationSec} s (${driver})`);
    const full = await profile('full chain', env, `profile-${scenario.name}-cpu`);
    // A config of someone else's has no switches of ours: bare means nothing there.
    let bare: Awaited<ReturnType<typeof profile>> | null = null;
    if (!flags.config) {
      log('profiling the bare gateway (every plugin off)');
      bare = await profile('bare', { ...env, ...ALL_OFF }, `profile-${scenario.name}-bare-cpu`);
    }

    log('measuring without the profiler: full chain, bare, and each concern off in turn');
    const measure = (variantEnv: Record<string, string>) =>
      measureGateway(
        lab!,
        variantEnv,
        scenario,
        context,
        connections,
        Math.max(5, Math.round(durationSec / 2)),
        driver,
      );
    const ablation = flags.config ? null : await runAblation(measure, env, flags.ablation !== false);
    const explanation = ablation
      ? explainDifference(full, bare, ablation.fullMs - ablation.bareMs, ablation.noise.ms * ablation.fullMs)
      : explainDifference(full, bare, null);

    let flame: string | null = null;
    if (full.cpuProfile) {
      const collapsed = collapseProfile(full.cpuProfile);
      writeFileSync(join(RESULTS_DIR, `profile-${scenario.name}.collapsed.txt`), `${collapsed.join('\n')}\n`);
      writeFileSync(
        join(RESULTS_DIR, `profile-${scenario.name}.flame.svg`),
        renderFlameGraph(collapsed, `${scenario.name}: gateway CPU`),
      );
      flame = `profile-${scenario.name}.flame.svg`;
    }
    const report = buildProfileReport({
      scenario,
      connections,
      durationSec,
      driver,
      full,
      bare,
      ablation,
      explanation,
    });
    report.flameGraph = flame;
    writeFileSync(join(RESULTS_DIR, `profile-${scenario.name}.json`), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(RESULTS_DIR, `profile-${scenario.name}.md`), renderProfileMarkdown(report));
    console.log(renderProfileMarkdown(report));
  } finally {
    await lab?.stop();
  }
}

/** Gateway CPU per request and RPS of a fresh gateway process, without the profiler. */
async function measureGateway(
  lab: LabSystem,
  env: Record<string, string>,
  scenario: Scenario,
  context: RequestContext,
  connections: number,
  seconds: number,
  driver: LoadDriver,
): Promise<{ rps: number; ms: number }> {
  const gateway = await startGatewayVariant(lab, env);
  try {
    const next = createRequestSource(scenario, context);
    await runLoad({ url: gateway.url, scenario, next, connections, durationSec: Math.min(3, seconds), driver });
    const before = cpuSeconds(gateway.pid) ?? 0;
    const result = await runLoad({ url: gateway.url, scenario, next, connections, durationSec: seconds, driver });
    const used = (cpuSeconds(gateway.pid) ?? 0) - before;
    return { rps: result.requests / result.durationSec, ms: result.requests ? (used * 1000) / result.requests : 0 };
  } finally {
    await gateway.stop();
  }
}

/**
 * Gateway CPU per request and RPS with the full chain (first and last: their difference is the
 * noise), bare, and (with `perConcern`) each concern off in turn.
 */
async function runAblation(
  measure: (env: Record<string, string>) => Promise<{ rps: number; ms: number }>,
  env: Record<string, string>,
  perConcern: boolean,
): Promise<AblationResult> {
  const first = await measure(env);
  const bare = await measure({ ...env, ...ALL_OFF });
  const rows: { off: string; rps: number; ms: number; owners: string }[] = [];
  if (perConcern)
    for (const ablation of ABLATIONS) {
      log(`ablation: ${ablation.name} off`);
      rows.push({
        off: ablation.name,
        ...(await measure({ ...env, ...ablation.env })),
        owners: ablation.owners.source,
      });
    }
  const last = await measure(env);
  const fullMs = (first.ms + last.ms) / 2;
  const fullRps = (first.rps + last.rps) / 2;
  return {
    fullMs,
    fullRps,
    bareMs: bare.ms,
    bareRps: bare.rps,
    noise: { ms: Math.abs(first.ms - last.ms) / fullMs, rps: Math.abs(first.rps - last.rps) / fullRps },
    rows: rows.map((row) => ({ ...row, savedMs: fullMs - row.ms, rpsChange: row.rps / fullRps - 1 })),
  };
}

function log(message: string) {
  console.error(`[perf] ${message}`);
}

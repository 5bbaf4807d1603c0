import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { MAX_WORKERS } from '../../../gateway/workers';
import { getScenario, type Scenario } from '../../scenarios';
import { labTiers, withCpu } from '../cpu/measure';
import type { Tier } from '../cpu/tiers';
import { defaultDriver, runLoad, type LoadDriver } from '../load';
import { describeMachine } from '../machine';
import { waitForQuiet, watchForeignCpu } from '../quiet';
import { RESULTS_DIR } from '../report';
import { createRequestSource, type PreparedRequest } from '../requests';
import { prepareScenario } from '../setup';
import { startGatewayVariant, startLabSystem, type GatewayVariant, type LabSystem } from '../target';
import { parseEnvFlags } from './run';
import {
  renderWorkersChart,
  renderWorkersMarkdown,
  reportedRound,
  type RoundSummary,
  type WorkersPoint,
  type WorkersReport,
} from './workers-report';

export interface WorkersFlags {
  scenario?: string;
  max?: string;
  duration?: string;
  connections?: string;
  env?: string[];
  label?: string;
  rounds?: string;
}

const whole = (name: string, value: string | undefined, fallback: number, max = Number.POSITIVE_INFINITY) => {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > max)
    throw new Error(
      `--${name} must be a whole number from 1${Number.isFinite(max) ? ` to ${max}` : ''}, got "${value}"`,
    );
  return number;
};

/**
 * `bun perf workers`: the curve of throughput against GATEWAY_WORKERS. The lab's system starts
 * once (subgraphs, PostgreSQL, Redis), and a gateway for each N from 1 to --max on it, all up at
 * once. As in `bun perf compare`, the points are measured in turn, round after round: the
 * machine's speed and other people's work drift over minutes, and a curve measured one point
 * after the other would mostly draw that drift. A warm-up round (--duration per worker) is not counted; of the --rounds
 * after it, each point keeps its median (undisturbed) round (`reportedRound`). Each measurement
 * records RPS, latency, CPU per request of every tier, and how the kernel spread the requests
 * over the workers. Writes perf/results/workers-<scenario>[-<label>].{md,json,svg}.
 */
export async function workersCommand(flags: WorkersFlags): Promise<void> {
  const scenario = getScenario(flags.scenario ?? 'persisted-hit');
  const max = whole('max', flags.max, Math.min(4, MAX_WORKERS), MAX_WORKERS);
  const durationSec = whole('duration', flags.duration, 10);
  const connections = whole('connections', flags.connections, scenario.load.connections);
  const rounds = whole('rounds', flags.rounds, 3);
  const env = parseEnvFlags(flags.env);
  if ('GATEWAY_WORKERS' in env) throw new Error('--env GATEWAY_WORKERS: the command sets it, 1 to --max');
  const driver = defaultDriver(undefined);
  // Per worker: a gateway of N workers is warmed up N times as long, so each of its workers has
  // compiled and cached as much as the single process has (each sees a share of the requests).
  const warmupSec = durationSec;
  const metricsToken = randomBytes(24).toString('base64url');
  const loadStart = loadavg();
  let lab: LabSystem | undefined;
  const gateways: { workers: number; gateway: GatewayVariant; tiers: Tier[]; runs: WorkersPoint[] }[] = [];
  try {
    log('starting the system (PostgreSQL database autograph_perf, Redis)');
    lab = await startLabSystem({ log });
    const registry = { url: lab.system.registryUrl, token: lab.system.registryToken, target: 'main' };
    const context = await prepareScenario(scenario, { gatewayUrl: lab.system.gatewayUrl, registry });
    const next = createRequestSource(scenario, context);
    for (let workers = 1; workers <= max; workers++) {
      log(`starting a gateway with ${workers} worker(s)`);
      const gateway = await startGatewayVariant(lab, {
        // Nobody watches /readiness here: stop at once rather than draining for production's 5 s.
        DRAIN_DELAY_MS: '0',
        METRICS_TOKEN: metricsToken,
        ...env,
        GATEWAY_WORKERS: String(workers),
      });
      const tiers = await labTiers({ gatewayUrl: gateway.url, gatewayPid: gateway.pid, lab });
      gateways.push({ workers, gateway, tiers, runs: [] });
    }
    log(`warm-up round: every gateway for ${warmupSec} s per worker`);
    for (const { gateway, workers } of gateways)
      await runLoad({ url: gateway.url, scenario, next, connections, durationSec: warmupSec * workers, driver });
    for (let round = 1; round <= rounds; round++) {
      for (const point of gateways) {
        await waitForQuiet({ log, windowSec: 1, timeoutSec: 30 });
        const foreign = watchForeignCpu();
        const measured = await measurePoint({
          ...point,
          scenario,
          next,
          connections,
          durationSec,
          driver,
          metricsToken,
        });
        const run = { ...measured, round, rounds: [], foreignCpuPercent: foreign.stop().foreignCpuPercent };
        point.runs.push(run);
        log(
          `round ${round}/${rounds}, ${point.workers} worker(s): ${Math.round(run.rps)} RPS, p95 ${run.p95Ms.toFixed(1)} ms, gateway ${run.gatewayMsPerRequest?.toFixed(3)} ms CPU per request, ${run.failures} failures, others' CPU ${Math.round(run.foreignCpuPercent)} %`,
        );
      }
    }
  } finally {
    for (const { gateway } of gateways) await gateway.stop().catch(() => {});
    await lab?.stop();
  }
  const points = gateways.map(({ runs }) => ({ ...reportedRound(runs), rounds: runs.map(roundSummary) }));
  const report: WorkersReport = {
    kind: 'workers',
    scenario: { name: scenario.name, description: scenario.description },
    label: flags.label ?? (Object.keys(env).length ? Object.keys(env).join(', ') : 'full chain'),
    machine: describeMachine(),
    load: { driver, connections, durationSec, warmupSec, rounds },
    env,
    loadAverage: { start: loadStart, end: loadavg() },
    cores: availableParallelism(),
    points,
  };
  const name = `workers-${scenario.name}${flags.label ? `-${flags.label.replace(/\W+/g, '-')}` : ''}`;
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(RESULTS_DIR, `${name}.svg`), renderWorkersChart(report));
  const markdown = renderWorkersMarkdown(report, `${name}.svg`);
  writeFileSync(join(RESULTS_DIR, `${name}.md`), markdown);
  console.log(markdown);
}

const roundSummary = (run: WorkersPoint): RoundSummary => ({
  round: run.round,
  rps: run.rps,
  p95Ms: run.p95Ms,
  foreignCpuPercent: run.foreignCpuPercent,
});

/** One measurement of one point (the gateway warmed up before); the caller adds the round and others' CPU. */
async function measurePoint(input: {
  workers: number;
  gateway: GatewayVariant;
  tiers: Tier[];
  scenario: Scenario;
  next: () => PreparedRequest;
  connections: number;
  durationSec: number;
  driver: LoadDriver;
  metricsToken: string;
}): Promise<Omit<WorkersPoint, 'foreignCpuPercent' | 'round' | 'rounds'>> {
  const { workers, gateway, scenario, next, connections, durationSec, driver } = input;
  const before = await requestsPerWorker(gateway.url, input.metricsToken, workers);
  const { result, cpu } = await withCpu(input.tiers, () =>
    runLoad({ url: gateway.url, scenario, next, connections, durationSec, driver }),
  );
  const after = await requestsPerWorker(gateway.url, input.metricsToken, workers);
  const served = before && after ? after.map((count, i) => count - before[i]!) : null;
  const total = served?.reduce((sum, count) => sum + count, 0) ?? 0;
  const gatewayRow = cpu.rows.find((row) => row.tier === 'gateway');
  return {
    workers,
    rps: result.requests / result.durationSec,
    p50Ms: result.latency.p50Ms,
    p95Ms: result.latency.p95Ms,
    p99Ms: result.latency.p99Ms,
    requests: result.requests,
    failures: result.failures,
    gatewayMsPerRequest: gatewayRow?.msPerRequest ?? null,
    systemMsPerRequest: cpu.systemMsPerRequest,
    gatewayCores: (gatewayRow?.percentOfCore ?? 0) / 100,
    workerShares: served && total > 0 ? served.map((count) => count / total) : null,
    cpu,
  };
}

/**
 * Requests each worker has answered so far, from the gateway's merged /metrics; a single process
 * counts no worker and is all of it (null). Null too when /metrics cannot be read.
 */
async function requestsPerWorker(url: string, token: string, workers: number): Promise<number[] | null> {
  if (workers === 1) return null;
  try {
    const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    if (!response.ok) return null;
    const text = await response.text();
    return Array.from({ length: workers }, (_, i) => {
      const match = new RegExp(`^autograph_gateway_worker_requests_total\\{worker="${i + 1}"\\} (\\S+)$`, 'm').exec(
        text,
      );
      return match ? Number(match[1]) : 0;
    });
  } catch {
    return null;
  }
}

function log(message: string) {
  console.error(`[perf] ${message}`);
}

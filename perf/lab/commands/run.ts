import { getScenario } from '../../scenarios';
import { labTiers, withCpu } from '../cpu/measure';
import { defaultDriver, runLoad, type LoadDriver, type SecondSample } from '../load';
import { describeMachine } from '../machine';
import { buildRunReport, formatThreshold, writeRunReport } from '../report';
import { createRequestSource } from '../requests';
import { prepareScenario, type Target } from '../setup';
import { evaluateThresholds } from '../stats';
import { watchForeignCpu } from '../quiet';
import { processUsage, startGatewayVariant, startLabSystem, type LabSystem } from '../target';

export interface RunFlags {
  url?: string;
  start?: boolean;
  duration?: string;
  connections?: string;
  rate?: string;
  label?: string;
  env?: string[];
  'registry-url'?: string;
  'registry-token'?: string;
  seed?: string;
  /** Resend one draw of variables (measures the gateway's deduplication too; see requests.ts). */
  identical?: boolean;
  /** Default: wrk, or paced with a rate cap (see `defaultDriver`). */
  driver?: string;
}

export function parseDriver(value: string | undefined, rate: number | undefined): LoadDriver {
  if (value === undefined) return defaultDriver(rate);
  if (value !== 'wrk' && value !== 'paced' && value !== 'autocannon')
    throw new Error(`--driver must be wrk, paced or autocannon, got "${value}"`);
  if (value === 'wrk' && rate) throw new Error('--rate needs --driver paced or autocannon: wrk cannot cap the rate');
  if (value === 'paced' && !rate) throw new Error('--driver paced needs --rate');
  return value;
}

const positive = (name: string, value: string | undefined) => {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new Error(`--${name} must be a positive number, got "${value}"`);
  return number;
};

export function parseEnvFlags(flags: string[] = []): Record<string, string> {
  return Object.fromEntries(
    flags.map((flag) => {
      const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(flag);
      if (!match) throw new Error(`--env must look like KEY=VALUE, got "${flag}"`);
      return [match[1]!, match[2]!];
    }),
  );
}

/** `bun perf run <scenario>`: prepare, load, report; true when every threshold held. */
export async function runCommand(name: string, flags: RunFlags): Promise<boolean> {
  const scenario = getScenario(name);
  const load = {
    connections: positive('connections', flags.connections) ?? scenario.load.connections,
    durationSec: positive('duration', flags.duration) ?? scenario.load.durationSec,
    rate: positive('rate', flags.rate) ?? scenario.load.rate,
  };
  const env = parseEnvFlags(flags.env);
  const driver = parseDriver(flags.driver, load.rate);
  if (flags.start && flags.url) throw new Error('give either --url or --start');
  if (!flags.start && Object.keys(env).length)
    throw new Error('--env configures a gateway the lab starts: use it with --start');

  let lab: LabSystem | undefined;
  let gateway: Awaited<ReturnType<typeof startGatewayVariant>> | undefined;
  try {
    let target: Target;
    if (flags.start) {
      log('starting the system (PostgreSQL database autograph_perf, Redis)');
      lab = await startLabSystem({ seedScale: flags.seed === 'large' ? 'large' : 'small', log });
      gateway = await startGatewayVariant(lab, env);
      target = {
        gatewayUrl: gateway.url,
        registry: { url: lab.system.registryUrl, token: lab.system.registryToken, target: 'main' },
      };
    } else {
      const url = flags.url ?? 'http://127.0.0.1:4000';
      const registryUrl = flags['registry-url'] ?? process.env.REGISTRY_URL;
      target = {
        gatewayUrl: url,
        registry: registryUrl
          ? {
              url: registryUrl,
              token: flags['registry-token'] ?? process.env.REGISTRY_TOKEN,
              target: process.env.REGISTRY_TARGET ?? 'main',
            }
          : undefined,
      };
    }

    log(`preparing ${scenario.name}`);
    const context = await prepareScenario(scenario, target);
    const requests = flags.identical ? 'identical' : 'varied';
    const next = createRequestSource(scenario, context, { identical: flags.identical });
    const warmup = Math.min(5, Math.max(1, Math.round(load.durationSec / 5)));
    log(`warming up for ${warmup} s`);
    await runLoad({ url: target.gatewayUrl, scenario, next, ...load, durationSec: warmup, driver });

    const tiers = await labTiers({ gatewayUrl: target.gatewayUrl, gatewayPid: gateway?.pid, lab });
    log(
      `loading for ${load.durationSec} s with ${load.connections} connections${load.rate ? ` at ${load.rate} RPS` : ''} (${driver})`,
    );
    const foreign = watchForeignCpu();
    const { result, cpu } = await withCpu(tiers, () =>
      runLoad({ url: target.gatewayUrl, scenario, next, ...load, driver, onTick: progress(load.durationSec) }),
    );
    const { foreignCpuPercent } = foreign.stop();
    const after = gateway ? processUsage(gateway.pid) : null;
    process.stderr.write('\n');

    const label =
      flags.label ?? `${flags.start ? 'full chain' : 'running system'}${flags.identical ? ', identical requests' : ''}`;
    const report = buildRunReport({
      scenario,
      label,
      machine: describeMachine(),
      load,
      requests,
      result,
      thresholds: evaluateThresholds(scenario.thresholds, result),
      cpu,
    });
    report.foreignCpuPercent = foreignCpuPercent;
    if (after) report.gatewayRssMiB = after.rssMiB;
    const files = writeRunReport(
      report,
      `run-${scenario.name}${flags.label ? `-${flags.label.replace(/\W+/g, '-')}` : ''}${!flags.label && flags.identical ? '-identical' : ''}`,
    );
    console.log(
      `${scenario.name}: ${Math.round(report.rps)} RPS, p50 ${result.latency.p50Ms.toFixed(1)} ms, p95 ${result.latency.p95Ms.toFixed(1)} ms, p99 ${result.latency.p99Ms.toFixed(1)} ms, ${result.failures} failures of ${result.requests}`,
    );
    for (const row of cpu.rows)
      console.log(
        `CPU per request, ${row.tier}: ${row.msPerRequest === null ? '–' : `${row.msPerRequest.toFixed(3)} ms`}`,
      );
    for (const threshold of report.thresholds) console.log(formatThreshold(threshold));
    console.log(`report: ${files.markdown}`);
    return report.passed;
  } finally {
    await gateway?.stop();
    await lab?.stop();
  }
}

function log(message: string) {
  console.error(`[perf] ${message}`);
}

/** One line per second on a terminal (rewritten in place), one every five seconds in logs. */
function progress(durationSec: number) {
  const tty = process.stderr.isTTY;
  return (sample: SecondSample, elapsed: number) => {
    const line = `[perf] ${String(elapsed).padStart(3)}/${durationSec} s  ${String(sample.requests).padStart(6)} req/s  p95 ${sample.p95Ms.toFixed(1).padStart(7)} ms  failures ${sample.failures}`;
    if (tty) process.stderr.write(`\r${line}`);
    else if (elapsed % 5 === 0) process.stderr.write(`${line}\n`);
  };
}

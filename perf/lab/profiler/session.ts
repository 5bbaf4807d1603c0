import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Scenario } from '../../scenarios';
import { cpuSeconds, threadCpuSeconds } from '../cpu/processes';
import { runLoad, type LoadDriver } from '../load';
import { createRequestSource, type RequestContext } from '../requests';
import { startGatewayVariant, type LabSystem } from '../target';
import { attributeProfile, type Attribution } from './attribution';
import type { CpuProfile } from './flame';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url)).replace(/\/$/, '');

/** What `/__profile` of the profiled gateway answers (perf/lab/profiler/gateway.ts). */
export interface ProfileSnapshot {
  requests: number;
  requestTimes: number[];
  hooks: { plugin: string; hook: string; calls: number; samples: number[] }[];
  phases: { phase: string; calls: number; samples: number[] }[];
  /** Plugin labels by the id their hook wrappers' frame names carry. */
  plugins: string[];
}

export interface ProfiledRun {
  label: string;
  requests: number;
  rps: number;
  /** The gateway's CPU per request over the measured window, all threads. */
  gatewayMsPerRequest: number;
  /** CPU per request by thread name (the JavaScript thread, Bun's HTTP client, the garbage collector's helpers…). */
  threadsMsPerRequest: Record<string, number>;
  attribution: Attribution;
  snapshot: ProfileSnapshot;
  cpuProfile: CpuProfile | null;
  cpuProfileFile: string | null;
}

/**
 * One gateway under the profiler (hook timing and `bun --cpu-prof`) loaded with a scenario: the
 * CPU samples of the measured window only (not start-up or warm-up), attributed to plugins, with
 * the process's CPU per request by thread to turn sample shares into milliseconds.
 */
export async function profiledRun(options: {
  lab: LabSystem;
  label: string;
  env: Record<string, string>;
  config?: string;
  scenario: Scenario;
  context: RequestContext;
  connections: number;
  durationSec: number;
  driver: LoadDriver;
  profileDir: string;
}): Promise<ProfiledRun> {
  rmSync(options.profileDir, { recursive: true, force: true });
  mkdirSync(options.profileDir, { recursive: true });
  const entry = [
    '--cpu-prof',
    `--cpu-prof-dir=${options.profileDir}`,
    fileURLToPath(new URL('./gateway.ts', import.meta.url)),
    ...(options.config ? ['--config', options.config] : []),
  ];
  const gateway = await startGatewayVariant(options.lab, options.env, entry);
  const { scenario, connections, driver } = options;
  const next = createRequestSource(scenario, options.context);
  let snapshot: ProfileSnapshot;
  let window: { fromUs: number; toUs: number };
  let cpu: { before: Map<string, number>; after: Map<string, number>; process: number };
  let result: Awaited<ReturnType<typeof runLoad>>;
  try {
    await runLoad({
      url: gateway.url,
      scenario,
      next,
      connections,
      durationSec: Math.min(5, options.durationSec),
      driver,
    });
    await fetch(`${gateway.url}/__profile`, { method: 'POST' });
    const before = threadCpuSeconds(gateway.pid);
    const processBefore = cpuSeconds(gateway.pid) ?? 0;
    const fromUs = Date.now() * 1000;
    result = await runLoad({ url: gateway.url, scenario, next, connections, durationSec: options.durationSec, driver });
    window = { fromUs, toUs: Date.now() * 1000 };
    cpu = { before, after: threadCpuSeconds(gateway.pid), process: (cpuSeconds(gateway.pid) ?? 0) - processBefore };
    snapshot = (await (await fetch(`${gateway.url}/__profile`)).json()) as ProfileSnapshot;
  } finally {
    await gateway.stop(); // writes the CPU profile
  }
  const file = readdirSync(options.profileDir).find((name) => name.endsWith('.cpuprofile'));
  const cpuProfile = file ? (JSON.parse(readFileSync(join(options.profileDir, file), 'utf8')) as CpuProfile) : null;
  const perRequest = (seconds: number) => (result.requests > 0 ? (seconds * 1000) / result.requests : 0);
  const threadsMsPerRequest: Record<string, number> = {};
  for (const [name, seconds] of cpu.after)
    threadsMsPerRequest[name] = perRequest(seconds - (cpu.before.get(name) ?? 0));
  return {
    label: options.label,
    requests: result.requests,
    rps: result.requests / result.durationSec,
    gatewayMsPerRequest: perRequest(cpu.process),
    threadsMsPerRequest,
    attribution: cpuProfile
      ? attributeProfile(cpuProfile, { root: ROOT, labels: snapshot.plugins, ...window })
      : { samples: 0, owners: [], libraries: [], pluginNames: {} },
    snapshot,
    cpuProfile,
    cpuProfileFile: file ? join(options.profileDir, file) : null,
  };
}

/** The JavaScript thread's CPU per request, which the samples divide among owners. */
export const MAIN_THREAD = 'main (JavaScript)';

/** Milliseconds of CPU per request for a number of samples of a run: their share of the JavaScript thread's CPU. */
export function samplesToMs(run: Pick<ProfiledRun, 'attribution' | 'threadsMsPerRequest'>, samples: number): number {
  const main = run.threadsMsPerRequest[MAIN_THREAD] ?? 0;
  return run.attribution.samples > 0 ? (samples / run.attribution.samples) * main : 0;
}

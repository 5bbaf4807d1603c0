import { join } from 'node:path';
import { runLoad } from '../lab/load';
import { describeMachine } from '../lab/machine';
import { RESULTS_DIR } from '../lab/report';
import { SCENARIOS } from '../scenarios';
import { phaseStats, timeline } from './analysis';
import type { Fault, FaultContext, FaultReport, Timing } from './fault';
import { Resources } from './infra/processes';
import { startSteadyLoad } from './steady-load';
import { writeChaosReport, type ChaosReport } from './report';
import { openServiceLogs, type ServiceLogs } from './service-logs';
import { soak, writeSoakReport, type SoakReport } from './soak';
import { startChaosSystem, type ChaosSystem } from './system';

/** Share of the measured maximum the steady load runs at; the soak runs at SOAK_SHARE. */
export const LOAD_SHARE = 0.7;
const SOAK_SHARE = 0.5;
const MEASURE_SECONDS = 5;
/** With a fixed rate nothing else warms the system up before the first fault. */
const WARM_UP_SECONDS = 8;

/** Phases of the full run, and of the short one CI runs (seconds per phase). */
export const TIMING: Timing = { beforeMs: 10_000, duringMs: 15_000, afterMs: 15_000 };
export const SHORT_TIMING: Timing = { beforeMs: 3_000, duringMs: 4_000, afterMs: 5_000 };
/**
 * CI's fixed rate: low enough that two shared cores serve it without errors while other suites
 * run, high enough that every second of a fault holds a dozen requests (a third of them calling
 * the faulted subgraph) so that an error goal can fail.
 */
export const CI_RATE = 20;

export interface ChaosOptions {
  faults: Fault[];
  timing: Timing;
  /** Fixed requests per second (CI); unset: LOAD_SHARE of a maximum measured first. */
  rate?: number;
  /** After the faults, a soak of this many minutes at SOAK_SHARE / LOAD_SHARE of the rate. */
  soakMinutes?: number;
  /** Report file name under perf/results/ (or `resultsDir`); the children's logs go to `<name>-logs/` beside it. */
  reportName?: string;
  resultsDir?: string;
  log?: (message: string) => void;
}

/** The closed-model maximum of the read mix, measured briefly on the live system (perf/lab/load.ts). */
export async function measureMaxRps(chaos: ChaosSystem): Promise<number> {
  const result = await runLoad({
    url: chaos.system.gatewayUrl,
    scenario: SCENARIOS['mixed-realistic']!,
    next: chaos.reads(),
    connections: 16,
    durationSec: MEASURE_SECONDS,
  });
  return result.requests / result.durationSec;
}

/** A fault that threw is a missed goal, reported with the reason, not a crashed suite. */
function crashedFault(fault: Fault, rate: number, error: Error): FaultReport {
  const empty = phaseStats([]);
  return {
    name: fault.name,
    description: fault.description,
    goal: fault.goal,
    rate,
    window: { fromMs: 0, toMs: 0 },
    before: empty,
    during: empty,
    after: empty,
    recoveryMs: null,
    dataLost: null,
    checks: [{ name: 'the fault ran to the end', pass: false, detail: error.message.split('\n')[0]! }],
    passed: false,
    timeline: timeline([]),
    notes: [],
  };
}

/**
 * After a missed goal: what the services logged meanwhile, in the run's output (CI keeps nothing
 * else), indented under the goal lines they explain. CI's summary of what failed picks lines with
 * "FAIL: ", which these are not: it still lists only the goals.
 */
function printServiceLogs(log: (m: string) => void, logs: ServiceLogs, what: string, fromMs: number) {
  const lines = logs.between(fromMs, Date.now());
  log(`  services' latest warnings and errors during ${what}, each repeated line once (all in ${logs.dir}):`);
  for (const line of lines) log(`    ${line}`);
}

/**
 * Starts the suite's own system, sets the load's rate, runs each fault in turn under that load,
 * and writes the report; everything started is stopped at the end, whatever failed.
 */
export async function runChaos(options: ChaosOptions): Promise<{ report: ChaosReport; soak?: SoakReport }> {
  const log = options.log ?? ((message: string) => console.log(`[chaos] ${message}`));
  const resources = new Resources();
  try {
    // Closed after the system has stopped (undone last first): its last lines are kept too.
    const logs = openServiceLogs(join(options.resultsDir ?? RESULTS_DIR, `${options.reportName ?? 'chaos'}-logs`));
    resources.defer('close the service logs', () => logs.close());
    log(`services' warnings and errors go to ${logs.dir}`);
    const chaos = await startChaosSystem(resources, log, logs.output);
    let measuredMaxRps: number | undefined;
    let rate = options.rate;
    if (!rate) {
      measuredMaxRps = await measureMaxRps(chaos);
      rate = Math.max(5, Math.round(measuredMaxRps * LOAD_SHARE));
      log(`measured ${Math.round(measuredMaxRps)} RPS at most; the steady load sends ${rate}/s`);
    }
    if (options.rate) {
      // Cold processes (JIT, pools, plan caches) would fail the first fault's before-phase.
      log(`warming up for ${WARM_UP_SECONDS} s at ${rate}/s`);
      const warmUp = startSteadyLoad({ url: chaos.system.gatewayUrl, next: chaos.reads(), rate });
      await Bun.sleep(WARM_UP_SECONDS * 1000);
      await warmUp.stop();
    }
    const context: FaultContext = { chaos, timing: options.timing, rate, log };
    const faults: FaultReport[] = [];
    for (const fault of options.faults) {
      log(`fault ${fault.name}: ${fault.description}`);
      const startedAt = Date.now();
      const report = await fault.run(context).catch((error: Error) => crashedFault(fault, rate, error));
      for (const c of report.checks) log(`  ${c.pass ? 'pass' : 'FAIL'}: ${fault.name}: ${c.name} (${c.detail})`);
      if (!report.passed) printServiceLogs(log, logs, fault.name, startedAt);
      faults.push(report);
    }
    const report: ChaosReport = {
      kind: 'chaos',
      machine: describeMachine(),
      load: {
        scenario: 'mixed-realistic (reads), write-mix createOffer (writes)',
        rate,
        measuredMaxRps,
        timing: options.timing,
      },
      faults,
      passed: faults.every((f) => f.passed),
    };
    if (faults.length) log(`report: ${writeChaosReport(report, options.reportName, options.resultsDir)}`);
    if (!options.soakMinutes) return { report };
    const soakRate = Math.max(3, Math.round((rate * SOAK_SHARE) / LOAD_SHARE));
    log(`soak: ${options.soakMinutes} min at ${soakRate}/s`);
    const soakStartedAt = Date.now();
    const soakReport = await soak(chaos, { minutes: options.soakMinutes, rate: soakRate, log });
    for (const c of soakReport.checks) log(`  ${c.pass ? 'pass' : 'FAIL'}: soak: ${c.name} (${c.detail})`);
    if (!soakReport.passed) printServiceLogs(log, logs, 'the soak', soakStartedAt);
    writeSoakReport(soakReport, `${options.reportName ?? 'chaos'}-soak`, options.resultsDir);
    return { report, soak: soakReport };
  } finally {
    await resources.release();
  }
}

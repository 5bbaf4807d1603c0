import { renderChart } from '../chart';
import { renderCpuMatrix, type CpuTable } from '../cpu/table';
import type { MachineInfo } from '../machine';
import { DISTURBED_PERCENT } from '../quiet';

/** One point of the curve: the same scenario against the gateway with `workers` worker processes. */
export interface WorkersPoint {
  workers: number;
  rps: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  requests: number;
  failures: number;
  /** The gateway's processes (primary and workers) together, CPU ms per request. */
  gatewayMsPerRequest: number | null;
  /** Every tier but the load generator, CPU ms per request. */
  systemMsPerRequest: number | null;
  /** How many cores the gateway's processes kept busy on average (1 = one core). */
  gatewayCores: number;
  /** Each worker's share of the requests in the measured window (from the merged /metrics), worker order. */
  workerShares: number[] | null;
  /** CPU other work on the machine used during the point, % of one core (quiet.ts). */
  foreignCpuPercent: number;
  /** The round this measurement is from (the reported one: the median undisturbed round). */
  round: number;
  /** Every counted round of this point, for the range. */
  rounds: RoundSummary[];
  cpu: CpuTable;
}

export interface RoundSummary {
  round: number;
  rps: number;
  p95Ms: number;
  foreignCpuPercent: number;
}

export interface WorkersReport {
  kind: 'workers';
  scenario: { name: string; description: string };
  label: string;
  machine: MachineInfo;
  /** `warmupSec`: per worker (a gateway of N workers is warmed up N times as long). */
  load: { driver: string; connections: number; durationSec: number; warmupSec: number; rounds: number };
  /** Gateway variables set for every point besides GATEWAY_WORKERS. */
  env: Record<string, string>;
  /** 1, 5 and 15 minute load averages when the run started and when it ended. */
  loadAverage: { start: number[]; end: number[] };
  cores: number;
  points: WorkersPoint[];
}

/**
 * Of one point's rounds, the one to report: the median (the lower middle one when their number is
 * even) of the rounds other work did not disturb (under DISTURBED_PERCENT of a core), else of all
 * rounds. Not the least disturbed round: on this shared machine other work often takes about one
 * core throughout, and then one round's luck would draw the curve (pure: tested on known rounds).
 */
export function reportedRound<R extends { rps: number; foreignCpuPercent: number }>(runs: R[]): R {
  if (!runs.length) throw new Error('no rounds to choose from');
  const quiet = runs.filter((run) => run.foreignCpuPercent < DISTURBED_PERCENT);
  const pool = quiet.length ? quiet : runs;
  return [...pool].sort((a, b) => a.rps - b.rps)[Math.floor((pool.length - 1) / 2)]!;
}

const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(value < 10 ? 2 : 1)} ms` : '–');
const cpuMs = (value: number | null) => (value === null ? '–' : `${value.toFixed(3)} ms`);
const averages = (values: number[]) => values.map((value) => value.toFixed(2)).join(' / ');

/** What the curve says, in numbers: the best point and what each worker added (pure: tested on known points). */
export function readCurve(points: WorkersPoint[]): string {
  if (!points.length) return 'No point was measured.';
  const one = points.find((point) => point.workers === 1) ?? points[0]!;
  const best = points.reduce((top, point) => (point.rps > top.rps ? point : top));
  const steps = points
    .slice(1)
    .map(
      (point, i) =>
        `${points[i]!.workers}→${point.workers}: ${point.rps >= points[i]!.rps ? '+' : '−'}${Math.abs(((point.rps - points[i]!.rps) / points[i]!.rps) * 100).toFixed(0)} %`,
    );
  return `Throughput peaks at ${best.workers} worker${best.workers === 1 ? '' : 's'}: ${Math.round(best.rps)} RPS, ${(best.rps / one.rps).toFixed(2)}× one worker (${Math.round(one.rps)} RPS).${steps.length ? ` Step by step: ${steps.join(', ')}.` : ''}`;
}

export function renderWorkersMarkdown(report: WorkersReport, chartFile: string): string {
  const one = report.points.find((point) => point.workers === 1)?.rps;
  const foreign = report.points.flatMap((point) => point.rounds.map((round) => round.foreignCpuPercent));
  const disturbed = report.points.filter((point) => point.foreignCpuPercent >= DISTURBED_PERCENT);
  const range = (point: WorkersPoint) => {
    const rps = point.rounds.map((round) => Math.round(round.rps));
    const quiet = point.rounds.filter((round) => round.foreignCpuPercent < DISTURBED_PERCENT).length;
    return `${Math.min(...rps)}–${Math.max(...rps)} (${quiet} of ${rps.length} undisturbed)`;
  };
  const env = Object.entries(report.env)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
  return `# RPS vs gateway workers: ${report.scenario.name} (${report.label})

${report.scenario.description}

${report.machine.date} · commit ${report.machine.commit} · ${report.machine.cpu}, ${report.machine.memoryGiB} GiB · Bun ${report.machine.bun}
· load: ${report.load.driver}, ${report.load.connections} connections, ${report.load.durationSec} s per measurement, loopback; the points measured in turn, ${report.load.rounds} round(s) after a warm-up round (${report.load.warmupSec} s per worker: each worker of N sees as many warm-up requests as one process does, JIT and caches per process)
· gateway: \`GATEWAY_WORKERS=N\`${env ? ` with ${env}` : ''}, one gateway per point, all up at once on the same subgraphs, data and Redis

**Machine load.** ${report.cores} cores shared by everything: the load generator, the gateway's workers, the subgraphs, PostgreSQL, Redis, and other people's work. Load average (1 / 5 / 15 min) ${averages(report.loadAverage.start)} when the run started, ${averages(report.loadAverage.end)} when it ended. Other work used ${Math.round(Math.min(...foreign))}–${Math.round(Math.max(...foreign))} % of a core during the measurements${disturbed.length ? `; ${disturbed.map((point) => `${point.workers} worker(s)`).join(', ')} had no undisturbed round (other work under ${DISTURBED_PERCENT} % of a core): the median of all rounds is shown` : ''}. Each measurement waited up to 30 s for a quiet machine; each point shows its median undisturbed round (else its median round), and the RPS range over all its rounds.

| workers | RPS | × 1 worker | RPS range | p50 | p95 | p99 | failures | gateway CPU / request | system CPU / request | cores the gateway kept busy | requests per worker | others' CPU (round) |
|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|--:|
${report.points
  .map(
    (point) =>
      `| ${point.workers} | ${Math.round(point.rps)} | ${one ? `${(point.rps / one).toFixed(2)}×` : '–'} | ${range(point)} | ${ms(point.p50Ms)} | ${ms(point.p95Ms)} | ${ms(point.p99Ms)} | ${point.failures} of ${point.requests} | ${cpuMs(point.gatewayMsPerRequest)} | ${cpuMs(point.systemMsPerRequest)} | ${point.gatewayCores.toFixed(2)} | ${point.workerShares ? point.workerShares.map((share) => `${Math.round(share * 100)} %`).join(' / ') : '–'} | ${Math.round(point.foreignCpuPercent)} % (${point.round}) |`,
  )
  .join('\n')}

${readCurve(report.points)}

![RPS and latency by number of workers](${chartFile})

"Gateway CPU / request" counts the primary and every worker; "requests per worker" is each worker's share of the measured window, from the merged /metrics (\`autograph_gateway_worker_requests_total\`): how the kernel (SO_REUSEPORT) spread the load generator's connections.

## CPU per request by tier

${renderCpuMatrix(report.points.map((point) => ({ name: `${point.workers} worker${point.workers === 1 ? '' : 's'}`, table: point.cpu })))}

Versions: ${Object.entries(report.machine.versions)
    .map(([key, value]) => `${key} ${value}`)
    .join(', ')}.
`;
}

/** The curve as an SVG: RPS (right axis) and latency percentiles (left axis) by number of workers. */
export function renderWorkersChart(report: WorkersReport): string {
  return renderChart(
    `${report.scenario.name} (${report.label}): RPS and latency by number of gateway workers`,
    report.points.map((point) => ({
      second: point.workers,
      requests: point.rps,
      failures: point.failures,
      p50Ms: point.p50Ms,
      p95Ms: point.p95Ms,
      p99Ms: point.p99Ms,
    })),
    { xAxis: { label: 'gateway workers', ticks: report.points.map((point) => String(point.workers)) } },
  );
}

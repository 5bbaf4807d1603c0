import { describe, expect, test } from 'bun:test';
import { cpuTable } from '../lab/cpu/table';
import {
  readCurve,
  reportedRound,
  renderWorkersChart,
  renderWorkersMarkdown,
  type WorkersPoint,
  type WorkersReport,
} from '../lab/commands/workers-report';

const point = (workers: number, rps: number, extra: Partial<WorkersPoint> = {}): WorkersPoint => ({
  workers,
  rps,
  p50Ms: 2,
  p95Ms: 5,
  p99Ms: 9,
  requests: rps * 10,
  failures: 0,
  gatewayMsPerRequest: 0.05,
  systemMsPerRequest: 0.08,
  gatewayCores: 0.9,
  workerShares: workers === 1 ? null : Array.from({ length: workers }, () => 1 / workers),
  foreignCpuPercent: 4,
  round: 1,
  rounds: [{ round: 1, rps, p95Ms: 5, foreignCpuPercent: 4 }],
  cpu: cpuTable([{ name: 'gateway', cpuSec: 5, processes: workers, lost: 0, byGroup: {} }], rps * 10, 10),
  ...extra,
});

describe('RPS vs workers report', () => {
  test('each point reports its median undisturbed round, else its median round', () => {
    const rounds = (...runs: [number, number][]) =>
      runs.map(([rps, foreignCpuPercent]) => ({ rps, foreignCpuPercent }));
    expect(reportedRound(rounds([100, 5], [300, 50], [200, 3], [150, 4])).rps).toBe(150);
    expect(reportedRound(rounds([100, 90], [300, 95], [200, 120])).rps).toBe(200);
    expect(() => reportedRound([])).toThrow();
  });

  test('the reading names the peak and every step, falls included', () => {
    expect(readCurve([point(1, 20_000), point(2, 26_000), point(3, 24_700)])).toBe(
      'Throughput peaks at 2 workers: 26000 RPS, 1.30× one worker (20000 RPS). Step by step: 1→2: +30 %, 2→3: −5 %.',
    );
    expect(readCurve([point(1, 900)])).toBe('Throughput peaks at 1 worker: 900 RPS, 1.00× one worker (900 RPS).');
  });

  test('the report states the machine load, each point against one worker, and the spread over workers', () => {
    const report: WorkersReport = {
      kind: 'workers',
      scenario: { name: 'persisted-hit', description: 'Hot query by hash.' },
      label: 'full chain',
      machine: { date: 'd', commit: 'abc1234', cpu: '2 × cpu', memoryGiB: 24, bun: '1.4.5', versions: {} } as never,
      load: { driver: 'wrk', connections: 64, durationSec: 10, warmupSec: 5, rounds: 3 },
      env: { RESPONSE_CACHE: 'off' },
      loadAverage: { start: [1.5, 2, 2.25], end: [1.75, 2, 2.25] },
      cores: 2,
      points: [
        point(1, 20_000, {
          round: 2,
          rounds: [
            { round: 1, rps: 18_000, p95Ms: 6, foreignCpuPercent: 3 },
            { round: 2, rps: 20_000, p95Ms: 5, foreignCpuPercent: 4 },
            { round: 3, rps: 26_000, p95Ms: 4, foreignCpuPercent: 2 },
          ],
        }),
        point(2, 25_000, {
          workerShares: [0.55, 0.45],
          foreignCpuPercent: 30,
          round: 3,
          rounds: [
            { round: 1, rps: 21_000, p95Ms: 6, foreignCpuPercent: 45 },
            { round: 3, rps: 25_000, p95Ms: 5, foreignCpuPercent: 30 },
          ],
        }),
      ],
    };
    const markdown = renderWorkersMarkdown(report, 'workers-persisted-hit.svg');
    expect(markdown).toContain('with RESPONSE_CACHE=off');
    expect(markdown).toContain(
      'Load average (1 / 5 / 15 min) 1.50 / 2.00 / 2.25 when the run started, 1.75 / 2.00 / 2.25 when it ended.',
    );
    expect(markdown).toContain('Other work used 2–45 % of a core');
    expect(markdown).toContain('2 worker(s) had no undisturbed round (other work under 15 % of a core): the median');
    expect(markdown).toContain('3 round(s) after a warm-up round (5 s per worker');
    expect(markdown).toContain('| 1 | 20000 | 1.00× | 18000–26000 (3 of 3 undisturbed) |');
    expect(markdown).toContain(
      '| 2 | 25000 | 1.25× | 21000–25000 (0 of 2 undisturbed) | 2.00 ms | 5.00 ms | 9.00 ms | 0 of 250000 | 0.050 ms | 0.080 ms | 0.90 | 55 % / 45 % | 30 % (3) |',
    );
    expect(markdown).toContain('| gateway | 0.025 | 0.020 |');
    const chart = renderWorkersChart(report);
    expect(chart).toContain('gateway workers');
    expect(chart).not.toContain('>seconds<');
  });
});

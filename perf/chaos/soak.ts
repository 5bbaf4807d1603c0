import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderChart } from '../lab/chart';
import { RESULTS_DIR } from '../lab/report';
import { processUsage } from '../lab/target';
import { check, noErrors, phaseStats, timeline, type Check, type PhaseStats } from './analysis';
import { startSteadyLoad } from './steady-load';
import type { ChaosSystem } from './system';

const SAMPLE_EVERY_MS = 5_000;
/** Growth allowed after warm-up: resident memory and Redis memory 10 %, descriptors 10 % plus a few. */
const MAX_GROWTH = 0.1;
const FD_SLACK = 4;
const WATCHED = ['gateway', 'catalog', 'offers', 'users', 'reviews', 'search'] as const;

export interface SoakSample {
  atMs: number;
  rssMiB: Record<string, number>;
  fds: Record<string, number>;
  redisUsedMiB: number;
}

export interface SoakReport {
  minutes: number;
  rate: number;
  warmUpMs: number;
  load: PhaseStats;
  samples: SoakSample[];
  /** Per process: after warm-up vs the end (mean of the last three samples each). */
  growth: { name: string; rssStartMiB: number; rssEndMiB: number; fdsStart: number; fdsEnd: number }[];
  redis: { startMiB: number; endMiB: number };
  checks: Check[];
  passed: boolean;
  timeline: ReturnType<typeof timeline>;
}

const openFds = (pid: number | undefined) => {
  try {
    return pid ? readdirSync(`/proc/${pid}/fd`).length : Number.NaN;
  } catch {
    return Number.NaN;
  }
};
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/**
 * The read mix at half the maximum for `minutes`, sampling every process's resident memory and
 * open file descriptors, and the suite's Redis memory. After a warm-up (a quarter of the run, at
 * most a minute), each must stay within 10 % of where it was.
 */
export async function soak(
  chaos: ChaosSystem,
  options: { minutes: number; rate: number; log: (m: string) => void },
): Promise<SoakReport> {
  const durationMs = options.minutes * 60_000;
  const warmUpMs = Math.min(60_000, durationMs / 4);
  const load = startSteadyLoad({ url: chaos.system.gatewayUrl, next: chaos.reads(), rate: options.rate });
  const samples: SoakSample[] = [];
  try {
    while (load.now() < durationMs) {
      await Bun.sleep(Math.min(SAMPLE_EVERY_MS, durationMs - load.now()));
      const sample: SoakSample = { atMs: load.now(), rssMiB: {}, fds: {}, redisUsedMiB: Number.NaN };
      for (const name of WATCHED) {
        const pid = chaos.system.service(name).pid;
        sample.rssMiB[name] = (pid && processUsage(pid)?.rssMiB) || Number.NaN;
        sample.fds[name] = openFds(pid);
      }
      const master = (await chaos.redis.masterAddress().catch(() => '')).split(':')[1];
      const node =
        [chaos.redis.primary, chaos.redis.replica].find((n) => String(n.port) === master) ?? chaos.redis.primary;
      sample.redisUsedMiB = (await node.usedMemory().catch(() => Number.NaN)) / 2 ** 20;
      samples.push(sample);
      options.log(
        `soak ${Math.round(sample.atMs / 1000)} s: gateway ${sample.rssMiB.gateway?.toFixed(0)} MiB, redis ${sample.redisUsedMiB.toFixed(1)} MiB`,
      );
    }
  } finally {
    await load.stop();
  }
  const settled = samples.filter((s) => s.atMs >= warmUpMs);
  const start = settled.slice(0, 3);
  const end = settled.slice(-3);
  const growth = WATCHED.map((name) => ({
    name,
    rssStartMiB: mean(start.map((s) => s.rssMiB[name]!)),
    rssEndMiB: mean(end.map((s) => s.rssMiB[name]!)),
    fdsStart: mean(start.map((s) => s.fds[name]!)),
    fdsEnd: mean(end.map((s) => s.fds[name]!)),
  }));
  const redis = { startMiB: mean(start.map((s) => s.redisUsedMiB)), endMiB: mean(end.map((s) => s.redisUsedMiB)) };
  const within = (from: number, to: number, slack = 0) =>
    Number.isFinite(from) && Number.isFinite(to) && to <= from * (1 + MAX_GROWTH) + slack;
  const checks = [
    noErrors('no failed request during the soak', load.outcomes),
    ...growth.map((g) =>
      check(
        `${g.name} resident memory grows < 10 % after warm-up`,
        within(g.rssStartMiB, g.rssEndMiB),
        `${g.rssStartMiB.toFixed(1)} → ${g.rssEndMiB.toFixed(1)} MiB`,
      ),
    ),
    ...growth.map((g) =>
      check(
        `${g.name} open file descriptors flat`,
        within(g.fdsStart, g.fdsEnd, FD_SLACK),
        `${g.fdsStart.toFixed(0)} → ${g.fdsEnd.toFixed(0)}`,
      ),
    ),
    check(
      'Redis memory bounded (< 10 % growth after warm-up)',
      within(redis.startMiB, redis.endMiB),
      `${redis.startMiB.toFixed(1)} → ${redis.endMiB.toFixed(1)} MiB`,
    ),
  ];
  if (settled.length < 4) checks.push(check('enough samples after warm-up', false, `${settled.length} samples`));
  return {
    minutes: options.minutes,
    rate: options.rate,
    warmUpMs,
    load: phaseStats(load.outcomes),
    samples,
    growth,
    redis,
    checks,
    passed: checks.every((c) => c.pass),
    timeline: timeline(load.outcomes),
  };
}

/** `<name>.json`, `<name>.md` and `<name>.svg`: the load's timeline with each process's memory over it. */
export function writeSoakReport(report: SoakReport, name = 'chaos-soak', dir = RESULTS_DIR) {
  const seconds = report.timeline.samples.length;
  const perSecond = (pick: (s: SoakSample) => number) =>
    Array.from({ length: seconds }, (_, i) => {
      const sample = report.samples.findLast((s) => s.atMs <= (i + 1) * 1000) ?? report.samples[0];
      return sample ? pick(sample) : 0;
    });
  const colors = ['#1971c2', '#9c36b5', '#0b7285', '#5c940d', '#d9480f', '#495057'];
  const chart = renderChart(
    `soak ${report.minutes} min at ${report.rate}/s: requests/s, p95, memory`,
    report.timeline.samples,
    {
      latencies: ['p95'],
      shaded: [{ fromSecond: 0, toSecond: report.warmUpMs / 1000, label: 'warm-up' }],
      counts: [
        ...WATCHED.map((w, i) => ({
          label: `${w} MiB`,
          color: colors[i]!,
          values: perSecond((s) => s.rssMiB[w] ?? 0),
        })),
        { label: 'Redis MiB', color: '#c92a2a', values: perSecond((s) => s.redisUsedMiB) },
      ],
    },
  );
  writeFileSync(join(dir, `${name}.svg`), chart);
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
  const md = `# Soak: ${report.minutes} min at ${report.rate} requests/s (${report.passed ? 'every goal met' : 'GOALS MISSED'})

Read mix (mixed-realistic, varied variables) at half the measured maximum; warm-up ${report.warmUpMs / 1000} s; a sample every ${SAMPLE_EVERY_MS / 1000} s.
${report.load.requests} requests, ${report.load.failed} failed, p95 ${Math.round(report.load.p95Ms)} ms.

| process | RSS after warm-up | RSS at the end | open fds after warm-up | at the end |
|---------|------------------:|---------------:|-----------------------:|-----------:|
${report.growth.map((g) => `| ${g.name} | ${g.rssStartMiB.toFixed(1)} MiB | ${g.rssEndMiB.toFixed(1)} MiB | ${g.fdsStart.toFixed(0)} | ${g.fdsEnd.toFixed(0)} |`).join('\n')}
| Redis (used_memory) | ${report.redis.startMiB.toFixed(1)} MiB | ${report.redis.endMiB.toFixed(1)} MiB | | |

${report.checks.map((c) => `- ${c.pass ? 'pass' : '**FAIL**'}: ${c.name} (${c.detail})`).join('\n')}

![soak timeline](${name}.svg)
`;
  writeFileSync(join(dir, `${name}.md`), md);
}

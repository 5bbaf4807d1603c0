import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadOptions, LoadResult, SecondSample } from '../load-result';
import type { LatencySummary } from '../stats';
import { WRK_REQUESTS, writeWrkFiles } from './script';

/** What the script's `done()` prints after `WRK_RESULT `. */
interface WrkDone {
  requests: number;
  durationUs: number;
  failures: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  latencyUs: { mean: number; max: number; p50: number; p95: number; p99: number };
  perSecond: Record<string, number>;
  failuresPerSecond: Record<string, number>;
  samples: string[];
}

/** wrk's own summary lines (`--latency`), parsed as a check on the script's totals. */
export interface WrkText {
  requests: number | null;
  rps: number | null;
  latencyMs: Record<string, number>;
  non2xx: number;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
}

const toMs = (value: string, unit: string) =>
  Number(value) * ({ us: 0.001, ms: 1, s: 1000, m: 60_000 } as Record<string, number>)[unit]!;

export function parseWrkText(stdout: string): WrkText {
  const latencyMs: Record<string, number> = {};
  for (const [, percent, value, unit] of stdout.matchAll(/^\s+(\d+)%\s+([\d.]+)(us|ms|s|m)\s*$/gm))
    latencyMs[`p${percent}`] = toMs(value!, unit!);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  return {
    requests: Number(/(\d+) requests in/.exec(stdout)?.[1] ?? Number.NaN) || null,
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? Number.NaN) || null,
    latencyMs,
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0),
    socketErrors: {
      connect: Number(socket?.[1] ?? 0),
      read: Number(socket?.[2] ?? 0),
      write: Number(socket?.[3] ?? 0),
      timeout: Number(socket?.[4] ?? 0),
    },
  };
}

export function parseWrkDone(stdout: string): WrkDone {
  const line = stdout.split('\n').find((entry) => entry.startsWith('WRK_RESULT '));
  if (!line) throw new Error(`wrk printed no result line:\n${stdout.slice(-1000)}`);
  return JSON.parse(line.slice('WRK_RESULT '.length)) as WrkDone;
}

/** The lab's load result from wrk's: latency percentiles overall (wrk keeps no per-second or per-operation latency). */
export function wrkLoadResult(done: WrkDone, durationSec: number, operations: string[]): LoadResult {
  const ms = (us: number) => us / 1000;
  const latency: LatencySummary = {
    count: done.requests,
    meanMs: ms(done.latencyUs.mean),
    p50Ms: ms(done.latencyUs.p50),
    p95Ms: ms(done.latencyUs.p95),
    p99Ms: ms(done.latencyUs.p99),
    maxMs: ms(done.latencyUs.max),
  };
  const seconds = Object.keys(done.perSecond).map(Number).sort();
  const perSecond: SecondSample[] = seconds.map((second, index) => ({
    second: index + 1,
    requests: done.perSecond[second] ?? 0,
    failures: done.failuresPerSecond[second] ?? 0,
    p50Ms: Number.NaN,
    p95Ms: Number.NaN,
    p99Ms: Number.NaN,
  }));
  const socketErrors = done.errors.connect + done.errors.read + done.errors.write;
  const failures = done.failures + socketErrors + done.errors.timeout;
  return {
    requests: done.requests + socketErrors + done.errors.timeout,
    failures,
    durationSec: Math.min(done.durationUs / 1e6, durationSec + 1),
    latency,
    perSecond,
    // One operation: its figures are the run's. Several: wrk cannot tell them apart.
    byOperation: operations.length === 1 ? { [operations[0]!]: { requests: done.requests, failures, latency } } : {},
    failureSamples: done.samples.map((sample) => {
      const [status, ...body] = sample.split(' ');
      return {
        operation: operations.length === 1 ? operations[0]! : '(wrk: any)',
        status: Number(status),
        body: body.join(' '),
      };
    }),
    transportErrors: socketErrors,
    timeouts: done.errors.timeout,
    generator: { name: 'wrk', cpuSec: 0, note: 'wrk (C, one thread), its own process' },
  };
}

/**
 * Drives a scenario with wrk: closed model, `connections` in flight, no rate cap (wrk has none:
 * `--rate` needs the autocannon driver). Needs the `wrk` binary (Debian: `apt-get install wrk`).
 */
export async function runWrk(options: LoadOptions, connections: number, durationSec: number): Promise<LoadResult> {
  if (!Bun.which('wrk'))
    throw new Error('the wrk driver needs wrk on PATH (apt-get install -y wrk), or use --driver autocannon');
  const dir = mkdtempSync(join(tmpdir(), 'autograph-wrk-'));
  try {
    const requests = Array.from({ length: WRK_REQUESTS }, () => options.next());
    const script = writeWrkFiles(dir, requests, new URL(options.url).host);
    const wrk = Bun.spawn(
      [
        'wrk',
        '-t1',
        `-c${connections}`,
        `-d${durationSec}s`,
        '--timeout',
        '10s',
        '--latency',
        '-s',
        script,
        options.url,
      ],
      { stdout: 'pipe', stderr: 'pipe' },
    );
    const [stdout, stderr, code] = await Promise.all([
      new Response(wrk.stdout).text(),
      new Response(wrk.stderr).text(),
      wrk.exited,
    ]);
    if (code !== 0) throw new Error(`wrk exited with ${code}: ${stderr.slice(-500)}`);
    const done = parseWrkDone(stdout);
    const result = wrkLoadResult(done, durationSec, [...new Set(requests.map((r) => r.operation))]);
    // wrk's own count includes responses the script saw too: a difference means the script missed some.
    const text = parseWrkText(stdout);
    if (text.requests !== null && text.requests !== done.requests)
      result.generator.note += `; wrk counted ${text.requests} requests, the script ${done.requests}`;
    const usage = wrk.resourceUsage();
    result.generator.cpuSec = usage ? Number(usage.cpuTime.total) / 1e6 : Number.NaN;
    for (const sample of result.perSecond) options.onTick?.(sample, sample.second);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

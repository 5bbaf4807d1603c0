/**
 * The ceiling of any cache hit on this machine: a bare `Bun.serve` process answering one fixed
 * JSON body (the shape and size of the persisted-hit scenario's answer, with its headers), loaded
 * by the lab's own load generator (wrk when installed, as for `bun perf run` and `bun perf workers`)
 * with the scenario's connections. Reports RPS and the server's
 * CPU per request, to set beside `bun perf run persisted-hit` taken minutes before or after.
 *
 *   bun perf/fixed-body-ceiling.ts [--duration 15] [--connections 64]
 *
 * Writes perf/results/run-persisted-hit-ceiling.{json,md,svg}.
 */
import { parseArgs } from 'node:util';
import { defaultDriver, runLoad } from './lab/load';
import { describeMachine } from './lab/machine';
import { buildRunReport, writeRunReport } from './lab/report';
import { evaluateThresholds } from './lab/stats';
import { cpuTable } from './lab/cpu/table';
import { pidTier, startCpuMeter } from './lab/cpu/tiers';
import { getScenario } from './scenarios';

const { values } = parseArgs({
  options: { serve: { type: 'boolean' }, duration: { type: 'string' }, connections: { type: 'string' } },
});

/** About the seeded makes list: 41 makes with an id, a name and a country. */
function fixedBody(): string {
  const countries = ['Germany', 'Japan', 'France', 'Italy', 'United States', 'South Korea', 'Sweden', 'Russia'];
  const makes = Array.from({ length: 41 }, (_, n) => ({
    id: `0190c3a2-7d4e-7b1c-9f${String(n).padStart(2, '0')}-5e8a1c2b3d4f`,
    name: `Make ${n} ${'Motors'.slice(0, 1 + (n % 6))}`,
    country: countries[n % countries.length],
  }));
  return JSON.stringify({ data: { makes } });
}

if (values.serve) {
  const body = fixedBody();
  const headers = {
    'content-type': 'application/graphql-response+json; charset=utf-8',
    etag: 'fixed-body',
    'x-cache': 'HIT',
  };
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response(body, { headers }) });
  console.log(server.port);
} else {
  const scenario = getScenario('persisted-hit');
  const load = {
    connections: Number(values.connections ?? scenario.load.connections),
    durationSec: Number(values.duration ?? 15),
    // The driver the gateway's runs use: the ceiling is only a ceiling under the same generator.
    driver: defaultDriver(undefined),
  };
  const child = Bun.spawn(['bun', import.meta.path, '--serve'], { stdout: 'pipe', stderr: 'inherit' });
  try {
    const reader = child.stdout.getReader();
    const port = Number(new TextDecoder().decode((await reader.read()).value).trim());
    const url = `http://127.0.0.1:${port}`;
    const next = () => ({
      operation: 'fixed-body',
      method: 'GET' as const,
      path: '/graphql?extensions=%7B%7D',
      headers: { accept: 'application/graphql-response+json', 'x-graphql-csrf': '1' },
      expectedErrors: [],
    });
    await runLoad({ url, scenario, next, ...load, durationSec: 3 });
    const meter = await startCpuMeter([pidTier('Bun.serve (fixed body)', [child.pid])]);
    const result = await runLoad({ url, scenario, next, ...load });
    const readings = await meter.stop();
    const report = buildRunReport({
      scenario,
      label: 'ceiling: Bun.serve, fixed body',
      machine: describeMachine(),
      load,
      requests: 'identical',
      result,
      thresholds: evaluateThresholds(scenario.thresholds, result),
      cpu: cpuTable(readings, result.requests, result.durationSec),
    });
    const cpuSec = readings[0]!.cpuSec;
    const files = writeRunReport(report, 'run-persisted-hit-ceiling');
    console.log(
      `Bun.serve fixed body (${fixedBody().length} bytes): ${Math.round(report.rps)} RPS, ` +
        `server CPU ${((cpuSec * 1e6) / result.requests).toFixed(1)} µs per request; report: ${files.markdown}`,
    );
  } finally {
    child.kill();
  }
}

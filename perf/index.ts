/**
 * The performance lab: `bun perf <command>`.
 *
 *   bun perf list                          scenarios and what they measure
 *   bun perf run <scenario> [options]      load a gateway with a scenario; report under perf/results/
 *   bun perf profile <scenario> [options]  CPU by plugin (samples attributed), full vs bare, ablation, flame graph
 *   bun perf compare [--scenario S] [--rounds N]  full chain vs bare vs stock Hive Gateway (Node) vs Apollo Gateway,
 *                                          each with identical requests and with varied variables
 *   bun perf chain [--scenario S] [--rounds N] [--only bare,full]  gateway CPU per request: full chain vs bare
 *                                          and each concern off, measured in pairs, round after round
 *   bun perf workers [--scenario S] [--max N]  RPS vs GATEWAY_WORKERS=1..N on the same system (a curve)
 *   bun perf fanout [--subscribers N] [--events K] [--env K=V]  SSE subscribers one gateway process holds, in steps up
 *                                          to N: opening, deliveries, fan-out latency, gateway RSS and CPU
 *   bun perf k6 [--check]                  (re)generate perf/k6/*.js from the scenarios; --check: fail if stale
 *
 * Run options: --url <gateway> (default http://127.0.0.1:4000, a running `bun start`) or --start
 * (start the system here, on the machine's PostgreSQL and Redis), --duration <s>, --connections <n>,
 * --rate <rps> (autocannon only), --driver wrk|autocannon (default: wrk when installed and no rate), --label <name>, --env KEY=VALUE (gateway variables with --start, repeatable),
 * --registry-url/--registry-token (persisted scenarios against --url), --identical (resend one draw
 * of variables: lets the gateway deduplicate in-flight subgraph requests; for comparison only).
 */
import { parseArgs } from 'node:util';
import { SCENARIOS } from './scenarios';
import { runCommand } from './lab/commands/run';
import { k6Command } from './lab/commands/k6';
import { profileCommand } from './lab/commands/profile';
import { compareCommand } from './lab/commands/compare';
import { chainCommand } from './lab/commands/chain';
import { workersCommand } from './lab/commands/workers';
import { fanoutCommand } from './lab/commands/fanout';

class UsageError extends Error {}

const [command, ...rest] = process.argv.slice(2);
const usage =
  'usage: bun perf <list | run <scenario> | profile <scenario> | compare | chain | workers | k6 [--check]>  (see perf/README.md)';

try {
  switch (command) {
    case 'list':
      for (const scenario of Object.values(SCENARIOS)) {
        const identical = scenario.operations
          .filter((operation) => operation.identical)
          .map((operation) => operation.name);
        console.log(
          `${scenario.name.padEnd(18)} ${scenario.description}${identical.length ? ` [identical on purpose: ${identical.join(', ')}]` : ''}`,
        );
      }
      break;
    case 'run': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          url: { type: 'string' },
          start: { type: 'boolean', default: false },
          duration: { type: 'string' },
          connections: { type: 'string' },
          rate: { type: 'string' },
          label: { type: 'string' },
          env: { type: 'string', multiple: true },
          'registry-url': { type: 'string' },
          'registry-token': { type: 'string' },
          seed: { type: 'string' },
          identical: { type: 'boolean', default: false },
          driver: { type: 'string' },
        },
      });
      if (positionals.length !== 1)
        throw new UsageError(
          'bun perf run <scenario> [--url URL | --start] [--duration S] [--connections N] [--rate RPS] [--driver wrk|autocannon] [--label L] [--env K=V] [--identical]',
        );
      const passed = await runCommand(positionals[0]!, values);
      process.exit(passed ? 0 : 1);
      break;
    }
    case 'profile': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          duration: { type: 'string' },
          connections: { type: 'string' },
          env: { type: 'string', multiple: true },
          config: { type: 'string' },
          'no-ablation': { type: 'boolean', default: false },
          driver: { type: 'string' },
        },
      });
      if (positionals.length !== 1)
        throw new UsageError(
          'bun perf profile <scenario> [--duration S] [--connections N] [--env K=V] [--config gateway.config.ts] [--no-ablation] [--driver wrk|autocannon]',
        );
      await profileCommand(positionals[0]!, { ...values, ablation: !values['no-ablation'] });
      break;
    }
    case 'compare': {
      const { values } = parseArgs({
        args: rest,
        options: {
          scenario: { type: 'string' },
          duration: { type: 'string' },
          connections: { type: 'string' },
          rounds: { type: 'string' },
        },
      });
      await compareCommand(values);
      break;
    }
    case 'chain': {
      const { values } = parseArgs({
        args: rest,
        options: {
          scenario: { type: 'string' },
          rounds: { type: 'string' },
          duration: { type: 'string' },
          connections: { type: 'string' },
          label: { type: 'string' },
          only: { type: 'string' },
        },
      });
      await chainCommand(values);
      break;
    }
    case 'workers': {
      const { values } = parseArgs({
        args: rest,
        options: {
          scenario: { type: 'string' },
          max: { type: 'string' },
          duration: { type: 'string' },
          connections: { type: 'string' },
          env: { type: 'string', multiple: true },
          label: { type: 'string' },
          rounds: { type: 'string' },
        },
      });
      await workersCommand(values);
      break;
    }
    case 'fanout': {
      const { values } = parseArgs({
        args: rest,
        options: {
          subscribers: { type: 'string' },
          events: { type: 'string' },
          out: { type: 'string' },
          env: { type: 'string', multiple: true },
          'cpu-prof': { type: 'string' },
        },
      });
      await fanoutCommand({ ...values, cpuProf: values['cpu-prof'] });
      process.exit(0);
      break;
    }
    case 'k6': {
      const { values } = parseArgs({ args: rest, options: { check: { type: 'boolean', default: false } } });
      process.exit((await k6Command(values.check)) ? 0 : 1);
      break;
    }
    default:
      throw new UsageError(usage);
  }
} catch (error) {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error((error as Error).message);
    process.exit(2);
  }
  console.error(`perf: ${(error as Error).message}`);
  process.exit(1);
}

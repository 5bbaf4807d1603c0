/**
 * A gateway under the plugin-chain profiler: `bun perf/lab/profiler/gateway.ts [--config file]`.
 * Loads any Hive Gateway config module (`export const gatewayConfig`, the stock CLI's convention;
 * default: ours, gateway.config.ts, configured by the environment), times every plugin hook and
 * every phase, and serves the numbers at GET /__profile (POST /__profile resets them).
 */
import { createGatewayRuntime, type GatewayConfig } from '@graphql-hive/gateway';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { announce } from '../../../kit/service';
import { HookRecorder, describePlugin, instrumentPlugin } from './hooks';

const { values } = parseArgs({ options: { config: { type: 'string' } } });
const configFile = resolve(values.config ?? new URL('../../../gateway.config.ts', import.meta.url).pathname);
const { gatewayConfig, gatewayFastPath } = (await import(configFile)) as {
  gatewayConfig: GatewayConfig<Record<string, any>> & { port?: number };
  /** Optional: a function answering some requests before the runtime (ours: the response cache's fast path). */
  gatewayFastPath?: (request: Request) => Promise<Response | null> | null;
};

const recorder = new HookRecorder();
const phases = new HookRecorder();
const requestTimes: number[] = [];

const timePhase = (phase: string) => (_payload: unknown, wrapped: () => any) => {
  const started = performance.now();
  const result = wrapped();
  if (result && typeof result.then === 'function')
    return result.then((value: unknown) => (phases.record('phase', phase, performance.now() - started), value));
  phases.record('phase', phase, performance.now() - started);
  return result;
};

const profilerPlugin = {
  // Runs before Envelop and Yoga collect their hooks: built-in plugins get wrapped here too.
  // (Gateway-level hooks of built-ins — onFetch, onSubgraphExecute — were collected earlier by the
  // runtime; their time shows in the fetch / subgraphExecute phases.)
  onPluginInit({ plugins }: { plugins: object[] }) {
    plugins.forEach((plugin, index) => {
      if (plugin !== profilerPlugin) instrumentPlugin(plugin, describePlugin(plugin, index), recorder);
    });
  },
  instrumentation: Object.fromEntries(
    ['request', 'requestParse', 'operation', 'parse', 'validate', 'context', 'execute', 'subgraphExecute', 'fetch'].map(
      (phase) => [phase, timePhase(phase)],
    ),
  ),
};

const original = gatewayConfig.plugins;
const runtime = createGatewayRuntime({
  ...gatewayConfig,
  plugins: (context) => {
    // The config's own plugins are wrapped before the runtime sees them, so all their hooks count.
    const own = (original?.(context) ?? []) as object[];
    for (const [index, plugin] of own.entries()) instrumentPlugin(plugin, describePlugin(plugin, index), recorder);
    return [profilerPlugin as any, ...own];
  },
} as GatewayConfig<Record<string, any>>);

function snapshot() {
  const hooks = recorder.recorded().map(({ plugin, hook, calls, samples }) => ({ plugin, hook, calls, samples }));
  const phaseList = phases.recorded().map(({ hook, calls, samples }) => ({ phase: hook, calls, samples }));
  return { requests: requestTimes.length, requestTimes, hooks, phases: phaseList, plugins: recorder.plugins };
}

const server = Bun.serve({
  port: Number(process.env.GATEWAY_PORT ?? gatewayConfig.port ?? 4000),
  hostname: '127.0.0.1',
  async fetch(request) {
    if (new URL(request.url).pathname === '/__profile') {
      if (request.method === 'POST') {
        recorder.reset();
        phases.reset();
        requestTimes.length = 0;
        return new Response(null, { status: 204 });
      }
      return Response.json(snapshot());
    }
    const started = performance.now();
    const response = (await gatewayFastPath?.(request)) ?? (await runtime(request));
    requestTimes.push(performance.now() - started);
    return response;
  },
});

const service = { name: 'gateway-profiled', url: `http://127.0.0.1:${server.port}`, stop: async () => {} };
announce(service);
console.log(`profiled gateway on ${service.url} (config ${configFile})`);
const stop = async () => {
  await server.stop();
  await runtime[Symbol.asyncDispose]();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());

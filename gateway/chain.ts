import type { GatewayConfig, GatewayPlugin } from '@graphql-hive/gateway';
import type { GatewayOptions } from './config';
import { caching } from './caching';
import { rateLimit } from './rate-limit';
import { resilience } from './resilience';
import { security } from './security';
import { telemetry } from './telemetry';
import type { ChainDeps, ChainPart } from './concern';

export type { ChainDeps, ChainPart } from './concern';

const PLUGIN_NAME = Symbol.for('autograph.plugin.name');

/**
 * The production chain in the order requests meet it: telemetry sees everything (rejections
 * too), security rejects what must never run, rate limits spend no work on refused clients,
 * the cache answers before anything reaches a subgraph, and resilience wraps subgraph calls.
 */
export function createChain(options: GatewayOptions, deps: ChainDeps): ChainPart[] {
  return [
    telemetry(options.telemetry, deps),
    security(options.security, deps),
    rateLimit(options.rateLimit, deps),
    caching(options.caching, deps),
    resilience(options.resilience, deps),
  ];
}

/** Merges the parts' Hive Gateway settings; two parts owning the same setting is a bug. */
export function mergeChain(parts: ChainPart[]): {
  config: Partial<GatewayConfig<Record<string, any>>>;
  plugins: () => GatewayPlugin<any>[];
} {
  const config: Record<string, unknown> = {};
  const owner: Record<string, string> = {};
  for (const part of parts) {
    for (const [key, value] of Object.entries(part.config ?? {})) {
      if (key in config) throw new Error(`gateway chain: "${key}" is set by both ${owner[key]} and ${part.name}`);
      config[key] = value;
      owner[key] = part.name;
    }
  }
  return {
    config,
    plugins: () =>
      parts.flatMap((part) =>
        (part.plugins?.() ?? []).map((plugin, index) => tag(plugin, `${part.name} ${index + 1}`)),
      ),
  };
}

/** Names each plugin by its concern, for tools that list a chain (the perf lab's profiler). */
function tag<P extends object>(plugin: P, name: string): P {
  if (plugin && !(PLUGIN_NAME in plugin))
    Object.defineProperty(plugin, PLUGIN_NAME, { value: name, enumerable: false });
  return plugin;
}

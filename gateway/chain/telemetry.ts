import { z } from 'zod';
import { useUsageReporting } from '../plugins/use-usage-reporting';
import type { ChainDeps, ChainPart } from './types';

/** Environment of the telemetry concern (metrics, traces, logs, usage reporting). */
export const telemetryEnv = z
  .object({
    /** Report which schema coordinates operations use to the registry (for usage-aware checks). */
    USAGE_REPORTING: z.enum(['on', 'off']).default('on'),
    USAGE_SAMPLE_RATE: z.coerce.number().gt(0, 'must be above 0').max(1, 'must be at most 1').default(1),
    USAGE_FLUSH_INTERVAL_MS: z.coerce.number().int().min(100).default(10_000),
    SUPERGRAPH_FILE: z.string().optional(),
  })
  .transform((raw) => ({
    // Usage goes to the registry the supergraph comes from; a file-fed gateway reports nowhere.
    usage: { enabled: raw.USAGE_REPORTING === 'on' && !raw.SUPERGRAPH_FILE, sampleRate: raw.USAGE_SAMPLE_RATE, flushIntervalMs: raw.USAGE_FLUSH_INTERVAL_MS },
  }));
export type TelemetryOptions = z.infer<typeof telemetryEnv>;

export function telemetry(options: TelemetryOptions, deps: ChainDeps): ChainPart {
  return {
    name: 'telemetry',
    plugins: () => (options.usage.enabled ? [useUsageReporting({ registryUrl: deps.registry.url, target: deps.registry.target, token: deps.registry.token, ...options.usage, logger: deps.logger })] : []),
  };
}

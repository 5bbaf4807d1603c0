import { z } from 'zod';
import type { ChainDeps, ChainPart } from './types';

/** Environment of the resilience concern (breakers, timeouts, retries, deadlines). */
export const resilienceEnv = z.object({}).transform(() => ({}));
export type ResilienceOptions = z.infer<typeof resilienceEnv>;

export function resilience(_options: ResilienceOptions, _deps: ChainDeps): ChainPart {
  return { name: 'resilience' };
}

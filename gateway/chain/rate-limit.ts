import { z } from 'zod';
import type { ChainDeps, ChainPart } from './types';

/** Environment of the rate-limiting concern. */
export const rateLimitEnv = z.object({}).transform(() => ({}));
export type RateLimitOptions = z.infer<typeof rateLimitEnv>;

export function rateLimit(_options: RateLimitOptions, _deps: ChainDeps): ChainPart {
  return { name: 'rate-limit' };
}

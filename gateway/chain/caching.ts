import { z } from 'zod';
import type { ChainDeps, ChainPart } from './types';

/** Environment of the caching concern (response cache, plan cache). */
export const cachingEnv = z.object({}).transform(() => ({}));
export type CachingOptions = z.infer<typeof cachingEnv>;

export function caching(_options: CachingOptions, _deps: ChainDeps): ChainPart {
  return { name: 'caching' };
}

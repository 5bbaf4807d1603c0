import type { Redis } from 'ioredis';
import type { Logger } from '../../kit/log';
import { dropStalledConnection } from '../redis';
import { InMemoryStore } from './in-memory-store';
import type { GatewayMetrics } from '../metrics';
import { createRateLimitMetrics } from './metrics';
import { RedisStore } from './redis-store';
import { RateLimitStoreUnavailable, type Charge, type Decision, type RateLimitStore } from './store';

/**
 * What to do while Redis cannot answer: `local` limits each replica on its own (every replica
 * allows the full budget, so the cluster allows up to replicas x budget), `open` allows everything,
 * `closed` refuses every request (503).
 */
export type RedisDownPolicy = 'local' | 'open' | 'closed';

export const DEFAULT_REDIS_TIMEOUT_MS = 500;

export interface FallbackStoreOptions {
  redis: Redis;
  policy: RedisDownPolicy;
  /** A Redis answer slower than this counts as Redis down for that request. */
  timeoutMs?: number;
  logger: Logger;
  metrics: GatewayMetrics;
}

/**
 * The Redis store with an explicit policy for Redis outages. The gateway's connection does not
 * queue commands while disconnected, so a down Redis is noticed at once (status not `ready`)
 * without waiting; a hung one costs the request that notices it `timeoutMs`, and drops the
 * connection (gateway/redis.ts), so the next ones are decided locally at once. One warning per outage.
 */
export class FallbackStore implements RateLimitStore {
  private readonly shared: RedisStore;
  private readonly local = new InMemoryStore();
  private readonly timeoutMs: number;
  private readonly fallbacks;
  private degraded = false;

  constructor(private readonly options: FallbackStoreOptions) {
    this.shared = new RedisStore(options.redis);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
    this.fallbacks = createRateLimitMetrics(options.metrics).redisFallbacks.labels({ policy: options.policy });
  }

  async consume(charges: Charge[], required = charges.length): Promise<Decision[]> {
    if (this.options.redis.status !== 'ready')
      return this.fallback(charges, required, new Error(`redis ${this.options.redis.status}`));
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const decisions = await Promise.race([
        this.shared.consume(charges, required),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            dropStalledConnection(this.options.redis, this.options.logger);
            reject(new Error(`redis did not answer within ${this.timeoutMs} ms`));
          }, this.timeoutMs);
        }),
      ]);
      if (this.degraded) this.options.logger.info('rate limits shared through redis again');
      this.degraded = false;
      return decisions;
    } catch (error) {
      return this.fallback(charges, required, error);
    } finally {
      clearTimeout(timer);
    }
  }

  dispose() {
    this.local.dispose();
  }

  private fallback(charges: Charge[], required: number, cause: unknown): Decision[] {
    const { policy, logger } = this.options;
    this.fallbacks.inc();
    if (!this.degraded)
      logger.warn(
        { err: (cause as Error).message, policy },
        `rate-limit store unreachable; RATE_LIMIT_REDIS_DOWN=${policy}`,
      );
    this.degraded = true;
    if (policy === 'closed') throw new RateLimitStoreUnavailable(cause);
    if (policy === 'open')
      return charges.map((charge) => ({
        allowed: true,
        limit: charge.limit,
        remaining: charge.limit,
        resetMs: charge.windowMs,
        retryAfterMs: 0,
      }));
    return this.local.consumeNow(charges, required);
  }
}

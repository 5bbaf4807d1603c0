import { z } from 'zod';
import { env } from '../../kit/config';
import {
  DEFAULT_COST_BUDGET,
  DEFAULT_MAX_QUERY_COST,
  DEFAULT_REQUESTS_PER_WINDOW,
  DEFAULT_WINDOW_MS,
  DEFAULT_FIELD_LIMITS,
  useRateLimit,
} from './use-rate-limit';
import { DEFAULT_LIST_SIZE } from './cost';
import { DEFAULT_REDIS_TIMEOUT_MS, FallbackStore } from './fallback-store';
import { addressList, createClientIdentifier, DEFAULT_EXEMPT_ADDRESSES } from './identity';
import { InMemoryStore } from './in-memory-store';
import { DEFAULT_SUBSCRIPTIONS_PER_CLIENT, useSubscriptionLimit } from './use-subscription-limit';
import { parseLimitRules } from './rules';
import type { ChainDeps, ChainPart } from '../concern';

/** `Name=5/60s,...` validated at start, with the wrong entry named. */
const limitRules = (kind: 'operation' | 'field', fallback = '') =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      try {
        return parseLimitRules(text, kind);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    });

/** A comma-separated list of addresses and CIDR ranges, checked at start. */
const addressText = () =>
  z.string().transform((text, ctx) => {
    const entries = text
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    try {
      addressList(entries);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
    return entries;
  });
const addresses = (fallback: string) => z.string().default(fallback).pipe(addressText());

/** 0 switches the limit off. */
const limitOrZero = (fallback: number) => z.coerce.number().int().min(0, 'must be 0 (off) or more').default(fallback);

/** Environment of the rate-limiting concern. */
export const rateLimitEnv = z
  .object({
    /** Switches every limit below off (also the cost estimate). */
    RATE_LIMIT: z.enum(['on', 'off']).default('on'),
    /** Requests per client (verified user, else address) and window, all operations together. */
    RATE_LIMIT_REQUESTS: limitOrZero(DEFAULT_REQUESTS_PER_WINDOW),
    RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(1_000, 'must be at least 1000').default(DEFAULT_WINDOW_MS),
    /** Per-operation budgets per client: `SearchOffers=120/60s,<sha256 of an unnamed operation>=10/1m`. */
    RATE_LIMIT_OPERATIONS: limitRules('operation'),
    /**
     * Per-field budgets per client, partial data when spent. By default sign-in, registration and
     * refresh are limited per client (per address for anonymous callers) against credential
     * stuffing and mass registration; the users subgraph also locks an account after repeated
     * failures, whatever address they come from. An empty value switches these off.
     */
    RATE_LIMIT_FIELDS: limitRules('field', DEFAULT_FIELD_LIMITS),
    /** Estimated query cost per client and window (RATE_LIMIT_WINDOW_MS). */
    RATE_LIMIT_COST_BUDGET: limitOrZero(DEFAULT_COST_BUDGET),
    /** A single operation estimated above this is refused (QUERY_TOO_COMPLEX). */
    MAX_QUERY_COST: limitOrZero(DEFAULT_MAX_QUERY_COST),
    /** Size assumed for a list without first/last/limit in the cost estimate. */
    RATE_LIMIT_DEFAULT_LIST_SIZE: env.positiveInt(DEFAULT_LIST_SIZE),
    /** While Redis is unreachable: local (per-replica limits), open (no limits), closed (503). */
    RATE_LIMIT_REDIS_DOWN: z.enum(['local', 'open', 'closed']).default('local'),
    RATE_LIMIT_REDIS_TIMEOUT_MS: env.positiveInt(DEFAULT_REDIS_TIMEOUT_MS),
    /** Proxies whose X-Forwarded-For names the client: addresses or CIDR ranges, comma-separated. */
    RATE_LIMIT_TRUSTED_PROXIES: addresses(''),
    /**
     * Anonymous clients at these addresses have no budgets. Default: loopback (tests and benchmarks
     * on this host), except in production, where a proxy on the same host would make every
     * anonymous client exempt.
     */
    RATE_LIMIT_EXEMPT_ADDRESSES: addressText().optional(),
    /** Open subscriptions per client on one gateway; 0: no limit. */
    SUBSCRIPTIONS_PER_CLIENT: limitOrZero(DEFAULT_SUBSCRIPTIONS_PER_CLIENT),
    NODE_ENV: z.enum(['production', 'development', 'test']).default('development'),
  })
  .superRefine((raw, ctx) => {
    if (raw.RATE_LIMIT_COST_BUDGET > 0 && raw.MAX_QUERY_COST > raw.RATE_LIMIT_COST_BUDGET) {
      ctx.addIssue({
        code: 'custom',
        path: ['RATE_LIMIT_COST_BUDGET'],
        message: `must be at least MAX_QUERY_COST (${raw.MAX_QUERY_COST}), or an allowed query could never be afforded`,
      });
    }
  })
  .transform((raw) => {
    const window = (limit: number) => (limit > 0 ? { limit, windowMs: raw.RATE_LIMIT_WINDOW_MS } : null);
    return {
      enabled: raw.RATE_LIMIT === 'on',
      requests: window(raw.RATE_LIMIT_REQUESTS),
      operations: raw.RATE_LIMIT_OPERATIONS,
      fields: raw.RATE_LIMIT_FIELDS,
      costBudget: window(raw.RATE_LIMIT_COST_BUDGET),
      maxQueryCost: raw.MAX_QUERY_COST > 0 ? raw.MAX_QUERY_COST : null,
      defaultListSize: raw.RATE_LIMIT_DEFAULT_LIST_SIZE,
      redisDown: raw.RATE_LIMIT_REDIS_DOWN,
      redisTimeoutMs: raw.RATE_LIMIT_REDIS_TIMEOUT_MS,
      trustedProxies: raw.RATE_LIMIT_TRUSTED_PROXIES,
      subscriptionsPerClient: raw.SUBSCRIPTIONS_PER_CLIENT,
      exempt:
        raw.RATE_LIMIT_EXEMPT_ADDRESSES ?? (raw.NODE_ENV === 'production' ? [] : DEFAULT_EXEMPT_ADDRESSES.split(',')),
    };
  });
export type RateLimitOptions = z.infer<typeof rateLimitEnv>;

/**
 * Rate limits shared by every replica through Redis (atomic sliding windows), or per process
 * without REDIS_URL. See use-rate-limit.ts.
 */
export function rateLimit(options: RateLimitOptions, deps: ChainDeps): ChainPart {
  if (!options.enabled) return { name: 'rate-limit' };
  const store = deps.redis
    ? new FallbackStore({
        redis: deps.redis,
        policy: options.redisDown,
        timeoutMs: options.redisTimeoutMs,
        logger: deps.logger,
        metrics: deps.metrics,
      })
    : new InMemoryStore();
  const identify = createClientIdentifier({
    trustedProxies: options.trustedProxies,
    exempt: options.exempt,
    onUnknownAddress: () =>
      deps.logger.warn(
        'client address unknown (the HTTP server passes no remoteAddress): anonymous requests are not rate limited',
      ),
    onUntrustedForwarder: (peer) =>
      deps.logger.warn(
        { peer },
        'an exempt peer forwards X-Forwarded-For: if it is a proxy, list it in RATE_LIMIT_TRUSTED_PROXIES, or its clients go unlimited',
      ),
  });
  return {
    name: 'rate-limit',
    plugins: () => [
      useRateLimit({
        store,
        metrics: deps.metrics,
        keyPrefix: `${deps.redisKeyPrefix}rate-limit:`,
        identify,
        requests: options.requests,
        operations: options.operations,
        fields: options.fields,
        costBudget: options.costBudget,
        maxQueryCost: options.maxQueryCost,
        defaultListSize: options.defaultListSize,
      }),
      ...(options.subscriptionsPerClient > 0
        ? [useSubscriptionLimit({ maxPerClient: options.subscriptionsPerClient, identify })]
        : []),
    ],
    dispose: async () => store.dispose?.(),
  };
}

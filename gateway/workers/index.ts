import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { crashLoopEnv } from '../../kit/supervisor';

/** More would not fit any machine this gateway runs on, and each worker holds its own caches. */
export const MAX_WORKERS = 64;

/** The secret a worker's siblings send to read its metrics: 32 random bytes, base64url. */
const MIN_SECRET_LENGTH = 32;

/** `GATEWAY_WORKERS`: a whole number of processes, or `auto` (one per core this process may use). */
const workerCount = z
  .string()
  .default('1')
  .transform((value, ctx) => {
    if (value === 'auto') return Math.min(availableParallelism(), MAX_WORKERS);
    const count = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (count >= 1 && count <= MAX_WORKERS) return count;
    ctx.addIssue({
      code: 'custom',
      message: `must be a whole number from 1 to ${MAX_WORKERS}, or "auto" (one per CPU core: ${availableParallelism()} here)`,
    });
    return z.NEVER;
  });

/**
 * Environment of the process model. GATEWAY_WORKERS above 1 makes `bun gateway/main.ts` a primary
 * that runs that many worker processes of itself on the same port (gateway/workers/primary.ts).
 * The primary hands each worker the GATEWAY_WORKER_* variables below; nobody else sets them.
 */
export const workersEnv = z
  .object({
    GATEWAY_WORKERS: workerCount,
    /** A worker crashing this often within the window stops the gateway (the same variables as `bun start`'s). */
    ...crashLoopEnv,
    /** Set by the primary: which worker this process is, 1..GATEWAY_WORKERS. */
    GATEWAY_WORKER_INDEX: z.coerce.number().int().min(1).max(MAX_WORKERS).optional(),
    /** Set by the primary: each worker's internal metrics port on 127.0.0.1, in worker order. */
    GATEWAY_WORKER_METRICS_PORTS: z
      .string()
      .regex(/^\d{1,5}(,\d{1,5})*$/, 'must be comma-separated port numbers')
      .transform((list) => list.split(',').map(Number))
      .optional(),
    /** Set by the primary: what a worker's siblings send to read its metrics (random per run). */
    GATEWAY_WORKER_SECRET: z.string().min(MIN_SECRET_LENGTH).optional(),
  })
  .superRefine((raw, ctx) => {
    if (raw.GATEWAY_WORKER_INDEX === undefined) return;
    const issue = (name: string, message: string) => ctx.addIssue({ code: 'custom', path: [name], message });
    if (raw.GATEWAY_WORKER_INDEX > raw.GATEWAY_WORKERS)
      issue('GATEWAY_WORKER_INDEX', `must be at most GATEWAY_WORKERS (${raw.GATEWAY_WORKERS})`);
    if (raw.GATEWAY_WORKER_METRICS_PORTS?.length !== raw.GATEWAY_WORKERS)
      issue('GATEWAY_WORKER_METRICS_PORTS', `must list one port per worker (${raw.GATEWAY_WORKERS})`);
    if (raw.GATEWAY_WORKER_SECRET === undefined)
      issue('GATEWAY_WORKER_SECRET', 'must be set with GATEWAY_WORKER_INDEX');
  })
  .transform((raw) => ({
    count: raw.GATEWAY_WORKERS,
    restart: { maxCrashes: raw.CRASH_LOOP_MAX_CRASHES, crashWindowMs: raw.CRASH_LOOP_WINDOW_MS },
    /** This process is one of the primary's workers; null: a primary, or the only process. */
    worker:
      raw.GATEWAY_WORKER_INDEX === undefined
        ? null
        : {
            index: raw.GATEWAY_WORKER_INDEX,
            metricsPorts: raw.GATEWAY_WORKER_METRICS_PORTS!,
            secret: raw.GATEWAY_WORKER_SECRET!,
          },
  }));
export type WorkersOptions = z.infer<typeof workersEnv>;
export type WorkerOptions = NonNullable<WorkersOptions['worker']>;

/**
 * Why these settings cannot run several workers, or null. Each worker keeps its response cache
 * and rate-limit counters in its own memory unless Redis holds them: a mutation would evict the
 * cache of one worker only (the others keep serving the old answer), and a client would get one
 * budget per worker. With Redis every worker shares them as replicas do (the L1 in each worker
 * is kept coherent by the invalidation bus).
 */
export function workersProblem(options: {
  workers: WorkersOptions;
  redis: { target: unknown };
  responseCache: boolean;
  rateLimit: boolean;
}): string | null {
  const { count } = options.workers;
  if (count === 1 || options.redis.target) return null;
  const kept = [
    options.responseCache ? 'its own response cache (a mutation would evict it in one worker only)' : null,
    options.rateLimit ? `its own rate-limit counters (a client would get ${count} times its budget)` : null,
  ].filter(Boolean);
  if (!kept.length) return null;
  const off = [options.responseCache ? 'RESPONSE_CACHE=off' : null, options.rateLimit ? 'RATE_LIMIT=off' : null];
  return `${count} workers need Redis (REDIS_URL, or REDIS_SENTINELS with it): without it each worker keeps ${kept.join(' and ')}. Set REDIS_URL, or ${off.filter(Boolean).join(' and ')}`;
}

import type { RedisOptions } from 'ioredis';
import { z } from 'zod';
import { env } from './config';
import { redactUrl } from './db';

/** A Sentinel-managed primary: the group name the sentinels monitor, and where they listen. */
export interface RedisSentinel {
  name: string;
  nodes: { host: string; port: number }[];
}

/**
 * Where a process finds Redis. `url` always comes from REDIS_URL; with `sentinel` its credentials,
 * database and TLS are used, while its host and port are not: the sentinels say where the primary
 * is, and are asked again after every disconnect, so clients follow a failover.
 */
export interface RedisTarget {
  url: string;
  sentinel?: RedisSentinel;
}

/** Sentinel's own default port, used for a REDIS_SENTINELS entry without one. */
export const DEFAULT_SENTINEL_PORT = 26379;

const SENTINEL_ENTRY = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9.-]+))(?::(\d{1,5}))?$/i;

/** `host:port,host:port` (IPv6 as `[::1]:26379`) as nodes, or the first entry that is not one. */
function parseSentinelNodes(list: string): RedisSentinel['nodes'] | { problem: string } {
  const nodes: RedisSentinel['nodes'] = [];
  for (const entry of list.split(',').map((part) => part.trim())) {
    const match = SENTINEL_ENTRY.exec(entry);
    const port = match?.[3] === undefined ? DEFAULT_SENTINEL_PORT : Number(match[3]);
    if (!match || port < 1 || port > 65535)
      return { problem: `"${entry}" is not host:port (e.g. 10.0.0.5:26379 or [::1]:26379)` };
    nodes.push({ host: (match[1] ?? match[2])!, port });
  }
  return nodes;
}

/**
 * REDIS_URL, REDIS_SENTINELS and REDIS_SENTINEL_NAME, checked together: every service that talks
 * to Redis joins this schema to its own (`.and(redisEnv)`) and reads the result with `redisTarget`.
 */
export const redisEnv = z
  .object({
    REDIS_URL: env.redisUrl().optional(),
    REDIS_SENTINELS: z
      .string()
      .optional()
      .superRefine((value, ctx) => {
        const nodes = value === undefined ? [] : parseSentinelNodes(value);
        if ('problem' in nodes) ctx.addIssue({ code: 'custom', message: nodes.problem });
      }),
    REDIS_SENTINEL_NAME: z
      .string()
      .regex(/^[\w.-]{1,128}$/, 'must be the master group name the sentinels monitor (letters, digits, ".", "-", "_")')
      .optional(),
  })
  .superRefine((raw, ctx) => {
    const issue = (name: string, message: string) => ctx.addIssue({ code: 'custom', path: [name], message });
    if (raw.REDIS_SENTINELS !== undefined && raw.REDIS_SENTINEL_NAME === undefined)
      issue('REDIS_SENTINEL_NAME', 'must be set with REDIS_SENTINELS: the master group name the sentinels monitor');
    if (raw.REDIS_SENTINEL_NAME !== undefined && raw.REDIS_SENTINELS === undefined)
      issue('REDIS_SENTINELS', 'must be set with REDIS_SENTINEL_NAME: comma-separated host:port of the sentinels');
    if (raw.REDIS_SENTINELS !== undefined && raw.REDIS_URL === undefined)
      issue(
        'REDIS_URL',
        'must be set with REDIS_SENTINELS: it gives the password, database and TLS (e.g. redis://:secret@primary/0)',
      );
  });

export type RedisEnv = z.infer<typeof redisEnv>;

/** The validated variables as a target, or undefined when Redis is not configured. */
export function redisTarget(raw: RedisEnv): RedisTarget | undefined {
  if (raw.REDIS_URL === undefined) return undefined;
  if (raw.REDIS_SENTINELS === undefined || raw.REDIS_SENTINEL_NAME === undefined) return { url: raw.REDIS_URL };
  const nodes = parseSentinelNodes(raw.REDIS_SENTINELS);
  if ('problem' in nodes) throw new Error(`REDIS_SENTINELS: ${nodes.problem}`);
  return { url: raw.REDIS_URL, sentinel: { name: raw.REDIS_SENTINEL_NAME, nodes } };
}

/** The variables that hand `target` to a child process (the inverse of `redisTarget`). */
export function redisTargetEnv(target: RedisTarget | undefined): RedisEnv {
  const node = ({ host, port }: { host: string; port: number }) => `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    REDIS_URL: target?.url,
    REDIS_SENTINELS: target?.sentinel?.nodes.map(node).join(','),
    REDIS_SENTINEL_NAME: target?.sentinel?.name,
  };
}

/** For messages and logs: the URL without its password, or the sentinels and their group. */
export function describeRedisTarget(target: RedisTarget): string {
  if (!target.sentinel) return redactUrl(target.url);
  return `sentinels ${redisTargetEnv(target).REDIS_SENTINELS} (group ${target.sentinel.name})`;
}

/**
 * ioredis options for `target` (also BullMQ's `connection`), with `tuning` on top. With sentinels
 * the client asks them for the primary on every (re)connect and drops its connection as soon as a
 * sentinel announces a new primary (`failoverDetector`), instead of waiting for the old one to
 * time out. The sentinels themselves are reached without password or TLS.
 */
export function redisOptions(target: RedisTarget, tuning: RedisOptions = {}): RedisOptions {
  const url = new URL(target.url);
  const tls = url.protocol === 'rediss:' ? {} : undefined;
  const common: RedisOptions = {
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
    tls,
  };
  const where: RedisOptions = target.sentinel
    ? {
        sentinels: target.sentinel.nodes,
        name: target.sentinel.name,
        enableTLSForSentinelMode: tls !== undefined,
        failoverDetector: true,
        // Between a primary's death and the sentinels' vote they still name it: ask again soon.
        sentinelRetryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
      }
    : { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 6379) };
  return { ...common, ...where, reconnectOnError: reconnectOnReadOnly, ...tuning };
}

/**
 * A connection left on a node that became a replica (a failover the client did not see: it
 * reconnected to the old primary in the moment it was back and still named primary) gets READONLY
 * for every write, and a BullMQ worker would loop on that error for ever. Reconnecting asks the
 * sentinels (or DNS) again and resends the command (2), as ioredis's documentation advises.
 */
const reconnectOnReadOnly = (error: Error): 2 | false => (error.message.startsWith('READONLY') ? 2 : false);

/**
 * For connections that serve requests (gateway store, catalog cache, probes): a command fails at
 * once while Redis is unreachable instead of queueing until it returns, and one that Redis does
 * not answer fails after `commandTimeout`, so the caller degrades (uncached, local limits) rather
 * than hold the request. Reconnects are retried every 0.2-1 s, for ever.
 */
export const FAIL_FAST: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 2_000,
  commandTimeout: 2_000,
  retryStrategy: (attempt) => Math.min(attempt * 200, 1_000),
};

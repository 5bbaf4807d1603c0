import { and, eq, inArray, sql } from 'drizzle-orm';
import { createHmac, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import pRetry, { AbortError } from 'p-retry';
import { resolveAllowedAddress, type HostAllowList, type LookupAll } from '../kit/host-allow-list';
import type { Logger } from '../kit/log';
import type { Database } from '../kit/db';
import { deliveries, webhooks, type tables, type WebhookEvent } from './db/schema';

type Db = Database<typeof tables>['db'];

export const WEBHOOK_EVENTS: WebhookEvent[] = ['version.published', 'check.failed'];

export interface RetryPolicy {
  /** Attempts after the first one. */
  retries: number;
  minDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
}

const DEFAULT_RETRY: RetryPolicy = { retries: 6, minDelayMs: 1_000, maxDelayMs: 60_000, timeoutMs: 10_000 };

export interface WebhookOptions {
  retry?: RetryPolicy;
  /** Checked again at every attempt (the list may have changed since the webhook was added). Default: any host. */
  allowedHosts?: HostAllowList;
  /** Resolves a host name to its addresses (default: the system resolver); tests stand in for DNS with it. */
  lookup?: LookupAll;
  /** How often pending deliveries whose lease ran out (their replica stopped) are taken over; default 30 s. */
  sweepMs?: number;
}

/** Thrown when another replica took a delivery over: this one stops without touching the row. */
class LeaseLost extends Error {}

/**
 * The signature receivers verify: HMAC-SHA256 over "<timestamp>.<body>" with the webhook's secret.
 * The timestamp is inside the MAC so a captured delivery cannot be replayed later as fresh.
 */
export function signWebhook(secret: string, timestamp: string, body: string) {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Webhooks on new versions and failed checks. Every event is first written as a pending delivery
 * row (so none is lost if the process stops), then POSTed with retries, exponential backoff and
 * jitter (p-retry); the row ends `delivered` or `failed` with the attempts and the last error.
 * Pending rows left by a stopped process are resumed at start.
 *
 * Each attempt checks the URL's host against the allow-list, resolves it, refuses link-local and
 * cloud metadata addresses, and connects to the very address it checked (so a name cannot
 * resolve to something else between the check and the request); redirects are not followed.
 * Logs and errors name the webhook's id and host, never its URL.
 */
export function createWebhooks(db: Db, logger: Logger, options: WebhookOptions = {}) {
  const retry = options.retry ?? DEFAULT_RETRY;
  const inFlight = new Set<Promise<void>>();
  // A delivery belongs to the replica holding its lease. The lease outlasts one attempt and the
  // longest wait before the next, and is renewed before each attempt: a live replica never loses
  // one, a stopped replica's deliveries are taken over once it runs out.
  const owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const leaseSeconds = Math.ceil((2 * (retry.timeoutMs + retry.maxDelayMs)) / 1000) + 5;
  const leaseUntil = sql`now() + make_interval(secs => ${leaseSeconds})`;
  const renew = async (id: number) => {
    const rows = await db
      .update(deliveries)
      .set({ leasedUntil: leaseUntil })
      .where(and(eq(deliveries.id, id), eq(deliveries.leasedBy, owner), eq(deliveries.status, 'pending')))
      .returning({ id: deliveries.id });
    if (rows.length === 0) throw new LeaseLost(`delivery ${id} was taken over by another replica`);
  };
  let sweeper: ReturnType<typeof setInterval> | null = null;
  const mine = (id: number) => and(eq(deliveries.id, id), eq(deliveries.leasedBy, owner));

  /** The request to send for one attempt: to the checked address, with the URL's own Host and TLS name. */
  async function destination(hook: typeof webhooks.$inferSelect) {
    const url = new URL(hook.url);
    const refused = options.allowedHosts?.check(url) ?? null;
    if (refused) throw new AbortError(`refused: ${refused.message} (REGISTRY_ALLOWED_WEBHOOK_HOSTS)`);
    const resolved = await resolveAllowedAddress(url, options.lookup);
    if ('reason' in resolved) throw new AbortError(`refused: ${resolved.message}`);
    const pinned = new URL(url);
    pinned.hostname = isIP(resolved.address) === 6 ? `[${resolved.address}]` : resolved.address;
    const tls =
      url.protocol === 'https:' && !isIP(url.hostname.replace(/^\[|\]$/g, ''))
        ? { serverName: url.hostname }
        : undefined;
    return { url: pinned.toString(), host: url.host, tls };
  }

  async function deliver(delivery: typeof deliveries.$inferSelect, hook: typeof webhooks.$inferSelect) {
    const body = JSON.stringify({
      id: delivery.id,
      event: delivery.event,
      target: hook.target,
      createdAt: delivery.createdAt,
      data: delivery.payload,
    });
    const host = new URL(hook.url).host;
    let attempts = delivery.attempts;
    try {
      await pRetry(
        async () => {
          await renew(delivery.id).catch((error) => {
            throw error instanceof LeaseLost ? new AbortError(error) : error;
          });
          attempts++;
          const to = await destination(hook);
          const timestamp = String(Math.floor(Date.now() / 1000));
          const response = await fetch(to.url, {
            method: 'POST',
            redirect: 'manual',
            tls: to.tls,
            headers: {
              host: to.host,
              'content-type': 'application/json',
              'user-agent': 'autograph-registry',
              'x-autograph-event': delivery.event,
              'x-autograph-delivery': String(delivery.id),
              'x-autograph-timestamp': timestamp,
              'x-autograph-signature': signWebhook(hook.secret, timestamp, body),
            },
            body,
            signal: AbortSignal.timeout(retry.timeoutMs),
          });
          await response.body?.cancel();
          if (response.ok) return;
          // A redirect could lead anywhere, past every check above: it fails the delivery.
          if (response.status >= 300 && response.status < 400)
            throw new AbortError(`receiver answered HTTP ${response.status}; redirects are not followed`);
          const error = new Error(`receiver answered HTTP ${response.status}`);
          // A receiver that rejects the request itself will reject it again: stop. Timeouts and
          // throttling (408, 429) and server errors are worth another attempt.
          if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429)
            throw new AbortError(error);
          throw error;
        },
        {
          retries: retry.retries,
          minTimeout: retry.minDelayMs,
          maxTimeout: retry.maxDelayMs,
          factor: 2,
          randomize: true,
        },
      );
      await db
        .update(deliveries)
        .set({ status: 'delivered', attempts, deliveredAt: new Date(), lastError: null, leasedUntil: null })
        .where(mine(delivery.id));
    } catch (error) {
      if (error instanceof LeaseLost) {
        logger.info({ webhook: hook.id, delivery: delivery.id }, 'webhook delivery taken over by another replica');
        return;
      }
      const message = redact((error as Error).message, hook.url);
      logger.warn({ webhook: hook.id, host, delivery: delivery.id, attempts, err: message }, 'webhook delivery failed');
      await db
        .update(deliveries)
        .set({ status: 'failed', attempts, lastError: message, leasedUntil: null })
        .where(mine(delivery.id));
    }
  }

  function start(delivery: typeof deliveries.$inferSelect, hook: typeof webhooks.$inferSelect) {
    const job = deliver(delivery, hook).catch((error) => logger.error({ err: error }, 'webhook bookkeeping failed'));
    inFlight.add(job);
    void job.finally(() => inFlight.delete(job));
  }

  return {
    async add(target: string, url: string, events: WebhookEvent[], secret = randomBytes(24).toString('base64url')) {
      const [row] = await db.insert(webhooks).values({ target, url, events, secret }).returning();
      return row!;
    },

    list: (target: string) =>
      db
        .select({ id: webhooks.id, url: webhooks.url, events: webhooks.events, createdAt: webhooks.createdAt })
        .from(webhooks)
        .where(eq(webhooks.target, target))
        .orderBy(webhooks.id),

    async remove(target: string, id: number) {
      return (
        (
          await db
            .delete(webhooks)
            .where(and(eq(webhooks.target, target), eq(webhooks.id, id)))
            .returning({ id: webhooks.id })
        ).length > 0
      );
    },

    deliveries: (target: string, id: number, limit = 50) =>
      db
        .select({
          id: deliveries.id,
          event: deliveries.event,
          status: deliveries.status,
          attempts: deliveries.attempts,
          lastError: deliveries.lastError,
          createdAt: deliveries.createdAt,
          deliveredAt: deliveries.deliveredAt,
        })
        .from(deliveries)
        .innerJoin(webhooks, eq(webhooks.id, deliveries.webhookId))
        .where(and(eq(webhooks.target, target), eq(deliveries.webhookId, id)))
        .orderBy(sql`${deliveries.id} desc`)
        .limit(limit),

    /** Queues `event` for every webhook of the target that subscribed to it; never throws. */
    async emit(target: string, event: WebhookEvent, payload: Record<string, unknown>) {
      try {
        const hooks = await db
          .select()
          .from(webhooks)
          .where(and(eq(webhooks.target, target), sql`${event} = any(${webhooks.events})`));
        if (hooks.length === 0) return;
        const rows = await db
          .insert(deliveries)
          .values(
            hooks.map((hook) => ({ webhookId: hook.id, event, payload, leasedBy: owner, leasedUntil: leaseUntil })),
          )
          .returning();
        for (const [i, row] of rows.entries()) start(row, hooks[i]!);
      } catch (error) {
        logger.error({ err: error, target, event }, 'could not queue webhook deliveries');
      }
    },

    /**
     * Takes over pending deliveries nobody holds (left by a stopped process, or a replica whose
     * lease ran out) and delivers them. Replicas sweeping at once each claim different rows
     * (`for update skip locked`), so each delivery is sent by one of them.
     */
    async resume() {
      const claimed = await db.execute<{ id: number }>(sql`
        update registry.webhook_deliveries set leased_by = ${owner}, leased_until = ${leaseUntil}
        where id in (
          select id from registry.webhook_deliveries
          where status = 'pending' and (leased_until is null or leased_until < now())
          for update skip locked)
        returning id`);
      if (claimed.length === 0) return 0;
      const rows = await db
        .select()
        .from(deliveries)
        .innerJoin(webhooks, eq(webhooks.id, deliveries.webhookId))
        .where(
          inArray(
            deliveries.id,
            claimed.map((row) => row.id),
          ),
        );
      for (const row of rows) start(row.webhook_deliveries, row.webhooks);
      return rows.length;
    },

    /** Sweeps for deliveries to take over every `sweepMs` until `drain`. */
    sweep() {
      sweeper ??= setInterval(() => {
        this.resume()
          .then((count) => count && logger.info({ deliveries: count }, 'took over pending webhook deliveries'))
          .catch((error) => logger.warn({ err: (error as Error).message }, 'webhook sweep failed'));
      }, options.sweepMs ?? 30_000);
      sweeper.unref();
    },

    /** Waits for in-flight deliveries (graceful stop, tests). */
    async drain() {
      if (sweeper) clearInterval(sweeper);
      sweeper = null;
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
  };
}

export type Webhooks = ReturnType<typeof createWebhooks>;

/** An HTTP client's message may quote the URL it was given (also the pinned one): keep its host only. */
function redact(message: string, url: string) {
  const { pathname, search } = new URL(url);
  const secretPart = `${pathname}${search}`;
  const withoutUrl = message.split(url).join(new URL(url).host);
  return secretPart.length > 1 ? withoutUrl.split(secretPart).join('/…') : withoutUrl;
}

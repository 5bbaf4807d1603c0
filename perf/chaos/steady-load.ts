import { assertLoopback } from '../lab/load';
import type { PreparedRequest } from '../lab/requests';

/** What one request of the steady load saw. Times are milliseconds since the load started. */
export interface Outcome {
  sentAt: number;
  latencyMs: number;
  operation: string;
  /** HTTP status; 0 when no response came (refused, reset, timed out). */
  status: number;
  /** GraphQL errors the operation does not expect, by code and the subgraph they name. */
  errors: { code: string; service?: string; reason?: string; retryable?: boolean }[];
  /** `data` missing or null: the whole answer was lost, not only some fields. */
  dataLost: boolean;
  /** The response's `x-cache` header (HIT or MISS), if any. */
  cache?: string;
  /** Whether the response carried the rate limiter's `RateLimit-Limit` header. */
  rateLimited: boolean;
}

export interface SteadyLoadOptions {
  url: string;
  next: () => PreparedRequest;
  /** Requests per second, sent on schedule whatever the answers (open model). */
  rate: number;
  /** Requests in flight at most; a send finding this many waiting is counted as lost (status 0). */
  maxInFlight?: number;
  timeoutMs?: number;
  /** Sees every answered request's data, and the request (e.g. to keep acknowledged ids by idempotency key). */
  inspect?: (operation: string, data: Record<string, any>, errors: Outcome['errors'], request: PreparedRequest) => void;
}

export interface SteadyLoad {
  readonly startedAt: number;
  /** Milliseconds since the load started. */
  now(): number;
  outcomes: Outcome[];
  /** Stops sending and waits for the requests in flight. */
  stop(): Promise<Outcome[]>;
}

/**
 * A steady load at a fixed rate for fault injection. Unlike the lab's closed-model load
 * (perf/lab/load.ts, each connection waits for its answer), requests keep being sent on schedule
 * while a fault slows answers down, so a hung subgraph cannot hide its effect by slowing the
 * load itself, and every second has the same number of chances to fail.
 */
export function startSteadyLoad(options: SteadyLoadOptions): SteadyLoad {
  assertLoopback(options.url);
  const base = options.url.replace(/\/$/, '');
  const maxInFlight = options.maxInFlight ?? 256;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const startedAt = performance.now();
  const now = () => performance.now() - startedAt;
  const outcomes: Outcome[] = [];
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  let stopped = false;

  async function send(prepared: PreparedRequest) {
    const sentAt = now();
    const outcome: Outcome = {
      sentAt,
      latencyMs: 0,
      operation: prepared.operation,
      status: 0,
      errors: [],
      dataLost: true,
      rateLimited: false,
    };
    try {
      const response = await fetch(`${base}${prepared.path}`, {
        method: prepared.method,
        headers: prepared.headers,
        body: prepared.body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      outcome.status = response.status;
      outcome.cache = response.headers.get('x-cache') ?? undefined;
      outcome.rateLimited = response.headers.has('ratelimit-limit');
      const text = await response.text();
      const body = JSON.parse(text) as { data?: Record<string, any> | null; errors?: any[] };
      outcome.errors = (body.errors ?? [])
        .map((error) => ({
          code: String(error?.extensions?.code ?? 'UNCODED'),
          service: error?.extensions?.serviceName,
          reason: error?.extensions?.reason,
          retryable: error?.extensions?.retryable,
        }))
        .filter((error) => !prepared.expectedErrors.includes(error.code));
      outcome.dataLost = body.data == null;
      if (body.data) options.inspect?.(prepared.operation, body.data, outcome.errors, prepared);
    } catch (error) {
      if (outcome.status === 0)
        outcome.errors = [{ code: (error as Error).name === 'TimeoutError' ? 'CLIENT_TIMEOUT' : 'NO_RESPONSE' }];
      // Not JSON: say whose answer it was (a balancer's error page carries its own status).
      else outcome.errors = [{ code: `UNPARSABLE_BODY_HTTP_${outcome.status}` }];
    }
    outcome.latencyMs = now() - sentAt;
    outcomes.push(outcome);
  }

  const loop = (async () => {
    const intervalMs = 1000 / options.rate;
    while (!stopped) {
      const dueAt = sent * intervalMs;
      const wait = dueAt - now();
      if (wait > 0) await Bun.sleep(wait);
      if (stopped) break;
      sent++;
      const prepared = options.next();
      if (inFlight.size >= maxInFlight) {
        outcomes.push({
          sentAt: now(),
          latencyMs: 0,
          operation: prepared.operation,
          status: 0,
          errors: [{ code: 'NOT_SENT_BACKLOG' }],
          dataLost: true,
          rateLimited: false,
        });
        continue;
      }
      const request = send(prepared).finally(() => inFlight.delete(request));
      inFlight.add(request);
    }
  })();

  return {
    startedAt,
    now,
    outcomes,
    async stop() {
      stopped = true;
      await loop;
      await Promise.all(inFlight);
      return outcomes.sort((a, b) => a.sentAt - b.sentAt);
    },
  };
}

import { timingSafeEqual } from 'node:crypto';
import type { Logger } from '../../../kit/log';
import { withTimeout } from '../../../kit/timeout';
import type { SubgraphName } from '../subgraph-config';

/**
 * Account erasure, the peers' side. `deleteMyAccount` (users) anonymises the account and writes
 * one pending row per peer subgraph in its outbox (users.erasure_deliveries) in the same
 * transaction. Each peer's worker asks users for the erasures it has not applied
 * (GET /internal/erasures?service=<name>), applies each one (idempotent: applying twice changes
 * nothing more) and acknowledges it (POST /internal/erasures/ack). The peers pull rather than
 * users pushing because every subgraph already knows where users is (USERS_URL) and users starts
 * first, before any peer has an address: a peer that was down when the account was deleted
 * catches up when it is back, and `erasureStatus` shows which peers are still to answer.
 */
export interface ErasureTask {
  requestId: string;
  userId: string;
}

export const ERASURE_PATH = '/internal/erasures';
export const INTERNAL_TOKEN_HEADER = 'x-internal-token';
/** The peers that hold data about an account besides users itself. */
export const ERASURE_PEERS = ['offers', 'reviews', 'search', 'catalog'] as const satisfies SubgraphName[];
export type ErasurePeer = (typeof ERASURE_PEERS)[number];

const REQUEST_TIMEOUT_MS = 5_000;
const MAX_BACKOFF_MS = 60_000;

/** Whether a request carries the internal token (compared in constant time). */
export function hasInternalToken(request: Request, token: string): boolean {
  const given = Buffer.from(request.headers.get(INTERNAL_TOKEN_HEADER) ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface ErasureWorkerOptions {
  service: ErasurePeer;
  /** The users subgraph's GraphQL URL (USERS_URL); the erasure endpoints are beside it. */
  usersUrl: string;
  token: string;
  pollIntervalMs: number;
  erase: (task: ErasureTask) => Promise<void>;
  logger: Logger;
}

/** Polls users for this subgraph's pending erasures, applies and acknowledges them; retries with backoff. */
export function startErasureWorker(options: ErasureWorkerOptions) {
  const base = new URL(ERASURE_PATH, options.usersUrl);
  const headers = { [INTERNAL_TOKEN_HEADER]: options.token, 'content-type': 'application/json' };
  let stopped = false;
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> = Promise.resolve();

  async function call(url: URL, init: RequestInit = {}): Promise<Response> {
    const response = await withTimeout(fetch(url, { ...init, headers }), REQUEST_TIMEOUT_MS, 'users erasure endpoint');
    if (!response.ok) throw new Error(`${url.pathname} answered ${response.status}`);
    return response;
  }

  /** One round: every pending erasure applied and acknowledged; throws on the first failure. */
  async function round(): Promise<number> {
    const pending = new URL(base);
    pending.searchParams.set('service', options.service);
    const tasks = (await (await call(pending)).json()) as ErasureTask[];
    for (const task of tasks) {
      await options.erase(task);
      await call(new URL(`${ERASURE_PATH}/ack`, base), {
        method: 'POST',
        body: JSON.stringify({ requestId: task.requestId, service: options.service }),
      });
      options.logger.info({ requestId: task.requestId }, 'account erasure applied');
    }
    return tasks.length;
  }

  function schedule(delay: number) {
    if (stopped) return;
    timer = setTimeout(() => {
      running = round()
        .then(() => {
          if (failures > 0) options.logger.info('erasure hand-over works again');
          failures = 0;
        })
        .catch((error) => {
          if (failures === 0) options.logger.warn({ err: error }, 'cannot apply erasures now; retrying with backoff');
          failures++;
        })
        .finally(() =>
          schedule(
            failures === 0 ? options.pollIntervalMs : Math.min(options.pollIntervalMs * 2 ** failures, MAX_BACKOFF_MS),
          ),
        );
    }, delay);
    timer.unref?.();
  }
  schedule(0);

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

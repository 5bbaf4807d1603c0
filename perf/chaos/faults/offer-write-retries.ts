import type { PreparedRequest } from '../../lab/requests';

/**
 * createOffer writes that failed during a fault, and their retries. A write the subgraph refused
 * with SERVICE_UNAVAILABLE was not applied (its transaction rolled back). One the gateway timed
 * out (GATEWAY_TIMEOUT) or could not deliver or hear back from (SUBGRAPH_UNAVAILABLE) may or may
 * not have been: only its idempotency key makes sending it again safe. Either way a client retries
 * it as it was, key included, and the key keeps it to one offer.
 */
/** Codes of a write refused before anything was applied, safe to send again as it was. */
export const NOT_APPLIED_CODES: readonly string[] = ['SERVICE_UNAVAILABLE', 'AUTH_UNAVAILABLE'];
export const NOT_APPLIED_CODE = NOT_APPLIED_CODES.join('/');
export const UNKNOWN_OUTCOME_CODES: readonly string[] = ['GATEWAY_TIMEOUT', 'SUBGRAPH_UNAVAILABLE'];

/**
 * Retries in flight at once, attempts per write, and the pause between one write's attempts: a
 * patient client, about 20 s per write. After a crash PostgreSQL replays its WAL before it takes
 * connections again; on two busy cores that outlasted 3 attempts a second apart.
 */
export const RETRY_DEFAULTS = { concurrency: 8, attempts: 10, pauseMs: 2_000, timeoutMs: 10_000 };

/** The idempotency key a createOffer request carries (the write-mix scenario sets one on each). */
export function idempotencyKeyOf(request: PreparedRequest): string {
  const key = JSON.parse(request.body ?? '{}')?.variables?.input?.idempotencyKey;
  if (typeof key !== 'string') throw new Error(`${request.operation} request without an idempotency key`);
  return key;
}

export interface RetryResult {
  /** The offer the retry was answered with; null when every attempt failed. */
  offerId: string | null;
  attempts: number;
  /** The last failed attempt's errors or HTTP status, for the report. */
  lastError?: string;
}

/** One attempt: the offer id, or why there was none. */
async function send(gatewayUrl: string, request: PreparedRequest, timeoutMs: number) {
  try {
    const response = await fetch(`${gatewayUrl.replace(/\/$/, '')}${request.path}`, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json()) as { data?: { createOffer?: { id?: string } } | null; errors?: unknown[] };
    const id = body.data?.createOffer?.id;
    if (response.ok && !body.errors?.length && id) return { id };
    return { error: `HTTP ${response.status} ${JSON.stringify(body.errors?.slice(0, 1) ?? null)}` };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/**
 * Sends each write again exactly as it was (same body and key, same signed-in seller), a few at a
 * time, each up to `attempts` times; by idempotency key, what each retry was answered with.
 */
export async function retryOfferWrites(
  gatewayUrl: string,
  writes: ReadonlyMap<string, PreparedRequest>,
  options: Partial<typeof RETRY_DEFAULTS> = {},
): Promise<Map<string, RetryResult>> {
  const { concurrency, attempts, pauseMs, timeoutMs } = { ...RETRY_DEFAULTS, ...options };
  const pending = [...writes];
  const results = new Map<string, RetryResult>();
  const worker = async () => {
    for (let next = pending.shift(); next; next = pending.shift()) {
      const [key, request] = next;
      const result: RetryResult = { offerId: null, attempts: 0 };
      while (result.attempts < attempts && !result.offerId) {
        if (result.attempts++ > 0) await Bun.sleep(pauseMs);
        const answer = await send(gatewayUrl, request, timeoutMs);
        result.offerId = answer.id ?? null;
        result.lastError = answer.error;
      }
      results.set(key, result);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

/**
 * Rate-limit budgets are sliding-window counters: two fixed windows per budget (the current one
 * and the one before it), with the previous window's count weighted by how much of it still
 * overlaps the sliding window:
 *
 *   used = previous * (time left in the current window / window) + current
 *
 * A charge fits when `used + cost <= limit`. Memory and work per budget are constant, a charge can
 * weigh more than one (query cost), and the estimate assumes the previous window's requests were
 * spread evenly. Within one fixed window with an empty predecessor the count is exact.
 */

/** One budget to charge: `cost` units against `limit` units per sliding `windowMs`, stored under `key`. */
export interface Charge {
  key: string;
  limit: number;
  windowMs: number;
  cost: number;
}

export interface Decision {
  /** The charge fitted its budget (it is recorded only if every required charge fitted too). */
  allowed: boolean;
  limit: number;
  /** Units left in the sliding window after this decision. */
  remaining: number;
  /** Allowed: ms until the current fixed window closes. Refused: same as `retryAfterMs`. */
  resetMs: number;
  /** Refused: ms until this charge would fit. Allowed: 0. */
  retryAfterMs: number;
}

export interface RateLimitStore {
  /**
   * Checks and records `charges` as one atomic step and returns one decision per charge, in order.
   * The first `required` charges (default: all) are recorded together or not at all (a request
   * spends its budgets together); each later one is recorded on its own if it fits, and only when
   * the required ones did (field limits beside the request's cost budget).
   */
  consume(charges: Charge[], required?: number): Promise<Decision[]>;
  dispose?(): void;
}

/** Thrown by a store that cannot decide (Redis down with RATE_LIMIT_REDIS_DOWN=closed). */
export class RateLimitStoreUnavailable extends Error {
  constructor(cause?: unknown) {
    super('rate-limit store unavailable', { cause });
    this.name = 'RateLimitStoreUnavailable';
  }
}

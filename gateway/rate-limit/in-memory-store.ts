import type { Charge, Decision, RateLimitStore } from './store';

interface Counter {
  /** Index of the fixed window `current` counts (`floor(now / windowMs)`). */
  window: number;
  current: number;
  previous: number;
  expiresAt: number;
}

/** How often expired counters are dropped. */
export const SWEEP_INTERVAL_MS = 60_000;

/**
 * Sliding-window counters in this process's memory (see store.ts): the store of a gateway without
 * Redis, and the local fallback while Redis is unreachable. The same arithmetic as the Lua script
 * in redis-store.ts; JavaScript runs one charge at a time, so check-and-record is atomic here too.
 */
export class InMemoryStore implements RateLimitStore {
  private readonly counters = new Map<string, Counter>();
  private readonly sweeper: ReturnType<typeof setInterval>;

  constructor(private readonly now: () => number = Date.now) {
    this.sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweeper.unref?.();
  }

  async consume(charges: Charge[], required = charges.length): Promise<Decision[]> {
    return this.consumeNow(charges, required);
  }

  consumeNow(charges: Charge[], required = charges.length): Decision[] {
    const now = this.now();
    const states = charges.map((charge) => slide(this.counters.get(charge.key), charge, now));
    const requiredFit = states.slice(0, required).every((state) => state.fits);
    return states.map((state, i) => {
      const charge = charges[i]!;
      const record = state.fits && requiredFit;
      if (record) {
        this.counters.set(charge.key, {
          window: state.window,
          current: state.current + charge.cost,
          previous: state.previous,
          expiresAt: now + 2 * charge.windowMs,
        });
      }
      return decide(charge, state, record);
    });
  }

  dispose() {
    clearInterval(this.sweeper);
    this.counters.clear();
  }

  private sweep() {
    const now = this.now();
    for (const [key, counter] of this.counters) if (counter.expiresAt <= now) this.counters.delete(key);
  }
}

interface Slid {
  window: number;
  current: number;
  previous: number;
  /** ms left in the current fixed window. */
  untilNext: number;
  used: number;
  fits: boolean;
}

function slide(saved: Counter | undefined, charge: Charge, now: number): Slid {
  const window = Math.floor(now / charge.windowMs);
  let current = 0;
  let previous = 0;
  if (saved?.window === window) [current, previous] = [saved.current, saved.previous];
  else if (saved?.window === window - 1) previous = saved.current;
  const untilNext = (window + 1) * charge.windowMs - now;
  const used = (previous * untilNext) / charge.windowMs + current;
  return { window, current, previous, untilNext, used, fits: used + charge.cost <= charge.limit };
}

function decide(charge: Charge, state: Slid, recorded: boolean): Decision {
  const remaining = Math.max(0, Math.floor(charge.limit - state.used - (recorded ? charge.cost : 0)));
  if (state.fits) return { allowed: true, limit: charge.limit, remaining, resetMs: state.untilNext, retryAfterMs: 0 };
  const retryAfterMs = Math.max(1, Math.ceil(retryAfter(charge, state)));
  return { allowed: false, limit: charge.limit, remaining, resetMs: retryAfterMs, retryAfterMs };
}

/** When `charge` would fit, given that it does not now. */
function retryAfter({ limit, windowMs, cost }: Charge, { current, previous, untilNext }: Slid): number {
  // More than the whole budget never fits; a client learns that after at most two windows.
  if (cost > limit) return untilNext + windowMs;
  // The previous window's share decays enough before this window ends.
  if (current + cost <= limit) return untilNext - ((limit - current - cost) * windowMs) / previous;
  // Only after this window's count has become the previous one and decayed in turn.
  return untilNext + windowMs * (1 - (limit - cost) / current);
}

import type { Redis } from 'ioredis';
import type { Charge, Decision, RateLimitStore } from './store';

/**
 * The sliding-window counters of store.ts, checked and recorded in one Lua script: Redis runs a
 * script as a single command, so no other replica's charge can slip in between the read and the
 * write (a GET then SET, as @envelop/rate-limiter's store and Hive Gateway's built-in rateLimiting
 * do, lets every replica see the same count and all of them allow). Time comes from Redis (TIME),
 * so replicas with skewed clocks still share one window. `rate-limiter-flexible` would do the
 * same, but it is not a dependency and one script is less than a library.
 *
 * KEYS[i]: one hash per budget: w = index of the current fixed window, c = its count, p = the
 * previous window's count; it expires two windows after its last charge.
 * ARGV[1]: how many leading charges are required (recorded together or not at all); each later
 * one is recorded if it fits and the required ones did.
 * ARGV[2 + 3(i-1)], +1, +2: limit, window ms and cost of charge i.
 * Returns, per charge: allowed (1/0), remaining, reset ms, retry-after ms.
 */
export const SLIDING_WINDOW_LUA = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local required = tonumber(ARGV[1])
local states = {}
local requiredFit = true
for i, key in ipairs(KEYS) do
  local base = 2 + (i - 1) * 3
  local limit, window, cost = tonumber(ARGV[base]), tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2])
  local index = math.floor(now / window)
  local saved = redis.call('HMGET', key, 'w', 'c', 'p')
  local w, c, p = tonumber(saved[1]), tonumber(saved[2]) or 0, tonumber(saved[3]) or 0
  if w == index - 1 then p, c = c, 0 elseif w ~= index then p, c = 0, 0 end
  local untilNext = (index + 1) * window - now
  local used = p * untilNext / window + c
  local fits = used + cost <= limit
  if not fits and i <= required then requiredFit = false end
  states[i] = { limit = limit, window = window, cost = cost, index = index, c = c, p = p, untilNext = untilNext, used = used, fits = fits }
end
local result = {}
for i, s in ipairs(states) do
  local record = s.fits and requiredFit
  if record then
    redis.call('HSET', KEYS[i], 'w', s.index, 'c', s.c + s.cost, 'p', s.p)
    redis.call('PEXPIRE', KEYS[i], 2 * s.window)
  end
  local remaining = s.limit - s.used
  if record then remaining = remaining - s.cost end
  local retry = 0
  if not s.fits then
    if s.cost > s.limit then
      retry = s.untilNext + s.window
    elseif s.c + s.cost <= s.limit then
      retry = s.untilNext - (s.limit - s.c - s.cost) * s.window / s.p
    else
      retry = s.untilNext + s.window * (1 - (s.limit - s.cost) / s.c)
    end
    retry = math.max(1, math.ceil(retry))
  end
  local reset = s.untilNext
  if not s.fits then reset = retry end
  table.insert(result, s.fits and 1 or 0)
  table.insert(result, math.max(0, math.floor(remaining)))
  table.insert(result, math.floor(reset))
  table.insert(result, retry)
end
return result
`;

const COMMAND = 'autographSlidingWindow';

type WithSlidingWindow = Redis & {
  [COMMAND](numberOfKeys: number, ...keysAndArgs: (string | number)[]): Promise<number[]>;
};

/** Budgets shared by every replica through Redis; throws when Redis cannot answer (see fallback-store.ts). */
export class RedisStore implements RateLimitStore {
  private readonly redis: WithSlidingWindow;

  constructor(redis: Redis) {
    // defineCommand sends EVALSHA and loads the script on NOSCRIPT (after a Redis restart too).
    if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { lua: SLIDING_WINDOW_LUA });
    this.redis = redis as WithSlidingWindow;
  }

  async consume(charges: Charge[], required = charges.length): Promise<Decision[]> {
    if (charges.length === 0) return [];
    const args = charges.flatMap((charge) => [charge.limit, charge.windowMs, charge.cost]);
    const reply = await this.redis[COMMAND](charges.length, ...charges.map((charge) => charge.key), required, ...args);
    return charges.map((charge, i) => ({
      allowed: reply[i * 4] === 1,
      limit: charge.limit,
      remaining: reply[i * 4 + 1]!,
      resetMs: reply[i * 4 + 2]!,
      retryAfterMs: reply[i * 4 + 3]!,
    }));
  }
}

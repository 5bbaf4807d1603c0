import type postgres from 'postgres';
import { deferredQuery } from './db-deferred-query';
import { withTimeout } from './timeout';
import { isDatabaseUnavailable, PRIMARY_UNREACHABLE } from './db-errors';

type Client = ReturnType<typeof postgres>;

/** How often a primary marked unreachable is asked `select 1` until it answers. */
const PROBE_INTERVAL_MS = 250;
const PROBE_TIMEOUT_MS = 2_000;

export interface PrimaryGateOptions {
  probeIntervalMs?: number;
  /** Told when the primary is marked unreachable and when it answers again (logs). */
  onChange?: (change: { up: boolean; error?: unknown }) => void;
}

/**
 * Fails statements at once while the primary is known to be unreachable. postgres.js hands a
 * statement to the next connection attempt and fails only that one when the attempt fails: with
 * the server down, requests queue behind one another and each waits longer than the last (seen
 * under 20 writes/s: 0.3 s, then 1.3 s, then past the gateway's 2 s subgraph timeout, which turns
 * a clear SERVICE_UNAVAILABLE into an ambiguous timeout). After a connection-level failure the
 * gate refuses statements and transactions immediately (a connection error, so callers answer
 * SERVICE_UNAVAILABLE) until a background `select 1` succeeds, every `probeIntervalMs`.
 * Statement errors (syntax, constraints) leave it open. Hand-written: no pool library of
 * postgres.js has this, and it is one flag and a timer.
 */
export function gatePrimary(client: Client, options: PrimaryGateOptions = {}): { client: Client; close(): void } {
  const probeIntervalMs = options.probeIntervalMs ?? PROBE_INTERVAL_MS;
  let up = true;
  let probe: ReturnType<typeof setTimeout> | null = null;
  let closed = false;

  const unreachable = () =>
    Object.assign(new Error('the database primary is unreachable; statements are refused until it answers'), {
      code: PRIMARY_UNREACHABLE,
    });

  function observe(error: unknown): never {
    if (up && isDatabaseUnavailable(error)) {
      up = false;
      options.onChange?.({ up: false, error });
      scheduleProbe();
    }
    throw error;
  }

  function scheduleProbe() {
    if (closed) return;
    probe = setTimeout(async () => {
      try {
        // Bounded: a probe that never settles (a connection stuck mid-restart) would leave the gate
        // shut for good, refusing every statement of a database that is long back.
        await withTimeout(client.unsafe('select 1'), PROBE_TIMEOUT_MS, 'the probe had no answer');
        up = true;
        probe = null;
        options.onChange?.({ up: true });
      } catch {
        scheduleProbe();
      }
    }, probeIntervalMs);
    probe.unref?.();
  }

  function unsafe(...args: Parameters<Client['unsafe']>) {
    return deferredQuery(async (asValues) => {
      if (!up) throw unreachable();
      const query = client.unsafe(...args);
      return (asValues ? query.values() : query).catch(observe);
    });
  }

  function begin(...args: unknown[]) {
    if (!up) return Promise.reject(unreachable());
    return (client.begin as (...a: unknown[]) => Promise<unknown>)(...args).catch(observe);
  }

  const gated = new Proxy(client, {
    get: (target, key) => (key === 'unsafe' ? unsafe : key === 'begin' ? begin : Reflect.get(target, key)),
  });
  return {
    client: gated,
    close() {
      closed = true;
      if (probe) clearTimeout(probe);
    },
  };
}

import type postgres from 'postgres';
import { Gauge } from 'prom-client';
import { isDatabaseUnavailable } from './db-errors';
import { deferredQuery } from './db-deferred-query';

type Client = ReturnType<typeof postgres>;

/** How often a replica marked down is asked `select 1` until it answers. */
export const DEFAULT_REPLICA_PROBE_INTERVAL_MS = 2_000;

let replicaUp: Gauge<'service' | 'replica'> | null = null;

/** Registered by the first read router, not at import (see kit/db.ts's statement counter). */
function replicaGauge(): Gauge<'service' | 'replica'> {
  replicaUp ??= new Gauge({
    name: 'autograph_db_replica_up',
    help: 'Whether a read replica takes reads (1) or is marked down after a connection failure (0)',
    labelNames: ['service', 'replica'],
  });
  return replicaUp;
}

export interface ReadRouterOptions {
  /** Service name: the metric's label. */
  service: string;
  primary: Client;
  replicas: Client[];
  probeIntervalMs?: number;
  /** Told when a replica is marked down or taken back (logs). */
  onChange?: (change: { replica: number; up: boolean; error?: unknown }) => void;
}

interface Replica {
  index: number;
  client: Client;
  up: boolean;
  probe: ReturnType<typeof setTimeout> | null;
}

/**
 * A postgres.js client for reads that spreads them over the replicas and falls back to the
 * primary. Drizzle's `withReplicas` picks a replica when a query is built and has no answer for
 * one that fails, so the choice is made here, where the statement is sent (`unsafe()`, which
 * drizzle calls for every statement and then awaits, asking for `.values()` on the way): a replica
 * that fails to connect (or is shutting down) is marked down, that read is sent once more to the
 * primary, and a background `select 1` every `probeIntervalMs` takes it back when it answers.
 * While every replica is down, reads go to the primary. Errors of the statement itself (syntax,
 * constraints) are not retried: the primary would give the same answer. Everything but `unsafe`
 * (transactions, `begin`) is the primary's.
 */
export function routeReads(options: ReadRouterOptions): { client: Client; close(): void } {
  const probeIntervalMs = options.probeIntervalMs ?? DEFAULT_REPLICA_PROBE_INTERVAL_MS;
  const replicas: Replica[] = options.replicas.map((client, index) => ({ index, client, up: true, probe: null }));
  const gauge = (replica: Replica) => replicaGauge().labels(options.service, String(replica.index));
  for (const replica of replicas) gauge(replica).set(1);
  let closed = false;
  let next = 0;

  function pick(): Replica | null {
    for (let tried = 0; tried < replicas.length; tried++) {
      const replica = replicas[next++ % replicas.length]!;
      if (replica.up) return replica;
    }
    return null;
  }

  function markDown(replica: Replica, error: unknown) {
    if (!replica.up) return;
    replica.up = false;
    gauge(replica).set(0);
    options.onChange?.({ replica: replica.index, up: false, error });
    scheduleProbe(replica);
  }

  function scheduleProbe(replica: Replica) {
    if (closed) return;
    // A chain of timeouts, not an interval: a probe that waits for its connect timeout never overlaps the next.
    replica.probe = setTimeout(async () => {
      try {
        await replica.client.unsafe('select 1');
        replica.up = true;
        replica.probe = null;
        gauge(replica).set(1);
        options.onChange?.({ replica: replica.index, up: true });
      } catch {
        scheduleProbe(replica);
      }
    }, probeIntervalMs);
    replica.probe.unref?.();
  }

  function unsafe(...args: Parameters<Client['unsafe']>) {
    return deferredQuery(async (asValues) => {
      const send = (client: Client) => {
        const query = client.unsafe(...args);
        return asValues ? query.values() : query;
      };
      const replica = pick();
      if (!replica) return send(options.primary);
      try {
        return await send(replica.client);
      } catch (error) {
        if (!isDatabaseUnavailable(error)) throw error;
        markDown(replica, error);
        return send(options.primary);
      }
    });
  }

  const client = new Proxy(options.primary, {
    get: (target, key) => (key === 'unsafe' ? unsafe : Reflect.get(target, key)),
  });
  return {
    client,
    close() {
      closed = true;
      for (const replica of replicas) if (replica.probe) clearTimeout(replica.probe);
    },
  };
}

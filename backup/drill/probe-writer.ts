import postgres from 'postgres';

/** One write transaction of the probe writer, timed on this machine's clock. */
export interface ProbeWrite {
  seq: number;
  /** Before BEGIN was sent: the transaction's commit time is later. */
  startedAt: number;
  /** After COMMIT returned: its commit time is earlier. Unset when the outcome is unknown (failed). */
  ackedAt?: number;
  error?: string;
}

export interface ProbeWriter {
  writes: ProbeWrite[];
  /**
   * A moment inside the pause after the next acknowledged write, returned once it has passed:
   * every write is then clearly before it (acknowledged) or after it (not yet started).
   */
  nextGap(): Promise<Date>;
  /** Stops after the write in flight; resolves when the loop has ended. */
  stop(): Promise<void>;
  /** Resolves when the loop ends by itself (a write failed: the primary is gone). */
  ended: Promise<void>;
}

/** The title that carries a probe write's sequence number in offers.offers. */
export const probeTitle = (seq: number) => `PITR probe #${seq}`;

/**
 * Writes through the system's real schema, one transaction at a time with a pause between:
 * an offer with its outbox event (as the offers subgraph writes them) and a registry audit row,
 * all carrying the sequence number, in one statement. Restores are checked against these
 * writes' times, and the three tables against each other (one database, so one transaction
 * covers the subgraphs and the registry alike).
 */
export async function startProbeWriter(url: string, pauseMs = 20): Promise<ProbeWriter> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5, idle_timeout: 0 });
  const [seller] = await sql<{ id: string }[]>`select id from users.users order by id limit 1`;
  const [model] = await sql<
    { id: string; make_id: string }[]
  >`select id, make_id from catalog.models order by id limit 1`;
  if (!seller || !model) throw new Error('the probe writer needs a seeded database (a user and a model)');
  const writes: ProbeWrite[] = [];
  let running = true;
  let gapWaiters: ((at: Date) => void)[] = [];

  const gapAfter = (ackedAt: number) => {
    const waiters = gapWaiters;
    gapWaiters = [];
    const gap = new Date(ackedAt + pauseMs / 2);
    for (const resolve of waiters) setTimeout(() => resolve(gap), pauseMs / 2 + 1);
  };
  const loop = async () => {
    while (running) {
      const write: ProbeWrite = { seq: writes.length + 1, startedAt: Date.now() };
      writes.push(write);
      try {
        // One statement, so one transaction with no BEGIN or ROLLBACK of ours: a primary killed
        // mid-write fails this statement and nothing more is sent on the dead connection.
        await sql`
          with offer as (
            insert into offers.offers (seller_id, model_id, make_id, title, price, year, mileage_km, city)
            values (${seller.id}, ${model.id}, ${model.make_id}, ${probeTitle(write.seq)}, ${1000 + write.seq},
                    2020, 1000, 'Moscow')
            returning id
          ), event as (
            insert into offers.offer_events (offer_id, payload)
            select id, jsonb_build_object('type', 'offer.changed', 'offer', jsonb_build_object('id', id),
                                          'probe', ${write.seq}::int)
            from offer
          )
          insert into registry.audit (target, action, outcome, details)
          values ('main', 'pitr.probe', 'ok', jsonb_build_object('seq', ${write.seq}::int))`;
        write.ackedAt = Date.now();
        gapAfter(write.ackedAt);
      } catch (error) {
        write.error = (error as Error).message;
        running = false;
        break;
      }
      await Bun.sleep(pauseMs);
    }
  };
  const ended = loop().finally(() => sql.end({ timeout: 1 }).catch(() => {}));
  return {
    writes,
    nextGap: () => new Promise((resolve) => gapWaiters.push(resolve)),
    async stop() {
      running = false;
      await ended;
    },
    ended,
  };
}

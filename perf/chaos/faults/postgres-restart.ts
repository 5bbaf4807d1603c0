import postgres from 'postgres';
import type { PreparedRequest } from '../../lab/requests';
import { check, failed, noServerErrors, recoveryMs } from '../analysis';
import { faultReport, underLoad, type Fault } from '../fault';
import { waitUntil } from '../infra/processes';
import { checkOfferWrites, storedByKey } from './offer-write-checks';
import { idempotencyKeyOf, NOT_APPLIED_CODE, retryOfferWrites, UNKNOWN_OUTCOME_CODES } from './offer-write-retries';

/** After recovery, search must agree with the active offers within this long. */
const SEARCH_AGREES_WITHIN_MS = 30_000;
const UNKNOWN = UNKNOWN_OUTCOME_CODES.join('/');

export const postgresRestart: Fault = {
  name: 'postgres-restart',
  description:
    "Stop the suite's PostgreSQL primary (pg_ctl -m immediate: a crash for the data) under a createOffer write load (each write with its idempotency key), start it again after the fault's time, then retry every failed write with its key.",
  goal: `each write succeeds or fails with ${NOT_APPLIED_CODE} (extensions.retryable: true) or, its outcome unknown, ${UNKNOWN}; after recovery every failed write retried with its key succeeds; every acknowledged or retried write present (0 lost), one offer per key (0 duplicated); search agrees with the active offers within ${SEARCH_AGREES_WITHIN_MS / 1000} s`,
  async run(context) {
    const { primary } = context.chaos;
    const writes = context.chaos.writes();
    /** Every write sent, and the offer each acknowledged one was answered with, by idempotency key. */
    const sent = new Map<string, PreparedRequest>();
    const acknowledged = new Map<string, string>();
    const run = await underLoad(context, {
      next() {
        const request = writes();
        sent.set(idempotencyKeyOf(request), request);
        return request;
      },
      inspect(_operation, data, errors, request) {
        if (errors.length === 0 && data.createOffer?.id)
          acknowledged.set(idempotencyKeyOf(request), data.createOffer.id);
      },
      async inject() {
        await primary.stop('immediate');
      },
      async lift() {
        await primary.start();
      },
      async back() {
        await waitUntil(() => primary.isUp(), 30_000);
      },
    });
    // Every write without an acknowledgement is sent again, as a client holding its key would.
    const unacknowledged = new Map([...sent].filter(([key]) => !acknowledged.has(key)));
    const retriedFrom = new Date();
    const retried = await retryOfferWrites(context.chaos.system.gatewayUrl, unacknowledged);
    const sql = postgres(primary.url(), { max: 1, onnotice: () => {} });
    try {
      const stored = await storedByKey(sql, [...sent.keys()], retriedFrom);
      const writeChecks = checkOfferWrites(run.outcomes, acknowledged, retried, stored);
      const disagreement = async () => {
        const [row] = (await sql`
          select
            (select count(*) from offers.offers o where o.status = 'ACTIVE'
               and not exists (select 1 from search.offer_documents d where d.offer_id = o.id))::int as missing,
            (select count(*) from search.offer_documents d where not exists
               (select 1 from offers.offers o where o.id = d.offer_id and o.status = 'ACTIVE'))::int as stale,
            (select count(*) from offers.offer_events where sent_at is null)::int as unsent
        `) as unknown as [{ missing: number; stale: number; unsent: number }];
        return row;
      };
      const started = Date.now();
      const agreed = await waitUntil(
        async () => {
          const { missing, stale } = await disagreement();
          return missing === 0 && stale === 0;
        },
        SEARCH_AGREES_WITHIN_MS,
        1_000,
      );
      const last = await disagreement();
      const measured = {
        dataLost: writeChecks.lost,
        recoveryMs: recoveryMs(run.outcomes, run.backAtMs ?? run.toMs, failed),
        checks: [
          noServerErrors('every write answered, no HTTP 5xx', run.outcomes),
          ...writeChecks.checks,
          check(
            `search agrees with the active offers within ${SEARCH_AGREES_WITHIN_MS / 1000} s`,
            agreed,
            agreed
              ? `agreed after ${((Date.now() - started) / 1000).toFixed(0)} s`
              : `${last.missing} active offers missing from search, ${last.stale} documents without an active offer; ${last.unsent} outbox events not handed over yet`,
          ),
        ],
      };
      return faultReport(this, context, run, measured);
    } finally {
      await sql.end({ timeout: 2 });
    }
  },
};

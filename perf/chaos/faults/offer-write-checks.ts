import type postgres from 'postgres';
import { check, failed } from '../analysis';
import type { Outcome } from '../steady-load';
import { NOT_APPLIED_CODE, NOT_APPLIED_CODES, UNKNOWN_OUTCOME_CODES, type RetryResult } from './offer-write-retries';

/**
 * The write goals of a fault under createOffer load, by idempotency key: every failed write coded
 * (not applied, or outcome unknown), every retry answered with an offer, every answered offer
 * stored (0 lost) and one offer per key (0 duplicated).
 */
const UNKNOWN = UNKNOWN_OUTCOME_CODES.join('/');

/** How a failed write's errors read: not applied and retryable, outcome unknown, or neither. */
function failureKind(outcome: Outcome): 'not-applied' | 'unknown' | 'unclear' {
  if (outcome.errors.length === 0) return 'unclear';
  if (outcome.errors.every((e) => NOT_APPLIED_CODES.includes(e.code) && e.retryable === true)) return 'not-applied';
  if (outcome.errors.every((e) => UNKNOWN_OUTCOME_CODES.includes(e.code))) return 'unknown';
  return 'unclear';
}

export interface StoredOffer {
  id: string;
  /** Created before the retries began: a failed write that had been applied after all. */
  beforeRetries: boolean;
}

/** The offers stored under each key (one at most, unless keys failed to deduplicate). */
export async function storedByKey(sql: postgres.Sql, keys: string[], retriedFrom: Date) {
  const rows = (await sql`
    select idempotency_key as key, id, created_at < ${retriedFrom} as before_retries
    from offers.offers where idempotency_key = any(${keys}::text[])`) as unknown as {
    key: string;
    id: string;
    before_retries: boolean;
  }[];
  const byKey = new Map<string, StoredOffer[]>();
  for (const row of rows)
    byKey.set(row.key, [...(byKey.get(row.key) ?? []), { id: row.id, beforeRetries: row.before_retries }]);
  return byKey;
}

/** The write goals: failures coded, retries succeed, nothing lost, nothing duplicated. */
export function checkOfferWrites(
  outcomes: Outcome[],
  acknowledged: ReadonlyMap<string, string>,
  retried: ReadonlyMap<string, RetryResult>,
  stored: ReadonlyMap<string, StoredOffer[]>,
) {
  const failures = outcomes.filter(failed);
  const kinds = Object.groupBy(failures, failureKind);
  const unclear = kinds.unclear ?? [];
  const retryFailures = [...retried.values()].filter((r) => !r.offerId);
  const retriedIds = [...retried].flatMap(([key, r]) => (r.offerId ? [[key, r.offerId] as const] : []));
  const answered = [...acknowledged, ...retriedIds];
  const lost = answered.filter(([key, id]) => !stored.get(key)?.some((offer) => offer.id === id)).length;
  const appliedBefore = retriedIds.filter(([key]) => stored.get(key)?.some((offer) => offer.beforeRetries)).length;
  const rows = [...stored.values()].reduce((sum, offers) => sum + offers.length, 0);
  const duplicated = rows - stored.size;
  const checks = [
    check(
      `every failed write coded ${NOT_APPLIED_CODE} (retryable) or ${UNKNOWN}`,
      unclear.length === 0,
      `${failures.length} failed: ${kinds['not-applied']?.length ?? 0} ${NOT_APPLIED_CODE}, ${kinds.unknown?.length ?? 0} ${UNKNOWN} (outcome unknown), ${unclear.length} otherwise${unclear.length ? ` (e.g. ${JSON.stringify(unclear[0]!.errors.slice(0, 1))})` : ''}`,
    ),
    check(
      'every failed write succeeds when retried with its idempotency key',
      retryFailures.length === 0,
      `${retried.size} retried after recovery, ${retriedIds.length} succeeded, ${appliedBefore} of them already written during the fault (the retry returned that offer); ${[...retried.values()].filter((r) => r.attempts > 1).length} needed more than one attempt${retryFailures.length ? `; e.g. ${retryFailures[0]!.lastError}` : ''}`,
    ),
    check(
      '0 acknowledged or retried writes lost',
      lost === 0,
      `${acknowledged.size} acknowledged and ${retriedIds.length} retried, ${answered.length - lost} present with the id answered`,
    ),
    check(
      '0 duplicated: one offer per idempotency key',
      duplicated === 0,
      `${rows} offers for ${stored.size} keys, ${duplicated} extra`,
    ),
  ];
  return { checks, lost };
}

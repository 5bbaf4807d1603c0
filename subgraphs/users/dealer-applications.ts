import { and, asc, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import {
  badInput,
  checkFirst,
  conflict,
  decodeCursor,
  defineLoader,
  encodeCursor,
  isId,
  notFound,
  requireRole,
  toPage,
  type Page,
} from '../framework';
import type { UsersContext } from './context';
import { audit } from './audit';
import { dealerApplications, users, type DealerApplicationRow } from './db/schema';

export type DealerApplicationStatus = DealerApplicationRow['status'];

/** An application as listed: with created_at as exact text, the keyset cursor's sort value. */
export interface ListedApplication extends DealerApplicationRow {
  cursorAt: string;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const cursorAt = sql<string>`to_char(${dealerApplications.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const sortOf = (status: DealerApplicationStatus) => `dealer-applications:${status}`;

/** The newest application of each account (its current one), for `Viewer.dealerApplication`. */
export const latestApplication = defineLoader(async (userIds: readonly string[], ctx: UsersContext) => {
  const rows = await ctx.db
    .selectDistinctOn([dealerApplications.userId])
    .from(dealerApplications)
    .where(inArray(dealerApplications.userId, [...userIds]))
    .orderBy(dealerApplications.userId, sql`${dealerApplications.createdAt} desc`);
  const byUser = new Map(rows.map((row) => [row.userId, row]));
  return userIds.map((id) => byUser.get(id) ?? null);
});

/** Applications in one status, oldest first (the moderation queue), keyset-paged on (created_at, id). */
export async function listApplications(
  ctx: UsersContext,
  args: { status?: DealerApplicationStatus | null; first?: number | null; after?: string | null },
): Promise<Page<ListedApplication>> {
  requireRole(ctx, 'MODERATOR', 'ADMIN');
  const status = args.status ?? 'PENDING';
  const first = checkFirst(args.first);
  const after = decodeCursor(args.after, sortOf(status), 2);
  if (
    after &&
    !(typeof after[0] === 'string' && TIMESTAMP.test(after[0]) && typeof after[1] === 'string' && isId(after[1]))
  ) {
    throw badInput('after is not a valid cursor for this list and ordering', 'after');
  }
  const inStatus = eq(dealerApplications.status, status);
  const rows = await ctx.db
    .select({ ...getTableColumns(dealerApplications), cursorAt })
    .from(dealerApplications)
    .where(
      and(
        inStatus,
        after
          ? sql`(${dealerApplications.createdAt}, ${dealerApplications.id}) > (${after[0]}::text::timestamptz, ${after[1]}::uuid)`
          : undefined,
      ),
    )
    .orderBy(asc(dealerApplications.createdAt), asc(dealerApplications.id))
    .limit(first + 1);
  return toPage(
    rows,
    first,
    (row) => encodeCursor(sortOf(status), [row.cursorAt, row.id]),
    async () => {
      const [{ total }] = (await ctx.db
        .select({ total: sql<number>`count(*)::int` })
        .from(dealerApplications)
        .where(inStatus)) as [{ total: number }];
      return total;
    },
  );
}

/**
 * A moderator's or admin's decision on a pending application. Approval makes the account a
 * dealer (kind DEALER, role DEALER) in the same transaction; its access tokens carry the role
 * from the next sign-in or refresh on.
 */
export async function decideApplication(
  ctx: UsersContext,
  id: string,
  decision: 'APPROVED' | 'REJECTED',
): Promise<DealerApplicationRow> {
  const moderator = requireRole(ctx, 'MODERATOR', 'ADMIN');
  if (!isId(id)) throw notFound('Dealer application', id);
  const applicationId = id.toLowerCase();
  return ctx.db.transaction(async (tx) => {
    const [decided] = await tx
      .update(dealerApplications)
      .set({
        status: decision,
        decidedAt: new Date(),
        decidedBy: isId(moderator.userId) ? moderator.userId.toLowerCase() : null,
      })
      .where(and(eq(dealerApplications.id, applicationId), eq(dealerApplications.status, 'PENDING')))
      .returning();
    if (!decided) {
      const [existing] = await tx
        .select({ status: dealerApplications.status })
        .from(dealerApplications)
        .where(eq(dealerApplications.id, applicationId));
      if (!existing) throw notFound('Dealer application', id);
      throw conflict(`This application was already decided (${existing.status})`);
    }
    if (decision === 'APPROVED') {
      await tx
        .update(users)
        .set({
          kind: 'DEALER',
          roles: sql`case when 'DEALER' = any(${users.roles}) then ${users.roles} else array_append(${users.roles}, 'DEALER') end`,
        })
        .where(eq(users.id, decided.userId));
      await audit.record(tx, ctx, {
        action: 'roles.changed',
        target: decided.userId,
        details: { added: ['DEALER'], application: decided.id },
      });
    }
    return decided;
  });
}

import { and, eq, isNull, sql } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import {
  ERASURE_PATH,
  ERASURE_PEERS,
  hasInternalToken,
  isId,
  requireViewer,
  unauthenticated,
  type ErasureTask,
  type RouteHandler,
} from '../framework';
import type { Database } from '../../kit/db';
import { audit } from './audit';
import type { UsersContext } from './context';
import {
  dealerApplications,
  erasureDeliveries,
  erasureRequests,
  loginAttempts,
  refreshTokens,
  users,
  type tables,
} from './db/schema';
import { hashPassword, MAX_PASSWORD_LENGTH, verifyPassword } from './passwords';
import { throttleKeyOf } from './throttle';

type Db = Database<typeof tables>['db'];

/** What an erased account is called from then on (reviews stay, authored by it). */
export const ERASED_NAME = 'Deleted user';
/** Pending erasures handed to a peer per poll. */
const PENDING_BATCH = 100;

export interface ErasureView {
  id: string;
  requestedAt: Date;
  completedAt: Date | null;
  steps: { service: string; done: boolean; doneAt: Date | null; attempts: number }[];
}

/**
 * `deleteMyAccount`: after the password is checked again, in one transaction, the account is
 * anonymised (e-mail, name and city replaced, password unusable, deactivated, which revokes its
 * sessions), its refresh tokens, dealer applications and sign-in failures are deleted, and one
 * outbox row per peer subgraph is written. The row stays (under its id, with no personal data)
 * so that reviews keep an author, shown as "Deleted user".
 */
export async function deleteMyAccount(ctx: UsersContext, password: string): Promise<ErasureView> {
  const viewer = requireViewer(ctx);
  const [user] = await ctx.db.select().from(users).where(eq(users.id, viewer.userId));
  if (!user || user.deactivatedAt) throw unauthenticated('This account is deactivated');
  if (!(await verifyPassword(password.slice(0, MAX_PASSWORD_LENGTH + 1), user.passwordHash)))
    throw unauthenticated('Password is wrong');
  const unusable = await hashPassword(randomBytes(32).toString('base64url'));
  const erasedEmail = `erased-${user.id}@erased.invalid`;
  const email = await ctx.fields.decrypt(user.email, 'email');
  const requestId = await ctx.db.transaction(async (tx) => {
    const [request] = await tx.insert(erasureRequests).values({ userId: user.id }).returning();
    await tx
      .update(users)
      .set({
        email: ctx.fields.encrypt(erasedEmail, 'email'),
        emailIndex: ctx.fields.blindIndex(erasedEmail),
        name: ctx.fields.encrypt(ERASED_NAME, 'name'),
        city: '',
        passwordHash: unusable,
        roles: [],
        deactivatedAt: new Date(),
      })
      .where(eq(users.id, user.id));
    await tx.delete(refreshTokens).where(eq(refreshTokens.userId, user.id));
    await tx.delete(dealerApplications).where(eq(dealerApplications.userId, user.id));
    await tx.delete(loginAttempts).where(eq(loginAttempts.key, throttleKeyOf(email)));
    await tx.insert(erasureDeliveries).values(ERASURE_PEERS.map((service) => ({ requestId: request!.id, service })));
    await audit.record(tx, ctx, { action: 'account.erasure_requested', target: request!.id });
    return request!.id;
  });
  return (await erasureStatus(ctx.db, requestId))!;
}

/** An erasure's progress: users' own part is done with the request; each peer's when it acknowledged. */
export async function erasureStatus(db: Db, id: string): Promise<ErasureView | null> {
  if (!isId(id)) return null;
  const [request] = await db.select().from(erasureRequests).where(eq(erasureRequests.id, id.toLowerCase()));
  if (!request) return null;
  const deliveries = await db
    .select()
    .from(erasureDeliveries)
    .where(eq(erasureDeliveries.requestId, request.id))
    .orderBy(erasureDeliveries.service);
  return {
    id: request.id,
    requestedAt: request.requestedAt,
    completedAt: request.completedAt,
    steps: [
      { service: 'users', done: true, doneAt: request.requestedAt, attempts: 1 },
      ...deliveries.map((d) => ({
        service: d.service,
        done: d.doneAt !== null,
        doneAt: d.doneAt,
        attempts: d.attempts,
      })),
    ],
  };
}

/**
 * The peers' side of the outbox (framework/privacy/erasure.ts), behind the internal token:
 * GET  /internal/erasures?service=<peer>   its pending erasures, [{ requestId, userId }]
 * POST /internal/erasures/ack              { requestId, service }: applied; the last one completes the request
 */
export function erasureRoutes(db: Db, token: string): Record<string, RouteHandler> {
  const refused = (request: Request) =>
    hasInternalToken(request, token) ? null : Response.json({ error: 'internal token required' }, { status: 401 });
  return {
    [ERASURE_PATH]: async (request) => {
      const denied = refused(request);
      if (denied) return denied;
      const service = new URL(request.url).searchParams.get('service') ?? '';
      const rows = await db.execute<{ requestId: string; userId: string }>(sql`
        update ${erasureDeliveries} d set attempts = d.attempts + 1
        from ${erasureRequests} r
        where r.id = d.request_id and d.service = ${service} and d.done_at is null
          and d.request_id in (select request_id from ${erasureDeliveries}
            where service = ${service} and done_at is null order by request_id limit ${PENDING_BATCH})
        returning d.request_id as "requestId", r.user_id as "userId"`);
      return Response.json([...rows] satisfies ErasureTask[]);
    },
    [`${ERASURE_PATH}/ack`]: async (request) => {
      const denied = refused(request);
      if (denied) return denied;
      const body = (await request.json().catch(() => null)) as { requestId?: unknown; service?: unknown } | null;
      if (typeof body?.requestId !== 'string' || !isId(body.requestId) || typeof body.service !== 'string')
        return Response.json({ error: 'requestId and service required' }, { status: 400 });
      const { requestId, service } = body as { requestId: string; service: string };
      await db.transaction(async (tx) => {
        await tx
          .update(erasureDeliveries)
          .set({ doneAt: new Date() })
          .where(
            and(
              eq(erasureDeliveries.requestId, requestId),
              eq(erasureDeliveries.service, service),
              isNull(erasureDeliveries.doneAt),
            ),
          );
        const completed = await tx
          .update(erasureRequests)
          .set({ completedAt: new Date() })
          .where(
            and(
              eq(erasureRequests.id, requestId),
              isNull(erasureRequests.completedAt),
              sql`not exists (select 1 from ${erasureDeliveries} where request_id = ${requestId} and done_at is null)`,
            ),
          )
          .returning();
        if (completed[0])
          await audit.record(tx, {}, { action: 'account.erased', actorId: completed[0].userId, target: requestId });
      });
      return new Response(null, { status: 204 });
    },
  };
}

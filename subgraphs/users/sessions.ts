import { and, eq, isNull, lt, ne, sql } from 'drizzle-orm';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Counter } from 'prom-client';
import { apiError, badInput, conflict, unauthenticated } from '../framework/errors';
import type { Database } from '../../kit/db';
import type { IdentityConfig } from './config';
import { dealerApplications, refreshTokens, users, type tables, type UserRow } from './db/schema';
import type { SigningKeys } from './keys';
import { DUMMY_HASH, hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords';
import type { LoginThrottle } from './throttle';
import { decryptUser, type FieldCipher } from './crypto/field-cipher';
import { audit, type AuditSource } from './audit';

type Db = Database<typeof tables>['db'];

export interface AuthPayload {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  user: UserRow;
  /** The refresh-token family: the session. */
  sessionId: string;
}

export interface RegisterInput {
  email: string;
  password: string;
  name: string;
  city: string;
  /** DEALER files a dealer application: the account starts as a private buyer and seller. */
  kind: 'PRIVATE' | 'DEALER';
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const LOGIN_FAILED = 'E-mail or password is wrong';

// Once per process, in the default registry the subgraph's /metrics serves (business dashboard).
const signIns = new Counter({
  name: 'autograph_sign_ins_total',
  help: 'Sign-ins by result: success, failure (wrong e-mail or password, deactivated account); refused while throttled: autograph_login_throttled_total',
  labelNames: ['result'],
});
const signInResult = {
  success: signIns.labels({ result: 'success' }),
  failure: signIns.labels({ result: 'failure' }),
};

/**
 * Sign-up, sign-in and sessions. A session is a refresh-token family: every refresh rotates the
 * token; presenting an already rotated token means it was copied, so the family is revoked.
 * A deactivated account can neither sign in nor refresh (its tokens were revoked when it was
 * deactivated; users.users has the trigger).
 */
export function createSessions(
  db: Db,
  keys: SigningKeys,
  config: Pick<IdentityConfig, 'accessTtlSeconds' | 'refreshTtlSeconds'>,
  throttle: LoginThrottle,
  fields: FieldCipher,
) {
  async function issue(tx: Db, user: UserRow, familyId: string): Promise<AuthPayload> {
    const refreshToken = randomBytes(32).toString('base64url');
    await tx.insert(refreshTokens).values({
      familyId,
      userId: user.id,
      tokenHash: hashToken(refreshToken),
      expiresAt: new Date(Date.now() + config.refreshTtlSeconds * 1000),
    });
    const access = await keys.sign(
      { userId: user.id, roles: user.roles, sessionId: familyId },
      config.accessTtlSeconds,
    );
    return {
      accessToken: access.token,
      expiresAt: access.expiresAt,
      refreshToken,
      user: await decryptUser(fields, user),
      sessionId: familyId,
    };
  }

  const revokeFamily = (tx: Db, familyId: string) =>
    tx
      .update(refreshTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));

  /** Revokes a session on purpose (not a deactivation's side effect) and records why, in `tx`. */
  async function revokeSession(
    tx: Db,
    token: { userId: string; familyId: string },
    reason: 'refresh_token_reused' | 'logout',
    from: AuditSource,
  ) {
    await revokeFamily(tx, token.familyId);
    await audit.record(tx, from, {
      action: 'session.revoked',
      actorId: token.userId,
      target: token.familyId,
      details: { reason },
    });
  }

  return {
    async register(input: RegisterInput): Promise<AuthPayload> {
      const email = input.email.trim().toLowerCase();
      const name = input.name.trim();
      const city = input.city.trim();
      if (!EMAIL.test(email) || email.length > 254) throw badInput('email is not a valid e-mail address', 'email');
      if (input.password.length < MIN_PASSWORD_LENGTH || input.password.length > MAX_PASSWORD_LENGTH) {
        throw badInput(`password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`, 'password');
      }
      if (name.length < 1 || name.length > 100) throw badInput('name must be 1 to 100 characters', 'name');
      if (city.length < 1 || city.length > 100) throw badInput('city must be 1 to 100 characters', 'city');
      const passwordHash = await hashPassword(input.password);
      try {
        return await db.transaction(async (tx) => {
          // Nobody makes themselves a dealer: DEALER is requested here and granted by a moderator.
          const [user] = await tx
            .insert(users)
            .values({
              email: fields.encrypt(email, 'email'),
              emailIndex: fields.blindIndex(email),
              passwordHash,
              name: fields.encrypt(name, 'name'),
              city,
              kind: 'PRIVATE',
              roles: ['BUYER', 'SELLER'],
            })
            .returning();
          if (input.kind === 'DEALER') await tx.insert(dealerApplications).values({ userId: user!.id });
          return issue(tx as unknown as Db, user!, randomUUID());
        });
      } catch (error) {
        // The unique index decides races between two sign-ups with one e-mail.
        if (isUniqueViolation(error)) throw conflict('An account with this e-mail already exists');
        throw error;
      }
    },

    /**
     * Wrong e-mail and wrong password answer alike: the same message, the same statements, one
     * password check (against a dummy hash when nobody has the e-mail), the same throttling.
     */
    async login(emailInput: string, password: string, from: AuditSource = {}): Promise<AuthPayload> {
      const email = emailInput.trim().toLowerCase();
      const attempt = await throttle.begin(email);
      if (!attempt.allowed) {
        throw apiError(
          'TOO_MANY_ATTEMPTS',
          `Too many failed sign-ins for this account; try again in ${attempt.retryAfterSeconds} s`,
          {
            retryAfter: attempt.retryAfterSeconds,
          },
        );
      }
      const [user] = await db
        .select()
        .from(users)
        .where(eq(users.emailIndex, fields.blindIndex(email)))
        .limit(1);
      // No stored password is longer than MAX_PASSWORD_LENGTH, so a longer one cannot match and
      // is cut to one character more rather than hashed whole (a megabyte of password is CPU).
      const ok = await verifyPassword(password.slice(0, MAX_PASSWORD_LENGTH + 1), user?.passwordHash ?? DUMMY_HASH);
      if (!user || !ok || user.deactivatedAt) {
        signInResult.failure.inc();
        // The account when one has the e-mail, never the e-mail itself (the log outlives erasure).
        await audit.record(db, from, {
          action: 'sign_in.failed',
          actorId: user?.id ?? null,
          details: { reason: !user ? 'unknown_email' : !ok ? 'wrong_password' : 'deactivated' },
        });
        throw unauthenticated(LOGIN_FAILED);
      }
      await throttle.succeeded(email);
      const session = await db.transaction(async (tx) => {
        const issued = await issue(tx as unknown as Db, user, randomUUID());
        await audit.record(tx, from, { action: 'sign_in.succeeded', actorId: user.id, target: issued.sessionId });
        return issued;
      });
      signInResult.success.inc();
      return session;
    },

    async refresh(refreshToken: string, from: AuditSource = {}): Promise<AuthPayload> {
      const outcome = await db.transaction(async (tx) => {
        const [row] = await tx
          .select()
          .from(refreshTokens)
          .where(eq(refreshTokens.tokenHash, hashToken(refreshToken)))
          .for('update');
        if (!row || row.revokedAt || row.expiresAt < new Date())
          return { error: 'Refresh token is not valid; sign in again' } as const;
        if (row.rotatedAt) {
          await revokeSession(tx as unknown as Db, row, 'refresh_token_reused', from);
          return {
            error: 'This refresh token was already used; the session has been revoked for safety. Sign in again.',
          } as const;
        }
        const [user] = await tx.select().from(users).where(eq(users.id, row.userId));
        if (!user || user.deactivatedAt) {
          await revokeFamily(tx as unknown as Db, row.familyId);
          return { error: 'This account is deactivated' } as const;
        }
        await tx.update(refreshTokens).set({ rotatedAt: new Date() }).where(eq(refreshTokens.id, row.id));
        return { payload: await issue(tx as unknown as Db, user, row.familyId) } as const;
      });
      // Thrown after commit: the revocation must persist even though the request fails.
      if ('error' in outcome) throw unauthenticated(outcome.error);
      return outcome.payload;
    },

    /**
     * Asks for the current password again; every other session of the account is revoked (the
     * one the request's token belongs to stays), and the change is audited.
     */
    async changePassword(
      viewer: { userId: string; sessionId?: string },
      current: string,
      next: string,
      from: AuditSource = {},
    ): Promise<boolean> {
      if (next.length < MIN_PASSWORD_LENGTH || next.length > MAX_PASSWORD_LENGTH)
        throw badInput(`password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`, 'newPassword');
      const [user] = await db.select().from(users).where(eq(users.id, viewer.userId));
      if (!user || user.deactivatedAt) throw unauthenticated('This account is deactivated');
      if (!(await verifyPassword(current.slice(0, MAX_PASSWORD_LENGTH + 1), user.passwordHash)))
        throw unauthenticated('Password is wrong');
      const passwordHash = await hashPassword(next);
      await db.transaction(async (tx) => {
        await tx.update(users).set({ passwordHash }).where(eq(users.id, user.id));
        const others = await tx
          .update(refreshTokens)
          .set({ revokedAt: new Date() })
          .where(
            and(
              eq(refreshTokens.userId, user.id),
              isNull(refreshTokens.revokedAt),
              viewer.sessionId ? ne(refreshTokens.familyId, viewer.sessionId) : undefined,
            ),
          )
          .returning({ familyId: refreshTokens.familyId });
        await audit.record(tx, from, {
          action: 'password.changed',
          actorId: user.id,
          details: { sessionsRevoked: new Set(others.map((token) => token.familyId)).size },
        });
      });
      return true;
    },

    async logout(refreshToken: string, from: AuditSource = {}): Promise<boolean> {
      const [row] = await db
        .select()
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, hashToken(refreshToken)));
      if (!row) return false;
      await db.transaction((tx) => revokeSession(tx as unknown as Db, row, 'logout', from));
      return true;
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;

/** Retention: refresh tokens that expired more than `days` ago are of no use to anyone; deleted. */
export async function purgeExpiredRefreshTokens(db: Db, days: number): Promise<number> {
  const purged = await db
    .delete(refreshTokens)
    .where(lt(refreshTokens.expiresAt, sql`now() - make_interval(days => ${days}::int)`))
    .returning({ id: refreshTokens.id });
  return purged.length;
}

function isUniqueViolation(error: unknown): boolean {
  for (let e: any = error; e; e = e.cause) if (e.code === '23505') return true;
  return false;
}

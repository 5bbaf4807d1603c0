import { and, eq, isNull } from 'drizzle-orm';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { apiError, badInput, conflict, unauthenticated } from '../framework/errors';
import type { Database } from '../../kit/db';
import type { IdentityConfig } from './config';
import { dealerApplications, refreshTokens, users, type tables, type UserRow } from './db/schema';
import type { SigningKeys } from './keys';
import { DUMMY_HASH, hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords';
import type { LoginThrottle } from './throttle';

type Db = Database<typeof tables>['db'];

export interface AuthPayload {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  user: UserRow;
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
    return { accessToken: access.token, expiresAt: access.expiresAt, refreshToken, user };
  }

  const revokeFamily = (tx: Db, familyId: string) =>
    tx
      .update(refreshTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));

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
            .values({ email, passwordHash, name, city, kind: 'PRIVATE', roles: ['BUYER', 'SELLER'] })
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
    async login(emailInput: string, password: string): Promise<AuthPayload> {
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
      const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
      // No stored password is longer than MAX_PASSWORD_LENGTH, so a longer one cannot match and
      // is cut to one character more rather than hashed whole (a megabyte of password is CPU).
      const ok = await verifyPassword(password.slice(0, MAX_PASSWORD_LENGTH + 1), user?.passwordHash ?? DUMMY_HASH);
      if (!user || !ok || user.deactivatedAt) throw unauthenticated(LOGIN_FAILED);
      await throttle.succeeded(email);
      return db.transaction((tx) => issue(tx as unknown as Db, user, randomUUID()));
    },

    async refresh(refreshToken: string): Promise<AuthPayload> {
      const outcome = await db.transaction(async (tx) => {
        const [row] = await tx
          .select()
          .from(refreshTokens)
          .where(eq(refreshTokens.tokenHash, hashToken(refreshToken)))
          .for('update');
        if (!row || row.revokedAt || row.expiresAt < new Date())
          return { error: 'Refresh token is not valid; sign in again' } as const;
        if (row.rotatedAt) {
          await revokeFamily(tx as unknown as Db, row.familyId);
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

    async logout(refreshToken: string): Promise<boolean> {
      const [row] = await db
        .select()
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, hashToken(refreshToken)));
      if (!row) return false;
      await revokeFamily(db, row.familyId);
      return true;
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;

function isUniqueViolation(error: unknown): boolean {
  for (let e: any = error; e; e = e.cause) if (e.code === '23505') return true;
  return false;
}

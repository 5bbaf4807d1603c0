import { eq } from 'drizzle-orm';
import type { UsersContext } from './context';
import { decryptUser } from './crypto/field-cipher';
import { dealerApplications, refreshTokens, users } from './db/schema';

/** The account, its sessions (token hashes left out) and its dealer applications. */
export async function exportAccount(ctx: UsersContext, userId: string) {
  const [account] = await ctx.db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      city: users.city,
      kind: users.kind,
      roles: users.roles,
      createdAt: users.createdAt,
      deactivatedAt: users.deactivatedAt,
    })
    .from(users)
    .where(eq(users.id, userId));
  const sessions = await ctx.db
    .select({
      sessionId: refreshTokens.familyId,
      createdAt: refreshTokens.createdAt,
      expiresAt: refreshTokens.expiresAt,
      rotatedAt: refreshTokens.rotatedAt,
      revokedAt: refreshTokens.revokedAt,
    })
    .from(refreshTokens)
    .where(eq(refreshTokens.userId, userId))
    .orderBy(refreshTokens.createdAt);
  const applications = await ctx.db.select().from(dealerApplications).where(eq(dealerApplications.userId, userId));
  return {
    account: account ? await decryptUser(ctx.fields, account) : null,
    sessions,
    dealerApplications: applications,
  };
}

import { fileURLToPath } from 'node:url';
import { createTokenVerifier, defineSubgraph, readPrivacyConfig } from '../framework';
import { erasureRoutes } from './erasure';
import { readIdentityConfig } from './config';
import type { UsersContext } from './context';
import { tables } from './db/schema';
import { loadSigningKeys } from './keys';
import { localPrincipals } from './principals';
import { schema } from './schema';
import { createSessions, purgeExpiredRefreshTokens } from './sessions';
import { loadFieldCipher, reencryptUsers } from './crypto/field-cipher';
import { DEVELOPMENT_MASTER_KEYS, envMasterKeys } from './crypto/master-keys';
import { createLoginThrottle } from './throttle';

/** How often a replica forgets sign-in failures that no longer matter. */
const PRUNE_INTERVAL_MS = 10 * 60_000;

export default defineSubgraph<UsersContext, typeof tables>({
  name: 'users',
  schema,
  tables,
  migrationsFolder: fileURLToPath(new URL('./drizzle', import.meta.url)),
  setup: async ({ config, database, logger }) => {
    const identity = readIdentityConfig();
    // On the primary: a key generated at first start is read back at once, before a replica has it.
    const keys = await loadSigningKeys(database.primary, {
      privateKeyPem: identity.privateKeyPem,
      keyId: identity.keyId,
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
    });
    if (!identity.masterKeys)
      logger.warn('USERS_MASTER_KEYS is not set: personal fields use the development master key');
    const fields = await loadFieldCipher(
      database.primary,
      envMasterKeys(identity.masterKeys ?? DEVELOPMENT_MASTER_KEYS),
    );
    // Rows from before encryption (and the seed's) or under an older data key, before serving.
    const converted = await reencryptUsers(database.primary, fields);
    if (converted > 0) logger.info({ converted }, 'personal fields encrypted under the current data key');
    const throttle = createLoginThrottle(database.db, identity.loginThrottle);
    const prune = setInterval(() => {
      throttle.prune().catch((error) => logger.warn({ err: error }, 'could not prune sign-in failures'));
    }, PRUNE_INTERVAL_MS);
    prune.unref();
    const sessions = createSessions(database.db, keys, identity, throttle, fields);
    const jwksBody = JSON.stringify(keys.jwks);
    return {
      context: (base) => ({ ...base, db: database.db, sessions, fields }),
      viewerFrom: createTokenVerifier({
        keys: keys.localKeySet,
        issuer: config.jwtIssuer,
        audience: config.jwtAudience,
      }),
      principals: localPrincipals(database.db),
      routes: {
        ...erasureRoutes(database.db, readPrivacyConfig().internalToken),
        '/.well-known/jwks.json': () =>
          new Response(jwksBody, {
            headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' },
          }),
      },
      purge: async (retention) => ({
        refreshTokens: await purgeExpiredRefreshTokens(database.primary, retention.refreshTokenDays),
      }),
      onStop: async () => clearInterval(prune),
    };
  },
});

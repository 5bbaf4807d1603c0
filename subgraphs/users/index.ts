import { fileURLToPath } from 'node:url';
import { createTokenVerifier, defineSubgraph } from '../framework';
import { readIdentityConfig } from './config';
import type { UsersContext } from './context';
import { tables } from './db/schema';
import { loadSigningKeys } from './keys';
import { localPrincipals } from './principals';
import { schema } from './schema';
import { createSessions } from './sessions';
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
    const keys = await loadSigningKeys(database.db, {
      privateKeyPem: identity.privateKeyPem,
      keyId: identity.keyId,
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
    });
    const throttle = createLoginThrottle(database.db, identity.loginThrottle);
    const prune = setInterval(() => {
      throttle.prune().catch((error) => logger.warn({ err: error }, 'could not prune sign-in failures'));
    }, PRUNE_INTERVAL_MS);
    prune.unref();
    const sessions = createSessions(database.db, keys, identity, throttle);
    const jwksBody = JSON.stringify(keys.jwks);
    return {
      context: (base) => ({ ...base, db: database.db, sessions }),
      viewerFrom: createTokenVerifier({
        keys: keys.localKeySet,
        issuer: config.jwtIssuer,
        audience: config.jwtAudience,
      }),
      principals: localPrincipals(database.db),
      routes: {
        '/.well-known/jwks.json': () =>
          new Response(jwksBody, {
            headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' },
          }),
      },
      onStop: async () => clearInterval(prune),
    };
  },
});

import { fileURLToPath } from 'node:url';
import { createTokenVerifier, defineSubgraph } from '../framework';
import { readIdentityConfig } from './config';
import type { UsersContext } from './context';
import { tables } from './db/schema';
import { loadSigningKeys } from './keys';
import { schema } from './schema';
import { createSessions } from './sessions';

export default defineSubgraph<UsersContext, typeof tables>({
  name: 'users',
  schema,
  tables,
  migrationsFolder: fileURLToPath(new URL('./drizzle', import.meta.url)),
  setup: async ({ config, database }) => {
    const identity = readIdentityConfig();
    const keys = await loadSigningKeys(database.db, {
      privateKeyPem: identity.privateKeyPem,
      keyId: identity.keyId,
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
    });
    const sessions = createSessions(database.db, keys, identity);
    const jwksBody = JSON.stringify(keys.jwks);
    return {
      context: (base) => ({ ...base, db: database.db, sessions }),
      viewerFrom: createTokenVerifier({ keys: keys.localKeySet, issuer: config.jwtIssuer, audience: config.jwtAudience }),
      routes: {
        '/.well-known/jwks.json': () =>
          new Response(jwksBody, { headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' } }),
      },
    };
  },
});

import { withGatewaySignature } from '../framework/auth';
import type { PrincipalDirectory } from '../framework/principals';

/**
 * The users subgraph's one client for its peers (offers, reviews, catalog): whether the accounts
 * behind signed-in writes still exist and are active. One `_entities` call per request that
 * writes (the federation protocol itself; `User.active` is @inaccessible, so the gateway never
 * exposes it), no cache across requests: a deleted or deactivated account stops writing at once.
 */
export interface UsersClientOptions {
  /** The users subgraph's GraphQL endpoint (USERS_URL). */
  url: string;
  /** GATEWAY_HMAC_SECRET: a users subgraph that only serves the gateway serves requests signed like it. */
  hmacSecret?: string;
  /** Per call; default 5 s. */
  timeoutMs?: number;
}

const QUERY = /* GraphQL */ `
  query ActivePrincipals($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on User { id active }
    }
  }
`;

export function createUsersClient(options: UsersClientOptions): PrincipalDirectory {
  return {
    async activeOf(userIds) {
      const ids = [...new Set(userIds)];
      const response = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(
          withGatewaySignature(options.hmacSecret, {
            query: QUERY,
            variables: { representations: ids.map((id) => ({ __typename: 'User', id })) },
          }),
        ),
        signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
      });
      if (!response.ok) throw new Error(`users answered HTTP ${response.status}`);
      const body = (await response.json()) as {
        data?: { _entities: ({ id: string; active: boolean } | null)[] };
        errors?: { message: string }[];
      };
      // Any error means users could not tell (its database restarting gives `_entities: [null]` plus
      // an error): that is "cannot check" (AUTH_UNAVAILABLE, retryable), never "account gone".
      if (!body.data || body.errors?.length)
        throw new Error(`users query failed: ${body.errors?.map((e) => e.message).join('; ')}`);
      // Entities come back in the order asked; a missing (deleted, or never a user) one is null.
      return new Set(ids.filter((_, i) => body.data!._entities[i]?.active === true));
    },
  };
}

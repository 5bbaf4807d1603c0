import type { Actors } from '../actors';
import { gateway } from '../http';
import { OWASP, type Payload, type PayloadGroup } from '../payload';

const category = OWASP.authentication;
const REFRESH = 'mutation ($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }';
/** Refused by the users subgraph: a GraphQL error coded UNAUTHENTICATED, no tokens. */
const refused = {
  status: [200, 401],
  code: 'UNAUTHENTICATED',
  check: (o: { body: any }) => (o.body?.data?.refreshSession ? 'new tokens were issued' : null),
};

/** A new session (refresh-token family) of the session user, signed in straight at the users subgraph. */
async function newSession(actors: Actors): Promise<string> {
  const login = await actors.subgraph(
    'users',
    'mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { refreshToken } }',
    { e: actors.session.email, p: actors.session.password },
  );
  if (login.errors) throw new Error(`sign-in failed: ${JSON.stringify(login.errors)}`);
  return login.data.login.refreshToken;
}

const stillRefused = async (actors: Actors, token: string, what: string) => {
  const retry = await actors.gateway(REFRESH, { t: token });
  return retry.data?.refreshSession ? `${what} still works: the family was not revoked` : null;
};

/** Rotates a refresh token once, then presents the old one again: the whole family must be revoked. */
function reuseAfterRotation(): Payload {
  let rotated = '';
  return {
    name: 'refresh-token reuse after rotation',
    category,
    request: async (actors) => {
      const original = await newSession(actors);
      const rotation = await actors.gateway(REFRESH, { t: original });
      rotated = rotation.data?.refreshSession?.refreshToken ?? '';
      if (!rotated) throw new Error(`rotation failed: ${JSON.stringify(rotation.errors)}`);
      return gateway(REFRESH, { t: original });
    },
    expect: refused,
    verify: (actors) => stillRefused(actors, rotated, 'the token issued by the rotation'),
  };
}

/** Ends a session, then tries to refresh it. */
function refreshAfterLogout(): Payload {
  return {
    name: 'refresh after logout',
    category,
    request: async (actors) => {
      const token = await newSession(actors);
      await actors.gateway('mutation ($t: String!) { logout(refreshToken: $t) }', { t: token });
      return gateway(REFRESH, { t: token });
    },
    expect: refused,
  };
}

const payloads: Payload[] = [
  reuseAfterRotation(),
  refreshAfterLogout(),
  {
    name: 'access token used as a refresh token',
    category,
    request: (actors) => gateway(REFRESH, { t: actors.session.accessToken }),
    expect: refused,
  },
  {
    name: 'refresh token of the right shape but never issued',
    category,
    request: gateway(REFRESH, { t: Buffer.alloc(32, 7).toString('base64url') }),
    expect: refused,
  },
  {
    name: 'SQL wildcard as a refresh token',
    category: OWASP.injection,
    request: gateway(REFRESH, { t: "%' OR '1'='1" }),
    expect: refused,
  },
];

export const sessions: PayloadGroup = { name: 'Sessions and refresh tokens', payloads };

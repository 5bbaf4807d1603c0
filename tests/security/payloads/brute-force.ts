import type { Actors } from '../actors';
import { gateway } from '../http';
import {
  OWASP,
  type AttackRequest,
  type Expectation,
  type Observed,
  type Payload,
  type PayloadGroup,
} from '../payload';

const category = OWASP.authentication;
const LOGIN = 'mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }';
const WRONG = 'wrong password 123';
const noTokens = (o: Observed) => (o.text.includes('"accessToken":"') ? 'tokens were issued' : null);

/** The account is locked: even the right password is refused, with when to try again. */
const locked: Expectation = {
  status: [200, 429],
  code: 'TOO_MANY_ATTEMPTS',
  check: noTokens,
};
/** The caller's address spent its sign-in budget at the gateway. */
const addressLimited: Expectation = { status: [200, 429], code: 'RATE_LIMITED', check: noTokens };

const login = (email: string, password: string, headers: Record<string, string> = {}): AttackRequest => ({
  ...gateway(LOGIN, { e: email, p: password }),
  headers,
});
const randomEmail = () => `nobody-${crypto.randomUUID()}@security.test`;

/** Sign-in attempts the suite itself sends through the gateway before the payload's own. */
async function failSignIns(actors: Actors, count: number, email: string) {
  for (let i = 0; i < count; i++) await actors.gateway(LOGIN, { e: email, p: WRONG });
}

/** Sign-ins the address may make per minute (RATE_LIMIT_FIELDS: Mutation.login=10/60s). */
const ADDRESS_BUDGET = 10;
/** Sign-ins this group sends through the gateway before `perAddressLimit` (the per-account payloads). */
const SIGN_INS_BEFORE = 8;

/**
 * Fails sign-ins from the suite's address until the gateway refuses one; the payload is the next
 * attempt. The follow-up checks the gateway let no more than ADDRESS_BUDGET through in the window.
 */
function perAddressLimit(): Payload {
  let accepted = SIGN_INS_BEFORE;
  return {
    name: `per address: sign-in after the address spent its budget (${ADDRESS_BUDGET} per minute)`,
    category,
    request: async (actors) => {
      for (let i = 0; i <= ADDRESS_BUDGET; i++) {
        const answer = await actors.gateway(LOGIN, { e: randomEmail(), p: WRONG });
        if (answer.errors?.some((e: any) => e.extensions?.code === 'RATE_LIMITED')) break;
        accepted++;
      }
      return login(randomEmail(), WRONG);
    },
    expect: addressLimited,
    verify: async () => (accepted > ADDRESS_BUDGET ? `the address got ${accepted} sign-ins checked in a minute` : null),
  };
}

const payloads: Payload[] = [
  {
    name: 'per account: the right password after 5 failures',
    category,
    request: async (actors) => {
      await failSignIns(actors, 5, actors.bruteForce.email);
      return login(actors.bruteForce.email, actors.bruteForce.password);
    },
    expect: locked,
  },
  {
    name: 'per account: the lock holds from a spoofed address (X-Forwarded-For)',
    category,
    request: (a) => login(a.bruteForce.email, a.bruteForce.password, { 'x-forwarded-for': '203.0.113.77' }),
    expect: locked,
  },
  {
    name: 'per account: the lock holds for the e-mail in other case and padding',
    category,
    request: (a) => login(`  ${a.bruteForce.email.toUpperCase()} `, a.bruteForce.password),
    expect: locked,
  },
  perAddressLimit(),
  {
    name: 'per address: 11 aliased sign-ins in one operation',
    category,
    request: gateway(
      `mutation { ${Array.from({ length: 11 }, (_, i) => `a${i}: login(email: "${randomEmail()}", password: "${WRONG}") { accessToken }`).join(' ')} }`,
    ),
    expect: addressLimited,
  },
  {
    name: 'per address: X-Forwarded-For spoofing to dodge the limit',
    category,
    request: login(randomEmail(), WRONG, { 'x-forwarded-for': '198.51.100.23' }),
    expect: addressLimited,
  },
  {
    name: 'per address: X-Real-IP and Forwarded spoofing',
    category,
    request: login(randomEmail(), WRONG, { 'x-real-ip': '198.51.100.24', forwarded: 'for=198.51.100.24' }),
    expect: addressLimited,
  },
  {
    name: 'per address: a batch of 5 sign-ins',
    category,
    request: {
      target: 'gateway',
      json: Array.from({ length: 5 }, () => ({ query: LOGIN, variables: { e: randomEmail(), p: WRONG } })),
    },
    expect: {
      status: [200, 429],
      check: (o) =>
        noTokens(o) ?? (o.codes.filter((c) => c === 'RATE_LIMITED').length >= 5 ? null : `codes ${o.codes}`),
      means: 'every sign-in RATE_LIMITED',
    },
  },
];

export const bruteForce: PayloadGroup = { name: 'Sign-in brute force', payloads };

import { createHmac, generateKeyPairSync } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import type { Actors } from '../actors';
import { gateway } from '../http';
import { OWASP, type Payload, type PayloadGroup } from '../payload';

const category = OWASP.authentication;
const ME = '{ me { email roles } }';
/** A bad token is refused for the whole request, before anything runs. */
const rejected = { status: [400, 401], code: ['UNAUTHENTICATED', 'BAD_REQUEST'] };

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/** The claims the users subgraph puts in a real token, for `sub`. */
const claimsOf = (sub: string, extra: JWTPayload = {}): JWTPayload => ({
  sub,
  iss: 'autograph',
  aud: 'autograph-api',
  iat: now(),
  exp: now() + 600,
  roles: ['BUYER', 'SELLER'],
  ...extra,
});

const withToken = (token: (actors: Actors) => string | Promise<string>) => async (actors: Actors) =>
  gateway(ME, undefined, await token(actors));

/** A token of the attacker signed with the real key but `change` applied to its claims. */
const signedWith = (change: (claims: JWTPayload) => JWTPayload, header?: { kid?: string }) =>
  withToken((actors) => actors.sign(change(claimsOf(actors.attacker.id)), header));

const without = (claim: string) => (claims: JWTPayload) => {
  const { [claim]: _left, ...rest } = claims;
  return rest;
};

const payloads: Payload[] = [
  {
    name: 'alg none',
    category,
    request: withToken(
      (actors) =>
        `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claimsOf(actors.attacker.id, { roles: ['ADMIN'] }))}.`,
    ),
    expect: rejected,
  },
  {
    name: 'HS256 signed with the public key as the HMAC secret',
    category,
    request: withToken((actors) => {
      const unsigned = `${base64url({ alg: 'HS256', typ: 'JWT', kid: actors.target.secrets.signingKeyId })}.${base64url(claimsOf(actors.attacker.id, { roles: ['ADMIN'] }))}`;
      return `${unsigned}.${createHmac('sha256', actors.publicKeyPem).update(unsigned).digest('base64url')}`;
    }),
    expect: rejected,
  },
  {
    name: 'expired token',
    category,
    request: signedWith((claims) => ({ ...claims, iat: now() - 3600, exp: now() - 60 })),
    expect: rejected,
  },
  { name: 'token without exp', category, request: signedWith(without('exp')), expect: rejected },
  { name: 'token without iat', category, request: signedWith(without('iat')), expect: rejected },
  { name: 'token without sub', category, request: signedWith(without('sub')), expect: rejected },
  {
    name: 'wrong issuer',
    category,
    request: signedWith((claims) => ({ ...claims, iss: 'https://evil.example' })),
    expect: rejected,
  },
  {
    name: 'wrong audience',
    category,
    request: signedWith((claims) => ({ ...claims, aud: 'another-api' })),
    expect: rejected,
  },
  {
    name: 'not valid yet (nbf in an hour)',
    category,
    request: signedWith((claims) => ({ ...claims, nbf: now() + 3600 })),
    expect: rejected,
  },
  {
    name: 'unknown kid',
    category,
    request: signedWith((claims) => claims, { kid: 'no-such-key' }),
    expect: rejected,
  },
  {
    name: 'path-traversal kid',
    category,
    request: signedWith((claims) => claims, { kid: '../../../../../../etc/passwd' }),
    expect: rejected,
  },
  {
    name: 'SQL in kid',
    category,
    request: signedWith((claims) => claims, { kid: "' UNION SELECT 'secret' --" }),
    expect: rejected,
  },
  {
    name: 'payload tampered (roles: ADMIN) with the original signature',
    category,
    request: withToken((actors) => {
      const [header, , signature] = actors.attacker.accessToken.split('.');
      return `${header}.${base64url(claimsOf(actors.attacker.id, { roles: ['ADMIN', 'MODERATOR'] }))}.${signature}`;
    }),
    expect: rejected,
  },
  {
    name: 'token signed by another key under the real kid',
    category,
    request: withToken(async (actors) => {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      return new SignJWT(claimsOf(actors.attacker.id, { roles: ['ADMIN'] }))
        .setProtectedHeader({ alg: 'ES256', kid: actors.target.secrets.signingKeyId })
        .sign(privateKey);
    }),
    expect: rejected,
  },
  { name: 'garbage bearer token', category, request: gateway(ME, undefined, 'not.a.jwt'), expect: rejected },
  {
    name: 'Basic credentials instead of a bearer token',
    category,
    request: { target: 'gateway', json: { query: ME }, headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } },
    expect: rejected,
  },
  {
    name: 'refresh token used as an access token',
    category,
    request: (actors) => gateway(ME, undefined, actors.attacker.refreshToken),
    expect: rejected,
  },
  {
    name: 'token without exp straight to a subgraph (signed as the gateway)',
    category,
    request: async (actors) => ({
      target: 'users',
      json: actors.signedParams(ME),
      headers: { authorization: `Bearer ${await actors.sign(without('exp')(claimsOf(actors.attacker.id)))}` },
    }),
    expect: { status: 200, code: 'UNAUTHENTICATED' },
  },
];

export const tokens: PayloadGroup = { name: 'Access tokens (JWT)', payloads };

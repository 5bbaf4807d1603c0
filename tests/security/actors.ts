import { createPublicKey } from 'node:crypto';
import { importPKCS8, SignJWT, type JWTPayload } from 'jose';
import { ACCESS_TOKEN_ALGORITHM, withGatewaySignature } from '../../subgraphs/framework/auth';
import type { SubgraphName } from '../../subgraphs/framework/subgraph-config';
import type { TargetSystem } from './system';

export interface Actor {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

/** The people and things the payloads attack, created before the first payload. */
export interface Actors {
  target: TargetSystem;
  /** Owns an offer; every authorization payload tries to reach what is theirs. */
  victim: Actor & { offerId: string; offerPrice: number };
  /** An ordinary signed-in user (BUYER, SELLER) attacking the victim's data and admin functions. */
  attacker: Actor;
  /** Whose refresh-token family the session payloads rotate, reuse and end. */
  session: Actor;
  /** The account the sign-in brute force aims at. */
  bruteForce: Actor;
  modelId: string;
  makeId: string;
  /** The access-token signing key's public half (PEM), as published in the JWKS. */
  publicKeyPem: string;
  /** An access token signed with the real key and exactly these claims and header fields. */
  sign(claims: JWTPayload, header?: { kid?: string }): Promise<string>;
  /** GraphQL request parameters signed as the gateway signs them, for calls straight to a subgraph. */
  signedParams(query: string, variables?: Record<string, unknown>): Record<string, unknown>;
  /** A GraphQL call to a subgraph signed as the gateway signs (for setup and after-the-fact checks). */
  subgraph(name: SubgraphName, query: string, variables?: Record<string, unknown>, token?: string): Promise<any>;
  /** A GraphQL call through the gateway (for setup and after-the-fact checks). */
  gateway(query: string, variables?: Record<string, unknown>, token?: string): Promise<any>;
}

const PASSWORD = 'correct horse battery staple';

export async function createActors(target: TargetSystem): Promise<Actors> {
  const { system, secrets } = target;
  const key = await importPKCS8(secrets.signingKeyPem, ACCESS_TOKEN_ALGORITHM);
  const post = async (url: string, params: Record<string, unknown>, token?: string) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(params),
    });
    return response.json() as Promise<any>;
  };
  const signedParams: Actors['signedParams'] = (query, variables = {}) =>
    withGatewaySignature(secrets.hmacSecret, { query, variables });
  const subgraph: Actors['subgraph'] = async (name, query, variables = {}, token) =>
    post(`${system.subgraphUrls[name]}/graphql`, signedParams(query, variables), token);
  const gateway: Actors['gateway'] = (query, variables = {}, token) =>
    post(`${system.gatewayUrl}/graphql`, { query, variables }, token);

  const suffix = `${process.pid}-${Date.now().toString(36)}`;
  const register = async (label: string): Promise<Actor> => {
    const email = `${label}-${suffix}@security.test`;
    const result = await subgraph(
      'users',
      `mutation ($input: RegisterInput!) { register(input: $input) { accessToken refreshToken viewer { user { id } } } }`,
      { input: { email, password: PASSWORD, name: label, city: 'Kazan' } },
    );
    if (result.errors) throw new Error(`cannot register ${label}: ${JSON.stringify(result.errors)}`);
    const { accessToken, refreshToken, viewer } = result.data.register;
    return { id: viewer.user.id, email, password: PASSWORD, accessToken, refreshToken };
  };

  const [victim, attacker, session, bruteForce] = await Promise.all(
    ['victim', 'attacker', 'session', 'brute-force'].map(register),
  );
  const catalog = await gateway('{ makes { id models { id } } }');
  const make = catalog.data.makes.find((m: { models: unknown[] }) => m.models.length > 0);
  const offerPrice = 1_500_000;
  const created = await gateway(
    `mutation ($input: CreateOfferInput!) { createOffer(input: $input) { id } }`,
    {
      input: {
        modelId: make.models[0].id,
        title: 'Victim car',
        price: offerPrice,
        year: 2018,
        mileageKm: 60_000,
        city: 'Kazan',
      },
    },
    victim!.accessToken,
  );
  if (created.errors) throw new Error(`cannot create the victim's offer: ${JSON.stringify(created.errors)}`);

  return {
    target,
    victim: { ...victim!, offerId: created.data.createOffer.id, offerPrice },
    attacker: attacker!,
    session: session!,
    bruteForce: bruteForce!,
    modelId: make.models[0].id,
    makeId: make.id,
    publicKeyPem: createPublicKey(secrets.signingKeyPem).export({ type: 'spki', format: 'pem' }).toString(),
    sign: (claims, header = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, kid: header.kid ?? secrets.signingKeyId, typ: 'JWT' })
        .sign(key),
    signedParams,
    subgraph,
    gateway,
  };
}

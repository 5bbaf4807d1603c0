import { useJWT, type GatewayPlugin } from '@graphql-hive/gateway';
import { z } from 'zod';
import { env } from '../../kit/config';
import { useErrorCodes } from '../plugins/use-error-codes';
import { jwksSigningKeys } from '../signing-keys';
import type { ChainDeps, ChainPart } from './types';

/** Environment of the security concern (JWT, authorization, trusted documents, limits, headers). */
export const securityEnv = z
  .object({
    JWKS_URL: env.url().default('http://127.0.0.1:4003/.well-known/jwks.json'),
    JWT_ISSUER: z.string().min(1).default('autograph'),
    JWT_AUDIENCE: z.string().min(1).default('autograph-api'),
  })
  .transform((raw) => ({
    jwt: { jwksUrl: raw.JWKS_URL, issuer: raw.JWT_ISSUER, audience: raw.JWT_AUDIENCE },
  }));
export type SecurityOptions = z.infer<typeof securityEnv>;

export function security(options: SecurityOptions, _deps: ChainDeps): ChainPart {
  return {
    name: 'security',
    config: {
      // Subgraphs verify the bearer token themselves; nothing else from the client reaches them.
      propagateHeaders: {
        fromClientToSubgraphs: ({ request }) => {
          const authorization = request.headers.get('authorization');
          return authorization ? { authorization } : {};
        },
      },
    },
    plugins: () => [
      // plugin-jwt-auth bundles its own copy of the gateway's types (nominal Logger class),
      // so its plugin type does not unify with this config's; the runtime shapes are the same.
      useJWT({
        signingKeyProviders: [jwksSigningKeys(options.jwt.jwksUrl)],
        tokenVerification: { issuer: options.jwt.issuer, audience: options.jwt.audience, algorithms: ['ES256'] },
        // Anonymous reads are allowed; a token that is present must be valid.
        reject: { missingToken: false, invalidToken: true },
      }) as unknown as GatewayPlugin,
      useErrorCodes(),
    ],
  };
}

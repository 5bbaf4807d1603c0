import type { GatewayConfig, GatewayPlugin } from '@graphql-hive/gateway';
import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { z } from 'zod';
import { env } from '../../kit/config';
import { useArbitraryDocumentLog } from './use-arbitrary-document-log';
import { useErrorCodes } from './use-error-codes';
import { useMaskedErrors } from './use-masked-errors';
import { DEFAULT_MAX_REQUEST_BODY_BYTES, useMaxRequestBody } from './use-max-request-body';
import {
  DEFAULT_MAX_ALIASES,
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_DIRECTIVES,
  DEFAULT_MAX_TOKENS,
  useQueryLimits,
} from './use-query-limits';
import { useVariableErrors } from '../operation/variables';
import { useSecurityHeaders } from './use-security-headers';
import { useSubgraphSignature } from './use-subgraph-signature';
import { useSupportedOperationTypes } from './use-supported-operation-types';
import { useFieldAuthorization } from './authorization';
import { corsOptions, CSRF_HEADERS, headerAllowList, parseCorsOrigins, propagatedHeaders } from './http';
import {
  createTrustedDocumentStore,
  DEFAULT_TRUSTED_DOCUMENTS_CACHE_SIZE,
  DEFAULT_TRUSTED_DOCUMENTS_MISS_TTL_MS,
} from './trusted-documents';
import { jwksSigningKeys, signingKeysUnavailable } from './signing-keys';
import { useAccessTokens } from './access-tokens';
import { useSubscriptionExpiry } from './use-subscription-expiry';
import type { ChainDeps, ChainPart } from '../concern';

const onOff = (fallback?: 'on' | 'off') =>
  fallback ? z.enum(['on', 'off']).default(fallback) : z.enum(['on', 'off']).optional();
/** A non-negative integer; 0 switches the limit off. */
const limit = (fallback: number) =>
  z.coerce.number().int().min(0, 'must be 0 (off) or a positive integer').default(fallback);

/** Environment of the security concern (JWT, authorization, trusted documents, limits, headers). */
export const securityEnv = z
  .object({
    JWKS_URL: env.url().default('http://127.0.0.1:4003/.well-known/jwks.json'),
    JWT_ISSUER: z.string().min(1).default('autograph'),
    JWT_AUDIENCE: z.string().min(1).default('autograph-api'),
    /** Verify access tokens at the gateway (subgraphs always verify them too). */
    JWT_VERIFICATION: onOff('on'),
    /** Enforce @authenticated / @requiresScopes / @policy from the supergraph. */
    AUTHORIZATION_DIRECTIVES: onOff('on'),
    TRUSTED_DOCUMENTS: z.enum(['off', 'allow-arbitrary-with-log', 'enforce']).default('off'),
    TRUSTED_DOCUMENTS_CACHE_SIZE: env.positiveInt(DEFAULT_TRUSTED_DOCUMENTS_CACHE_SIZE),
    TRUSTED_DOCUMENTS_MISS_TTL_MS: z.coerce.number().int().min(0).default(DEFAULT_TRUSTED_DOCUMENTS_MISS_TTL_MS),
    MAX_DEPTH: limit(DEFAULT_MAX_DEPTH),
    MAX_ALIASES: limit(DEFAULT_MAX_ALIASES),
    MAX_TOKENS: limit(DEFAULT_MAX_TOKENS),
    MAX_DIRECTIVES: limit(DEFAULT_MAX_DIRECTIVES),
    /** Operations per batched request; 0: batching is refused. */
    MAX_BATCH_SIZE: limit(10),
    MAX_REQUEST_BODY_BYTES: limit(DEFAULT_MAX_REQUEST_BODY_BYTES),
    /** Unset: off when NODE_ENV=production, on otherwise. */
    INTROSPECTION: onOff(),
    FIELD_SUGGESTIONS: onOff(),
    CSRF_PREVENTION: onOff('on'),
    /** Comma-separated origins, "*" for any, "none" for no cross-origin access. Unset: none in production, any otherwise. */
    CORS_ORIGINS: z
      .string()
      .optional()
      .superRefine((value, ctx) => {
        const problem = value === undefined ? null : parseCorsOrigins(value).problem;
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    ERROR_MASKING: onOff('on'),
    /** Client headers forwarded to subgraphs besides `authorization`, comma-separated. */
    PROPAGATE_HEADERS: z
      .string()
      .default('')
      .superRefine((value, ctx) => {
        const problem = headerAllowList(value).problem;
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    /** Signs every subgraph request (HMAC-SHA256); subgraphs given the same secret refuse unsigned ones. */
    GATEWAY_HMAC_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    /** Strict-Transport-Security on every answer: on where a proxy in front terminates TLS. */
    HSTS: onOff('off'),
    NODE_ENV: z.enum(['production', 'development', 'test']).default('development'),
  })
  .superRefine((raw, ctx) => {
    // Unsigned subgraph calls let anyone who reaches a subgraph act as the gateway.
    if (raw.NODE_ENV === 'production' && !raw.GATEWAY_HMAC_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['GATEWAY_HMAC_SECRET'],
        message: 'is required when NODE_ENV=production (subgraphs must be able to tell the gateway from anyone else)',
      });
    }
    // Authorization decides on the verified token; without verification every protected field would be refused.
    if (raw.JWT_VERIFICATION === 'off' && raw.AUTHORIZATION_DIRECTIVES === 'on') {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTHORIZATION_DIRECTIVES'],
        message: 'must be off when JWT_VERIFICATION=off',
      });
    }
  })
  .transform((raw) => ({
    jwt: {
      enabled: raw.JWT_VERIFICATION === 'on',
      jwksUrl: raw.JWKS_URL,
      issuer: raw.JWT_ISSUER,
      audience: raw.JWT_AUDIENCE,
    },
    authorization: raw.AUTHORIZATION_DIRECTIVES === 'on',
    trustedDocuments: {
      mode: raw.TRUSTED_DOCUMENTS,
      cacheSize: raw.TRUSTED_DOCUMENTS_CACHE_SIZE,
      missTtlMs: raw.TRUSTED_DOCUMENTS_MISS_TTL_MS,
    },
    limits: {
      maxDepth: raw.MAX_DEPTH,
      maxAliases: raw.MAX_ALIASES,
      maxTokens: raw.MAX_TOKENS,
      maxDirectives: raw.MAX_DIRECTIVES,
    },
    maxBatchSize: raw.MAX_BATCH_SIZE,
    maxRequestBodyBytes: raw.MAX_REQUEST_BODY_BYTES,
    introspection: raw.INTROSPECTION && raw.INTROSPECTION === 'on',
    fieldSuggestions: raw.FIELD_SUGGESTIONS && raw.FIELD_SUGGESTIONS === 'on',
    csrfPrevention: raw.CSRF_PREVENTION === 'on',
    corsOrigins: raw.CORS_ORIGINS === undefined ? undefined : parseCorsOrigins(raw.CORS_ORIGINS).origins,
    errorMasking: raw.ERROR_MASKING === 'on',
    propagateHeaders: headerAllowList(raw.PROPAGATE_HEADERS).headers,
    hmacSecret: raw.GATEWAY_HMAC_SECRET,
    hsts: raw.HSTS === 'on',
  }));
export type SecurityOptions = z.infer<typeof securityEnv>;

export function security(options: SecurityOptions, deps: ChainDeps): ChainPart {
  const config: Partial<GatewayConfig<Record<string, any>>> = {
    // Nothing from the client reaches subgraphs but the allow-list (the x-request-id is Hive's own).
    propagateHeaders: { fromClientToSubgraphs: ({ request }) => propagatedHeaders(request, options.propagateHeaders) },
    batching: options.maxBatchSize > 0 ? { limit: options.maxBatchSize } : false,
    cors: corsOptions(options.corsOrigins ?? (deps.production ? [] : ['*'])),
  };
  // Variables that do not coerce are refused first, coded, before anything reads them.
  const plugins: GatewayPlugin[] = [
    useVariableErrors(),
    useSupportedOperationTypes(),
    useSecurityHeaders({ hsts: options.hsts }),
  ];

  if (options.maxRequestBodyBytes > 0) plugins.push(useMaxRequestBody({ maxBytes: options.maxRequestBodyBytes }));
  if (options.jwt.enabled)
    plugins.push(
      ...useAccessTokens({
        signingKey: jwksSigningKeys(options.jwt.jwksUrl),
        issuer: options.jwt.issuer,
        audience: options.jwt.audience,
      }),
    );
  // A subscription ends when the token it started with expires.
  if (options.jwt.enabled) plugins.push(useSubscriptionExpiry());
  if (options.authorization) plugins.push(useFieldAuthorization({ metrics: deps.metrics }));

  if (options.trustedDocuments.mode !== 'off') {
    const store = createTrustedDocumentStore({
      registry: deps.registry,
      redis: deps.redis,
      redisKeyPrefix: deps.redisKeyPrefix,
      logger: deps.logger,
      metrics: deps.metrics,
      ...options.trustedDocuments,
    });
    const arbitrary =
      options.trustedDocuments.mode === 'allow-arbitrary-with-log'
        ? useArbitraryDocumentLog({ logger: deps.logger, metrics: deps.metrics })
        : null;
    config.persistedDocuments = {
      getPersistedOperation: (id: string) => store.get(id),
      allowArbitraryDocuments: arbitrary ? arbitrary.allow : false,
      customErrors: {
        notFound: {
          message: 'No trusted document has this id',
          extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: { status: 400 } },
        },
        persistedQueryOnly: {
          message: 'Only trusted documents are served: send a document id, not query text',
          extensions: { code: 'PERSISTED_QUERY_ONLY', http: { status: 400 } },
        },
        keyNotFound: {
          message: 'Send a trusted document id (extensions.persistedQuery.sha256Hash or documentId)',
          extensions: { code: 'PERSISTED_QUERY_ID_REQUIRED', http: { status: 400 } },
        },
      },
    };
    if (arbitrary) plugins.push(arbitrary.plugin);
  }

  plugins.push(useQueryLimits({ ...options.limits, metrics: deps.metrics }));
  if (!(options.introspection ?? !deps.production)) config.disableIntrospection = {};
  if (!(options.fieldSuggestions ?? !deps.production)) plugins.push(blockFieldSuggestionsPlugin() as GatewayPlugin);
  // GET and form posts are "simple" requests a browser sends cross-site without asking: they need a header.
  if (options.csrfPrevention) config.csrfPrevention = { requestHeaders: [...CSRF_HEADERS] };

  if (options.errorMasking) {
    const masking = useMaskedErrors({ logger: deps.logger, translate: signingKeysUnavailable });
    config.maskedErrors = masking.maskedErrors;
    plugins.push(masking.plugin);
  } else {
    config.maskedErrors = false;
  }
  if (options.hmacSecret) plugins.push(useSubgraphSignature(options.hmacSecret));
  plugins.push(useErrorCodes({ metrics: deps.metrics }));

  return { name: 'security', config, plugins: () => plugins };
}

export { boundRequestId } from './http';

import SchemaBuilder from '@pothos/core';
import DirectivePlugin from '@pothos/plugin-directives';
import FederationPlugin from '@pothos/plugin-federation';
import { GraphQLError, Kind } from 'graphql';
import type { Role } from './auth';
import type { BaseContext } from './context';

export interface SubgraphSchemaTypes<Ctx extends BaseContext> {
  Context: Ctx;
  /** `requiresScopes: [[...]]` names roles: the gateway grants a token's `roles` claim as its scopes. */
  FederationScopes: Role;
  Scalars: {
    ID: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date | string };
    /** Data exports and audit details (privacy/graphql.ts). */
    JSON: { Input: unknown; Output: unknown };
  };
  DefaultFieldNullability: false;
}

/**
 * One builder shape for every subgraph: federation + directives plugins, the DateTime scalar
 * from the contract, non-null fields by default (as the contract is).
 *
 * Access rules are declared on fields with the federation plugin's options, which print as
 * `@authenticated` / `@requiresScopes` and are imported through the schema's `@link`:
 * `t.field({ authenticated: true, ... })`, `t.field({ requiresScopes: [['MODERATOR'], ['ADMIN']], ... })`
 * (outer list: any of; inner list: all of). The gateway enforces them before planning; the
 * resolvers keep their own checks (`requireViewer`, `requireRole`) for requests that reach a
 * subgraph some other way.
 */
export function createSubgraphBuilder<Ctx extends BaseContext>() {
  const builder = new SchemaBuilder<SubgraphSchemaTypes<Ctx>>({
    plugins: [DirectivePlugin, FederationPlugin],
    defaultFieldNullability: false,
  });
  builder.scalarType('DateTime', {
    description: 'ISO-8601 date-time string',
    serialize: (value) => (value instanceof Date ? value.toISOString() : new Date(value).toISOString()),
    parseValue: (value) => parseDateTime(value),
    parseLiteral: (ast) => {
      if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be an ISO-8601 string');
      return parseDateTime(ast.value);
    },
  });
  return builder;
}

export type SubgraphBuilder<Ctx extends BaseContext> = ReturnType<typeof createSubgraphBuilder<Ctx>>;

function parseDateTime(value: unknown): Date {
  const date = typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (Number.isNaN(date.getTime())) {
    throw new GraphQLError('DateTime must be an ISO-8601 string', { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return date;
}

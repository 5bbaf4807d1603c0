import SchemaBuilder from '@pothos/core';
import DirectivePlugin from '@pothos/plugin-directives';
import FederationPlugin from '@pothos/plugin-federation';
import { GraphQLError, Kind } from 'graphql';
import type { BaseContext } from './context';

export interface SubgraphSchemaTypes<Ctx extends BaseContext> {
  Context: Ctx;
  Scalars: {
    ID: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date | string };
  };
  DefaultFieldNullability: false;
}

/**
 * One builder shape for every subgraph: federation + directives plugins, the DateTime scalar
 * from the contract, non-null fields by default (as the contract is).
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

import type { GatewayPlugin } from '@graphql-hive/gateway';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import type { GraphQLArmorCallbackConfiguration } from '@escape.tech/graphql-armor-types';
import { GraphQLError } from 'graphql';
import type { GatewayMetrics } from '../metrics';

/** Deepest field nesting (Relay connections spend two levels per hop: `edges { node }`). */
export const DEFAULT_MAX_DEPTH = 12;
export const DEFAULT_MAX_ALIASES = 30;
/** Lexical tokens per document; the stock introspection query has about 250. */
export const DEFAULT_MAX_TOKENS = 2_000;
export const DEFAULT_MAX_DIRECTIVES = 30;

export interface QueryLimitsOptions {
  metrics: GatewayMetrics;
  /** Each limit: a positive number, or 0 to switch that check off. */
  maxDepth?: number;
  maxAliases?: number;
  maxTokens?: number;
  maxDirectives?: number;
}

export type QueryLimitCode = 'QUERY_TOO_DEEP' | 'TOO_MANY_ALIASES' | 'TOO_MANY_TOKENS' | 'TOO_MANY_DIRECTIVES';

/**
 * Rejects operations that are expensive to parse, validate or plan, before any subgraph is
 * called: GraphQL Armor's checks, with the stable codes and 400 status our API promises instead
 * of Armor's generic "Syntax Error: ..." (which is not one).
 */
export function useQueryLimits(options: QueryLimitsOptions): GatewayPlugin {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const maxAliases = options.maxAliases ?? DEFAULT_MAX_ALIASES;
  const maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS;
  const maxDirectives = options.maxDirectives ?? DEFAULT_MAX_DIRECTIVES;
  const rejected = options.metrics.counter({
    name: 'autograph_gateway_query_limit_rejections_total',
    help: 'Documents refused by a query limit (depth, aliases, tokens, directives), by limit; repeats answered from the parse/validation cache are not counted again.',
    labelNames: ['code'],
  });
  /** The coded error for a refusal, counted under its limit (each label bound once). */
  const refusal = (code: QueryLimitCode) => {
    const counted = rejected.labels({ code });
    return (error: GraphQLError) => {
      counted.inc();
      return limitError(code, error);
    };
  };
  /** Validation-time limits report a validation error, so the rest of validation still runs and the status is 400. */
  const reportAs = (code: QueryLimitCode): GraphQLArmorCallbackConfiguration => {
    const refuse = refusal(code);
    return { propagateOnRejection: false, onReject: [(context, error) => context?.reportError(refuse(error))] };
  };
  const tooManyTokens = refusal('TOO_MANY_TOKENS');

  const plugins = [
    // Tokens are counted while parsing, where there is no validation context to report to: throw.
    maxTokens > 0 &&
      maxTokensPlugin({
        n: maxTokens,
        propagateOnRejection: false,
        onReject: [
          (_context, error) => {
            throw tooManyTokens(error);
          },
        ],
      }),
    maxDepth > 0 && maxDepthPlugin({ n: maxDepth, ...reportAs('QUERY_TOO_DEEP') }),
    maxAliases > 0 && maxAliasesPlugin({ n: maxAliases, ...reportAs('TOO_MANY_ALIASES') }),
    maxDirectives > 0 && maxDirectivesPlugin({ n: maxDirectives, ...reportAs('TOO_MANY_DIRECTIVES') }),
  ].filter((plugin) => plugin !== false);

  return {
    onPluginInit({ addPlugin }) {
      for (const plugin of plugins) addPlugin(plugin as Parameters<typeof addPlugin>[0]);
    },
  };
}

function limitError(code: QueryLimitCode, error: GraphQLError): GraphQLError {
  return new GraphQLError(error.message.replace(/^Syntax Error: /, ''), {
    extensions: { code, http: { status: 400 } },
  });
}

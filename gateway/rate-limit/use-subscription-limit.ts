import type { GatewayPlugin } from '@graphql-hive/gateway';
import { GraphQLError } from 'graphql';
import { followStream, isStream } from '../operation/streams';
import type { IdentityContext } from './identity';

/** Open subscriptions per client (verified user, else address) on one gateway; SUBSCRIPTIONS_PER_CLIENT. */
export const DEFAULT_SUBSCRIPTIONS_PER_CLIENT = 20;
export const SUBSCRIPTION_LIMIT = 'SUBSCRIPTION_LIMIT';

export interface SubscriptionLimitOptions {
  /** Open subscriptions a client may hold on this gateway at once. */
  maxPerClient: number;
  identify: (context: IdentityContext, request?: Request) => string | null;
}

/**
 * Concurrent subscriptions per client, counted in this gateway process: a subscription holds a
 * connection and an upstream stream for as long as it lives, so what is limited is how many are
 * open, not how fast they are opened (the request rate limit covers that). One over the limit is
 * refused before anything reaches a subgraph, with SUBSCRIPTION_LIMIT (HTTP 429 over SSE); closing
 * one frees its place. Per process: several replicas allow a client that many each.
 */
export function useSubscriptionLimit(options: SubscriptionLimitOptions): GatewayPlugin {
  const open = new Map<string, number>();
  const release = (client: string) => {
    const left = (open.get(client) ?? 1) - 1;
    if (left > 0) open.set(client, left);
    else open.delete(client);
  };
  return {
    onSubscribe({ args, setSubscribeFn }) {
      const context = args.contextValue as IdentityContext & { request?: Request };
      const client = options.identify(context, context.request);
      if (client === null) return;
      if ((open.get(client) ?? 0) >= options.maxPerClient) {
        const refused = new GraphQLError(
          `Too many open subscriptions: at most ${options.maxPerClient} per client. Close one to open another.`,
          { extensions: { code: SUBSCRIPTION_LIMIT, limit: options.maxPerClient, http: { status: 429 } } },
        );
        setSubscribeFn(() => ({ errors: [refused] }));
        return;
      }
      open.set(client, (open.get(client) ?? 0) + 1);
      let counted = true;
      const uncount = () => {
        if (counted) release(client);
        counted = false;
      };
      return {
        onSubscribeResult({ result, setResult }) {
          if (!isStream(result)) return uncount();
          setResult(followStream(result, { onClose: uncount }).stream as never);
        },
        onSubscribeError: uncount,
      };
    },
  };
}

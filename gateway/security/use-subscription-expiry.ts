import type { GatewayPlugin } from '@graphql-hive/gateway';
import { GraphQLError } from 'graphql';
import { useStreamFollower } from '../operation/streams';

export const TOKEN_EXPIRED = 'TOKEN_EXPIRED';

/**
 * A subscription lives no longer than the access token it was started with: the token is verified
 * when it starts (the JWT plugin, as for any request), and at the token's `exp` the subscription
 * gets a last result with the error TOKEN_EXPIRED and completes. The client subscribes again with
 * a fresh token. Anonymous subscriptions (where the supergraph allows them) have no end of this kind.
 */
export function useSubscriptionExpiry(): GatewayPlugin {
  return useStreamFollower((context) => {
    const exp = (context.jwt as { payload?: { exp?: unknown } } | undefined)?.payload?.exp;
    if (typeof exp !== 'number') return null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    return {
      onStart(stream) {
        const expired = () =>
          stream.end({
            errors: [
              new GraphQLError(
                'The access token expired: the subscription ended. Subscribe again with a fresh token.',
                {
                  extensions: { code: TOKEN_EXPIRED },
                },
              ),
            ],
          });
        timer = setTimeout(expired, Math.max(0, exp * 1000 - Date.now()));
      },
      onClose: () => clearTimeout(timer),
    };
  });
}

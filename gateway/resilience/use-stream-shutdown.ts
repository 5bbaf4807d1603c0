import type { GatewayPlugin } from '@graphql-hive/gateway';
import { GraphQLError } from 'graphql';
import { type LiveStream, useStreamFollower } from '../operation/streams';

export const SERVER_SHUTTING_DOWN = 'SERVER_SHUTTING_DOWN';

/**
 * Every open subscription, so a stopping gateway can end them with a reason instead of cutting
 * their connections: a subscription never finishes on its own, and the server waits for what is
 * in flight. Each subscriber gets a last result with SERVER_SHUTTING_DOWN (retryable: subscribe
 * again, another replica answers) and completes.
 */
export function useStreamShutdown(): { plugin: GatewayPlugin; endAll(): number } {
  const open = new Set<LiveStream>();
  const plugin = useStreamFollower(() => {
    let control: LiveStream | undefined;
    return {
      onStart(stream) {
        control = stream;
        open.add(stream);
      },
      onClose: () => {
        if (control) open.delete(control);
      },
    };
  });
  return {
    plugin,
    endAll() {
      const ended = open.size;
      const last = {
        errors: [
          new GraphQLError('The gateway is shutting down: subscribe again.', {
            extensions: { code: SERVER_SHUTTING_DOWN, retryable: true },
          }),
        ],
      };
      for (const stream of open) stream.end(last);
      open.clear();
      return ended;
    },
  };
}

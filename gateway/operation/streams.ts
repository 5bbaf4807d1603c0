import type { GatewayPlugin } from '@graphql-hive/gateway';
import { isAsyncIterable } from '@graphql-tools/utils';
import type { ExecutionResult } from 'graphql';

/** What a subscription's execution hands the next hook: a stream of results, or one result (refused). */
type SubscribeResultHook = NonNullable<
  ReturnType<NonNullable<NonNullable<GatewayPlugin['onSubscribe']>>> extends infer R
    ? R extends { onSubscribeResult?: infer H }
      ? H
      : never
    : never
>;

export interface LiveStream {
  /** Ends the subscription: `last` is delivered as its final result, then it completes. */
  end(last: ExecutionResult): void;
}

/**
 * A subscription's (or @defer's) results rather than one result. Generic so that the other branch
 * keeps the caller's own result type (executors' and hooks' result types differ in their generics).
 */
export const isStream = <T>(value: T): value is Extract<T, AsyncIterable<unknown>> => isAsyncIterable(value);

/**
 * Wraps a subscription's results so a concern can follow it (`onResult` per event, `onClose` once
 * however it ends) and end it with a final, coded result (`end`). Hand-written: a Repeater would
 * do, but it is not a dependency of ours, and this is the one place that needs it.
 */
export function followStream(
  source: AsyncIterable<ExecutionResult>,
  hooks: { onResult?: (result: ExecutionResult) => void; onClose?: () => void } = {},
): { stream: AsyncIterableIterator<ExecutionResult>; control: LiveStream } {
  const iterator = source[Symbol.asyncIterator]();
  let closed = false;
  let last: ExecutionResult | null = null;
  let ended = false;
  let wake: () => void = () => {};
  const endSignal = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const close = () => {
    if (closed) return;
    closed = true;
    hooks.onClose?.();
  };
  const done = (): IteratorResult<ExecutionResult> => ({ value: undefined, done: true });
  const stream: AsyncIterableIterator<ExecutionResult> = {
    [Symbol.asyncIterator]() {
      return stream;
    },
    async next() {
      if (ended) {
        const final = last;
        last = null;
        if (final) return { value: final, done: false };
        close();
        return done();
      }
      const result = await Promise.race([iterator.next(), endSignal.then(() => null)]);
      if (result === null) return stream.next();
      if (result.done) close();
      else hooks.onResult?.(result.value);
      return result;
    },
    async return() {
      ended = true;
      last = null;
      close();
      await iterator.return?.();
      return done();
    },
    async throw(error) {
      close();
      await iterator.return?.();
      throw error;
    },
  };
  return {
    stream,
    control: {
      end(final) {
        if (ended) return;
        ended = true;
        last = final;
        wake();
        void Promise.resolve(iterator.return?.()).catch(() => {});
      },
    },
  };
}

/**
 * A plugin that follows every subscription stream: `start` is told of each one with its context
 * and decides what to watch; what it returns wraps the stream.
 */
export function useStreamFollower(
  start: (context: Record<string, any>) => {
    onResult?: (result: ExecutionResult) => void;
    onClose?: () => void;
    onStart?: (control: LiveStream) => void;
  } | null,
): GatewayPlugin {
  return {
    onSubscribe({ args }) {
      const onSubscribeResult: SubscribeResultHook = ({ result, setResult }) => {
        if (!isStream(result)) return;
        const follower = start(args.contextValue as Record<string, any>);
        if (!follower) return;
        const { stream, control } = followStream(result, follower);
        follower.onStart?.(control);
        setResult(stream as never);
      };
      return { onSubscribeResult };
    },
  };
}

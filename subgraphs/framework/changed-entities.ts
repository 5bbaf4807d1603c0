import type { Plugin } from 'graphql-yoga';
import { CHANGED_ENTITIES_EXTENSION, type ChangedEntity } from '../../kit/changed-entities';

const changedByContext = new WeakMap<object, ChangedEntity[]>();

/**
 * Tells the gateway's response cache that this request changed an entity its answer may not show
 * (kit/changed-entities.ts): cached responses holding it are evicted before the gateway answers.
 */
export function markChanged(ctx: object, typename: string, id: string) {
  const changed = changedByContext.get(ctx) ?? [];
  changed.push({ typename, id });
  changedByContext.set(ctx, changed);
}

/** Puts what resolvers marked changed into the answer's extensions. */
export function useChangedEntities(): Plugin {
  return {
    onExecute({ args }) {
      return {
        onExecuteDone({ result, setResult }) {
          const changed = changedByContext.get(args.contextValue as object);
          if (!changed || Symbol.asyncIterator in result) return;
          setResult({ ...result, extensions: { ...result.extensions, [CHANGED_ENTITIES_EXTENSION]: changed } });
        },
      };
    },
  };
}

import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../../kit/log';
import type { BaseContext } from './context';
import { apiError, unauthenticated } from './errors';
import { defineLoader } from './loaders';

/**
 * Who may still act. An access token stays valid until it expires (15 minutes by default) even
 * after its account was deleted or deactivated; writes must not. The users subgraph owns the
 * answer: peers ask it through subgraphs/users/client.ts, users itself reads its table.
 */
export interface PrincipalDirectory {
  /** The subset of `userIds` whose accounts exist and are active. Throws when it cannot tell. */
  activeOf(userIds: readonly string[]): Promise<ReadonlySet<string>>;
}

const ACCOUNT_GONE = 'This account no longer exists or is deactivated';

/**
 * Every mutation run with an access token first checks that the token's account still exists and
 * is active: one question per request (a per-request DataLoader, so every check in the request
 * shares it), asked before any resolver runs. A subgraph without a directory refuses such
 * mutations, as does one whose directory cannot answer (AUTH_UNAVAILABLE): writes fail closed.
 * Queries are not checked, and mutations without a token (sign-up, sign-in) do not need it.
 */
export function usePrincipalCheck(directory: PrincipalDirectory | undefined, logger?: Logger): Plugin<BaseContext> {
  const isActive = directory
    ? defineLoader<BaseContext, string, boolean>(async (ids) => {
        const active = await directory.activeOf(ids);
        return ids.map((id) => active.has(id));
      })
    : null;
  return {
    // Not async: queries (nearly every request) pass without a promise for envelop to wait on.
    onExecute({ args, setResultAndStopExecution }) {
      const viewer = args.contextValue.viewer;
      if (!viewer || getOperationAST(args.document, args.operationName)?.operation !== 'mutation') return;
      return checkActive(isActive, args.contextValue, viewer.userId, logger).then((refusal) => {
        if (refusal) setResultAndStopExecution({ data: null, errors: [refusal] });
      });
    },
  };
}

async function checkActive(
  isActive: ((ctx: BaseContext) => { load(id: string): Promise<boolean> }) | null,
  ctx: BaseContext,
  userId: string,
  logger?: Logger,
) {
  if (!isActive)
    return apiError('AUTH_UNAVAILABLE', 'This service cannot check accounts, so it accepts no signed-in writes');
  try {
    return (await isActive(ctx).load(userId)) ? null : unauthenticated(ACCOUNT_GONE);
  } catch (error) {
    logger?.warn({ err: error }, 'cannot check whether the signed-in account is active; the write is refused');
    // Refused before any resolver ran: nothing was applied, so sending it again is safe.
    return apiError('AUTH_UNAVAILABLE', 'Authentication is not available at the moment; try again shortly', {
      retryable: true,
    });
  }
}

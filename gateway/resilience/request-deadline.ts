import type { SubgraphExecutionRequest } from './subgraph-call';

/**
 * The time budget of one client request for its subgraph calls: every call gets at most what is
 * left of it (and at most the per-call timeout), retries are not started without enough of it, and
 * calls planned after it ran out are not made. Deadlines are kept per request object, so they go
 * away with the request.
 */
export class RequestDeadline {
  readonly #deadlines = new WeakMap<Request, number>();

  /** @param budgetMs the budget of a request from its arrival; undefined for no deadline. */
  constructor(readonly budgetMs: number | undefined) {}

  start(request: Request, now = Date.now()) {
    if (this.budgetMs) this.#deadlines.set(request, now + this.budgetMs);
  }

  /** Milliseconds left for the request an execution belongs to; Infinity without a deadline. */
  /** No deadline for this request from now on: a subscription lives until it ends. */
  lift(request: Request) {
    this.#deadlines.delete(request);
  }

  remainingMs(executionRequest: SubgraphExecutionRequest | undefined): number {
    const request = (executionRequest?.context as { request?: Request } | undefined)?.request;
    const deadline = request ? this.#deadlines.get(request) : undefined;
    return deadline === undefined ? Infinity : deadline - Date.now();
  }
}

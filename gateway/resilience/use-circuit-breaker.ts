import type { GatewayPlugin } from '@graphql-hive/gateway';
import type { ExecutionResult } from 'graphql';
import CircuitBreaker from 'opossum';
import type { Logger } from '../../kit/log';
import type { GatewayMetrics } from '../metrics';
import { isStream } from '../operation/streams';
import { asExecutor, type SubgraphExecutionRequest, type SubgraphExecutor } from './subgraph-call';
import { failureOf, failureResult } from './subgraph-errors';

export const DEFAULT_ERROR_THRESHOLD_PERCENT = 50;
export const DEFAULT_VOLUME_THRESHOLD = 10;
export const DEFAULT_RESET_MS = 10_000;
export const DEFAULT_WINDOW_MS = 10_000;

export interface CircuitBreakerOptions {
  logger: Logger;
  metrics: GatewayMetrics;
  /** Opens when more than this share of calls in the window failed. Default 50. */
  errorThresholdPercent?: number;
  /** Calls in the window before the breaker may open at all, so one failure does not open it. Default 10. */
  volumeThreshold?: number;
  /** Time open before one probe call is let through (half-open). Default 10 s. */
  resetMs?: number;
  /** Rolling window the error rate is measured over. Default 10 s. */
  windowMs?: number;
}

/** `autograph_gateway_circuit_state` values. */
export const CIRCUIT_STATE = { closed: 0, halfOpen: 1, open: 2 } as const;

/** Carries a failed result through opossum (which counts rejections) back to the caller. */
class FailedCall extends Error {
  constructor(readonly result: ExecutionResult) {
    super('subgraph call failed');
  }
}

/**
 * A circuit breaker per subgraph (opossum) around its calls. Unreachable subgraphs and timeouts
 * (as classified by useSubgraphFailures) count as failures; errors a subgraph answered with do not.
 * When more than `errorThresholdPercent` of at least `volumeThreshold` calls in the window failed,
 * the circuit opens: calls fail fast with SUBGRAPH_UNAVAILABLE on that subgraph's paths, while the
 * other subgraphs still answer. After `resetMs` one call probes (half-open); success closes the
 * circuit, failure opens it again. Every transition is logged and exported as metrics.
 *
 * It wraps retries, so an open circuit is not retried and a call that succeeded on retry counts
 * as a success. Circuits are per gateway process: replicas learn a subgraph is down on their own.
 */
export function useCircuitBreaker(options: CircuitBreakerOptions): GatewayPlugin {
  const { logger, metrics } = options;
  const state = metrics.gauge({
    name: 'autograph_gateway_circuit_state',
    help: 'Circuit of each subgraph: 0 closed, 1 half-open, 2 open',
    labelNames: ['subgraph'],
  });
  const opened = metrics.counter({
    name: 'autograph_gateway_circuit_opened_total',
    help: 'Times a subgraph circuit opened',
    labelNames: ['subgraph'],
  });
  const closed = metrics.counter({
    name: 'autograph_gateway_circuit_closed_total',
    help: 'Times a subgraph circuit closed again after being open',
    labelNames: ['subgraph'],
  });
  const rejected = metrics.counter({
    name: 'autograph_gateway_circuit_rejected_total',
    help: 'Subgraph calls failed fast because the circuit was open',
    labelNames: ['subgraph'],
  });
  const breakerOptions: CircuitBreaker.Options = {
    // Hive's upstream timeout aborts the call; opossum's own timer would only stop waiting for it.
    timeout: false,
    errorThresholdPercentage: options.errorThresholdPercent ?? DEFAULT_ERROR_THRESHOLD_PERCENT,
    volumeThreshold: options.volumeThreshold ?? DEFAULT_VOLUME_THRESHOLD,
    resetTimeout: options.resetMs ?? DEFAULT_RESET_MS,
    rollingCountTimeout: options.windowMs ?? DEFAULT_WINDOW_MS,
    rollingCountBuckets: 10,
  };
  const breakers = new Map<string, CircuitBreaker<[() => Promise<ExecutionResult>], ExecutionResult>>();

  const breakerFor = (subgraph: string) => {
    let breaker = breakers.get(subgraph);
    if (breaker) return breaker;
    breaker = new CircuitBreaker((call: () => Promise<ExecutionResult>) => call(), {
      ...breakerOptions,
      name: subgraph,
    });
    const labels = { subgraph };
    const [stateOf, openings, closings, rejections] = [
      state.labels(labels),
      opened.labels(labels),
      closed.labels(labels),
      rejected.labels(labels),
    ];
    stateOf.set(CIRCUIT_STATE.closed);
    breaker.on('open', () => {
      stateOf.set(CIRCUIT_STATE.open);
      openings.inc();
      const { fires, failures } = breaker!.stats;
      logger.warn(
        { subgraph, fires, failures, resetMs: breakerOptions.resetTimeout },
        `circuit of subgraph ${subgraph} opened: failing fast`,
      );
    });
    breaker.on('halfOpen', () => {
      stateOf.set(CIRCUIT_STATE.halfOpen);
      logger.info({ subgraph }, `circuit of subgraph ${subgraph} half-open: probing`);
    });
    breaker.on('close', () => {
      stateOf.set(CIRCUIT_STATE.closed);
      closings.inc();
      logger.info({ subgraph }, `circuit of subgraph ${subgraph} closed: subgraph recovered`);
    });
    breaker.on('reject', () => rejections.inc());
    breakers.set(subgraph, breaker);
    return breaker;
  };

  const guarded = (subgraph: string, executor: SubgraphExecutor) => (request: SubgraphExecutionRequest) =>
    breakerFor(subgraph)
      .fire(async () => {
        const result = await executor(request);
        if (isStream(result)) return result as never;
        const failure = failureOf(result);
        if (failure === 'unreachable' || failure === 'timeout') throw new FailedCall(result);
        return result;
      })
      .catch((error: unknown) => {
        if (error instanceof FailedCall) return error.result;
        if ((error as { code?: string }).code === 'EOPENBREAKER') return failureResult(subgraph, 'circuit-open');
        throw error;
      });

  return {
    onSubgraphExecute({ subgraphName, executor, setExecutor }) {
      setExecutor(asExecutor(guarded(subgraphName, executor)));
    },
    onDispose() {
      for (const breaker of breakers.values()) breaker.shutdown();
      breakers.clear();
    },
  };
}

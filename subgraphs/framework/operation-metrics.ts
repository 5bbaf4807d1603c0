import { Kind, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { Counter, Histogram } from 'prom-client';
import { boundedLabel, DEFAULT_MAX_OPERATION_NAMES } from '../../kit/bounded-label';
import { pluginMetricsRegistry } from '../../kit/telemetry';

export { DEFAULT_MAX_OPERATION_NAMES, OTHER_OPERATIONS } from '../../kit/bounded-label';

const LABEL_NAMES = ['operationType', 'operationName'] as const;

/** One metric per process: several subgraphs in one process (tests) share it instead of failing on "already registered". */
function shared<M>(name: string, create: () => M): M {
  return (pluginMetricsRegistry.getSingleMetric(name) as M | undefined) ?? create();
}
const registers = [pluginMetricsRegistry];

/** The three series of one operation (type and name), looked up once per document. */
interface OperationSeries {
  executed: Counter.Internal;
  duration: Histogram.Internal<(typeof LABEL_NAMES)[number]>;
  errors: Counter.Internal;
}

/**
 * Operations per subgraph, named `autograph_subgraph_*` so they never collide with the gateway's
 * `graphql_envelop_*` when both run in one process; labels: operation type and (bounded) name.
 * The series @envelop/prometheus kept here before, counted the same way (an operation when its
 * execution ends, its execution time, errors from parsing, validation, context and execution),
 * without its per-request work: envelop rebuilds the labels and looks the series up in every
 * phase of every request, a tenth of a millisecond per request on this machine. Here the series
 * are found once per document (Yoga's parse cache hands repeated queries the same DocumentNode).
 * Operations refused by an earlier plugin (limits, input guard) are not counted, as before.
 */
export function useOperationMetrics(maxOperationNames = DEFAULT_MAX_OPERATION_NAMES): Plugin {
  const executed = shared(
    'autograph_subgraph_operations_total',
    () =>
      new Counter({
        name: 'autograph_subgraph_operations_total',
        help: 'GraphQL operations executed by the subgraph',
        labelNames: LABEL_NAMES,
        registers,
      }),
  );
  const duration = shared(
    'autograph_subgraph_operation_duration_seconds',
    () =>
      new Histogram({
        name: 'autograph_subgraph_operation_duration_seconds',
        help: 'Time from parse to the end of execution of an operation',
        labelNames: LABEL_NAMES,
        registers,
      }),
  );
  const errors = shared(
    'autograph_subgraph_operation_errors_total',
    () =>
      new Counter({
        name: 'autograph_subgraph_operation_errors_total',
        help: 'Errors in GraphQL operations, from every phase',
        labelNames: LABEL_NAMES,
        registers,
      }),
  );
  const boundedName = boundedLabel(maxOperationNames);
  const seriesOf = (operationType: string, operationName: string): OperationSeries => {
    const labels = [operationType, boundedName(operationName)] as const;
    return {
      executed: executed.labels(...labels),
      duration: duration.labels(...labels),
      errors: errors.labels(...labels),
    };
  };
  const perDocument = new WeakMap<DocumentNode, Map<string, OperationSeries>>();
  const seriesFor = (document: DocumentNode, requestedName: string | undefined): OperationSeries => {
    let byName = perDocument.get(document);
    if (!byName) perDocument.set(document, (byName = new Map()));
    const key = requestedName ?? '';
    let series = byName.get(key);
    if (!series) {
      const operation = document.definitions.find(
        (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
      );
      series = seriesOf(operation?.operation ?? 'unknown', requestedName || operation?.name?.value || 'Anonymous');
      byName.set(key, series);
    }
    return series;
  };
  /** The series of the request's document, from the end of parsing on (no entry: parsing failed). */
  const ofContext = new WeakMap<object, OperationSeries>();
  let unparsed: OperationSeries | null = null;

  return {
    onPluginInit({ registerContextErrorHandler }) {
      registerContextErrorHandler(({ context }) => ofContext.get(context)?.errors.inc());
    },
    onParse({ context }) {
      return ({ result }) => {
        if (result instanceof Error || result === null) {
          unparsed ??= seriesOf('unknown', 'Anonymous');
          unparsed.errors.inc();
          return;
        }
        const requested = (context as { params?: { operationName?: string } }).params?.operationName;
        ofContext.set(context, seriesFor(result, requested));
      };
    },
    onValidate({ context }) {
      const series = ofContext.get(context);
      if (!series) return;
      return ({ valid }) => {
        if (!valid) series.errors.inc();
      };
    },
    onExecute({ args }) {
      const series = ofContext.get(args.contextValue);
      if (!series) return;
      const started = performance.now();
      return {
        onExecuteDone({ result }) {
          if ('errors' in result && result.errors?.length) series.errors.inc(result.errors.length);
          series.duration.observe((performance.now() - started) / 1000);
          series.executed.inc();
        },
      };
    },
  };
}

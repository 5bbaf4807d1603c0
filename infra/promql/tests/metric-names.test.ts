import { describe, expect, test } from 'bun:test';
import { exposedMetrics, metricNames, templateQueryMetricNames, unknownMetrics } from '../metric-names';

describe('metricNames', () => {
  test.each([
    ['a bare selector', 'up', ['up']],
    [
      'label matchers, strings and ranges are not names',
      'rate(http_total{code=~"5..", path!="/x"}[5m])',
      ['http_total'],
    ],
    [
      'aggregations with label lists before or after',
      'sum by (le, subgraph) (rate(a_bucket[5m])) / sum(rate(b_count[5m])) without (instance)',
      ['a_bucket', 'b_count'],
    ],
    [
      'vector matching and its label lists',
      'a / on (job, instance) group_left (version) b * ignoring (le) c unless d and bool e or f atan2 g',
      ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
    ],
    ['functions and keywords', 'histogram_quantile(0.99, sum(rate(x[1m]))) > bool 0.5 offset 5m', ['x']],
    ['numbers, exponents and durations', 'x > 1.5e9 and y < 0x1f + inf - NaN', ['x', 'y']],
    [
      'recording-rule names with colons',
      'gateway:slo_errors:ratio_rate1h > (14.4 * 0.001)',
      ['gateway:slo_errors:ratio_rate1h'],
    ],
    ['subqueries and @ modifiers', 'max_over_time(rate(z[5m])[1h:1m] @ end())', ['z']],
    [
      'Grafana variables and macros',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's ${variable} form, on purpose.
      'histogram_quantile($q, sum by (le) (rate(x_bucket{instance=~"$instance"}[$__rate_interval]))) / ${scale}',
      ['x_bucket'],
    ],
    ['comments', 'a # b is not read\n+ c', ['a', 'c']],
    ['a name given as __name__', '{__name__="named_metric", job="x"}', ['named_metric']],
    ['label_replace arguments are strings', 'label_replace(m, "dst", "$1", "src", "(.*)")', ['m']],
    ['count and topk are aggregations, not metrics', 'topk(10, count by (x) (m))', ['m']],
  ])('%s', (_what, expr, expected) => {
    expect(metricNames(expr)).toEqual(expected);
  });
});

test('template queries: label_values reads its metric, not the label', () => {
  expect(templateQueryMetricNames('label_values(autograph_subgraph_operations_total, subgraph)')).toEqual([
    'autograph_subgraph_operations_total',
  ]);
  expect(templateQueryMetricNames('label_values(up{job="x"}, instance)')).toEqual(['up']);
  expect(templateQueryMetricNames('label_values(instance)')).toEqual([]);
  expect(templateQueryMetricNames('query_result(topk(5, m))')).toEqual(['m']);
});

describe('unknownMetrics', () => {
  const exposed = exposedMetrics(
    [
      '# HELP req_seconds Request time',
      '# TYPE req_seconds histogram',
      'req_seconds_bucket{le="0.2"} 1',
      '# TYPE jobs_total counter',
      '# TYPE lag summary',
      '# TYPE in_flight gauge',
    ].join('\n'),
  );

  test('reads families and their types from # TYPE lines', () => {
    expect([...exposed]).toEqual([
      ['req_seconds', 'histogram'],
      ['jobs_total', 'counter'],
      ['lag', 'summary'],
      ['in_flight', 'gauge'],
    ]);
  });

  test("a histogram's and a summary's series belong to their family; other suffixes do not", () => {
    expect(
      unknownMetrics(['req_seconds_bucket', 'req_seconds_sum', 'req_seconds_count', 'lag_sum', 'lag_count'], exposed),
    ).toEqual([]);
    expect(unknownMetrics(['lag_bucket', 'jobs_total_count', 'in_flight_sum', 'req_seconds_total'], exposed)).toEqual([
      'in_flight_sum',
      'jobs_total_count',
      'lag_bucket',
      'req_seconds_total',
    ]);
  });

  test("recorded names and Prometheus's own series are known; anything else is reported once", () => {
    expect(
      unknownMetrics(['slo:ratio', 'up', 'ALERTS', 'missing', 'missing', 'jobs'], exposed, new Set(['slo:ratio'])),
    ).toEqual(['jobs', 'missing']);
  });
});

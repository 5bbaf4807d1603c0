/**
 * Which metrics a PromQL expression reads, and whether services export them: dashboards and
 * rules name metrics as strings, and a renamed or never-registered metric makes a panel empty
 * or an alert silent without any error. Not a PromQL parser: what cannot be a metric name is
 * removed first (comments, strings, label matchers, ranges, label lists of by/without/on/
 * ignoring/group_left/group_right, Grafana variables), then every remaining identifier that is
 * not a keyword or a function call is one.
 */

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'atan2',
  'inf',
  'nan',
]);

/** Label lists that follow these words name labels, not metrics. */
const LABEL_LISTS = /\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi;

export function metricNames(expr: string): string[] {
  const names = new Set<string>();
  // A selector by name: {__name__="x"} (read before strings are blanked).
  for (const [, name] of expr.matchAll(/__name__\s*=\s*"([a-zA-Z_:][\w:]*)"/g)) names.add(name!);
  const stripped = expr
    .replace(/#[^\n]*/g, ' ')
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\$\{[^}]*\}|\$\w+/g, ' 0 ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(LABEL_LISTS, ' ');
  // Identifiers not glued to a number (1.5e9, 0x1f, 5m) and not followed by "(" (functions, aggregations).
  for (const match of stripped.matchAll(/(?<![\w.:])[a-zA-Z_:][\w:]*(?![\w:])(?!\s*\()/g)) {
    const name = match[0];
    if (!KEYWORDS.has(name.toLowerCase())) names.add(name);
  }
  return [...names].sort();
}

/** Grafana template queries: `label_values(metric, label)` reads `metric`; anything else is PromQL. */
export function templateQueryMetricNames(query: string): string[] {
  const labelValues = /^\s*label_values\s*\(\s*(.*?)\s*,\s*[a-zA-Z_]\w*\s*\)\s*$/s.exec(query);
  if (labelValues) return metricNames(labelValues[1]!);
  if (/^\s*label_values\s*\(\s*[a-zA-Z_]\w*\s*\)\s*$/.test(query)) return [];
  return metricNames(query);
}

/** Metric families in a Prometheus text exposition, by name, with their type (`# TYPE` lines). */
export function exposedMetrics(exposition: string): Map<string, string> {
  const families = new Map<string, string>();
  for (const [, name, type] of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) families.set(name!, type!);
  return families;
}

/** Series Prometheus makes itself for every target and every rule: exported by no service. */
export const PROMETHEUS_SERIES = new Set([
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
  'ALERTS',
  'ALERTS_FOR_STATE',
]);

const SERIES_SUFFIXES: Record<string, string[]> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['_sum', '_count'],
};

/**
 * The names read that nothing provides: not exported (a histogram's or summary's `_bucket`,
 * `_sum`, `_count` series belong to its family), not recorded by a rule, not made by Prometheus.
 */
export function unknownMetrics(
  names: Iterable<string>,
  exposed: Map<string, string>,
  recorded: Set<string> = new Set(),
): string[] {
  const known = (name: string) => {
    if (exposed.has(name) || recorded.has(name) || PROMETHEUS_SERIES.has(name)) return true;
    return Object.entries(SERIES_SUFFIXES).some(([type, suffixes]) =>
      suffixes.some((suffix) => name.endsWith(suffix) && exposed.get(name.slice(0, -suffix.length)) === type),
    );
  };
  return [...new Set(names)].filter((name) => !known(name)).sort();
}

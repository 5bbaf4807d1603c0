import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PROMETHEUS_DIR = join(import.meta.dir, '..', '..', 'prometheus');
/** The rule files Prometheus loads outside Kubernetes (infra/prometheus/prometheus.yml), tested by promtool. */
const RULE_FILES = ['slo.yml', 'alerts.yml'];
export const PROMETHEUS_RULE_FILE = join(import.meta.dir, 'prometheus-rules.yaml');

/**
 * The same rules as a prometheus-operator PrometheusRule, so a cluster's Prometheus evaluates
 * exactly what `promtool test rules` checked. Generated, never edited: `bun
 * infra/k8s/monitoring/prometheus-rules.ts` writes it, and a test fails while it differs.
 */
export function prometheusRuleYaml(): string {
  const groups = RULE_FILES.flatMap(
    (file) => (Bun.YAML.parse(readFileSync(join(PROMETHEUS_DIR, file), 'utf8')) as { groups: unknown[] }).groups,
  );
  const rule = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: 'autograph',
      labels: { 'app.kubernetes.io/part-of': 'autograph', 'app.kubernetes.io/component': 'monitoring' },
    },
    spec: { groups },
  };
  return `# Generated from infra/prometheus/{${RULE_FILES.join(',')}} by prometheus-rules.ts: edit those, then run it.\n${Bun.YAML.stringify(rule, null, 2)}\n`;
}

if (import.meta.main) writeFileSync(PROMETHEUS_RULE_FILE, prometheusRuleYaml());

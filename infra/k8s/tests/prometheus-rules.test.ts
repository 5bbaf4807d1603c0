import { expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { PROMETHEUS_RULE_FILE, prometheusRuleYaml } from '../monitoring/prometheus-rules';
import { built, find } from './built';

test('the cluster evaluates the rules promtool tested: the PrometheusRule is generated from infra/prometheus', () => {
  expect(readFileSync(PROMETHEUS_RULE_FILE, 'utf8')).toBe(prometheusRuleYaml());
  const rule = find(built('monitoring'), 'PrometheusRule', 'autograph');
  const rules = (rule.spec as { groups: { rules: { alert?: string; record?: string }[] }[] }).groups.flatMap(
    (group) => group.rules,
  );
  expect(rules.map((r) => r.alert)).toContain('GatewayAvailabilityFastBurn');
  expect(rules.filter((r) => r.record).length).toBeGreaterThan(0);
});

test('ServiceMonitors give series the job names and subgraph label the rules and dashboards select on', () => {
  const objects = built('overlays/prod');
  const jobs = objects
    .filter((o) => o.kind === 'ServiceMonitor')
    .flatMap(
      (o) => (o.spec as { endpoints: { relabelings?: { targetLabel: string; replacement?: string }[] }[] }).endpoints,
    )
    .flatMap((endpoint) => endpoint.relabelings ?? [])
    .filter((relabel) => relabel.targetLabel === 'job')
    .map((relabel) => relabel.replacement);
  expect(jobs.sort()).toEqual(['autograph-gateway', 'autograph-registry', 'autograph-subgraphs']);
});

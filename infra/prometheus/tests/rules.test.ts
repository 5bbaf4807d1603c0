import { describe, expect, test } from 'bun:test';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SUBGRAPH_PORTS } from '../../../subgraphs/framework/subgraph-config';
import { alertRules, PROMETHEUS_DIR, prometheusConfig, REPOSITORY_ROOT, ruleFiles } from '../rules';

/**
 * The rule files as Prometheus sees them (promtool check), their behaviour (promtool unit tests,
 * which must cover every alert both firing and quiet), their runbooks, and the scrape
 * configuration. promtool comes with the `prometheus` Debian package.
 */

const TESTS_DIR = join(PROMETHEUS_DIR, 'tests');
const UNIT_TEST_FILES = ['slo.test.yml', 'slo-long.test.yml', 'alerts.test.yml'];

function promtool(...args: string[]) {
  const binary = Bun.which('promtool');
  if (!binary) throw new Error('promtool not found: install the prometheus package (apt-get install prometheus)');
  const run = Bun.spawnSync([binary, ...args], { cwd: TESTS_DIR });
  return { code: run.exitCode, output: `${run.stdout.toString()}${run.stderr.toString()}` };
}

interface UnitTestFile {
  rule_files: string[];
  tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
}
const unitTests = UNIT_TEST_FILES.map(
  (file) => Bun.YAML.parse(readFileSync(join(TESTS_DIR, file), 'utf8')) as UnitTestFile,
);

describe('rule files', () => {
  test('promtool accepts every rule file', () => {
    const { code, output } = promtool('check', 'rules', ...ruleFiles().map((file) => join(PROMETHEUS_DIR, file)));
    expect({ code, output }).toMatchObject({ code: 0 });
  });

  test("promtool's unit tests pass", () => {
    const { code, output } = promtool('test', 'rules', ...UNIT_TEST_FILES);
    expect({ code, output }).toMatchObject({ code: 0 });
    expect(output.match(/SUCCESS/g)).toHaveLength(UNIT_TEST_FILES.length);
  }, 60_000);

  test('the unit tests load every rule file, and every alert is seen firing and seen quiet', () => {
    expect(unitTests.flatMap((file) => file.rule_files.map((path) => path.replace('../', ''))).sort()).toEqual(
      expect.arrayContaining(ruleFiles()),
    );
    const cases = unitTests.flatMap((file) => file.tests.flatMap((unit) => unit.alert_rule_test ?? []));
    const coverage = alertRules().map(({ alert }) => ({
      alert,
      fires: cases.some((check) => check.alertname === alert && (check.exp_alerts?.length ?? 0) > 0),
      quiet: cases.some((check) => check.alertname === alert && (check.exp_alerts?.length ?? 0) === 0),
    }));
    expect(coverage.length).toBeGreaterThan(10);
    expect(coverage.filter((entry) => !entry.fires || !entry.quiet)).toEqual([]);
  });

  test('every alert says how bad it is and what it means, and links a runbook that exists', () => {
    const sections = ['## Meaning', '## Impact', '## Diagnosis', '## Mitigation', '## Escalation'];
    for (const rule of alertRules()) {
      expect({ alert: rule.alert, severity: rule.labels.severity }).toEqual({
        alert: rule.alert,
        severity: expect.stringMatching(/^(page|ticket)$/),
      });
      expect(rule.annotations.summary.length).toBeGreaterThan(10);
      expect(rule.annotations.runbook_url).toBe(`docs/runbooks/${rule.alert}.md`);
      const runbook = join(REPOSITORY_ROOT, rule.annotations.runbook_url);
      expect({ runbook, exists: existsSync(runbook) }).toEqual({ runbook, exists: true });
      const text = readFileSync(runbook, 'utf8');
      expect({ runbook, missing: sections.filter((section) => !text.includes(section)) }).toEqual({
        runbook,
        missing: [],
      });
    }
  });
});

describe('prometheus.yml', () => {
  test('promtool accepts the configuration with its rule files', () => {
    // The scrape token file is mounted in production; here a stand-in takes its place.
    const dir = mkdtempSync(join(tmpdir(), 'autograph-prometheus-'));
    try {
      const token = join(dir, 'metrics-token');
      writeFileSync(token, 'a-metrics-token-for-the-check\n');
      const config = readFileSync(join(PROMETHEUS_DIR, 'prometheus.yml'), 'utf8').replaceAll(
        prometheusConfig().scrape_configs[0]!.authorization.credentials_file,
        token,
      );
      writeFileSync(join(dir, 'prometheus.yml'), config);
      for (const file of ruleFiles()) copyFileSync(join(PROMETHEUS_DIR, file), join(dir, file));
      const { code, output } = promtool('check', 'config', join(dir, 'prometheus.yml'));
      expect({ code, output }).toMatchObject({ code: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('every service is scraped, with the metrics token', () => {
    const config = prometheusConfig();
    const targets = config.scrape_configs.flatMap((job) => job.static_configs.flatMap((group) => group.targets));
    expect(targets.sort()).toEqual(
      [
        'gateway:4000',
        'registry:4010',
        ...Object.entries(SUBGRAPH_PORTS).map(([name, port]) => `${name}:${port}`),
      ].sort(),
    );
    const tokens = new Set(config.scrape_configs.map((job) => job.authorization.credentials_file));
    expect(tokens.size).toBe(1);
  });
});

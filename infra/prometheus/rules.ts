import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The Prometheus configuration and rule files of infra/prometheus/, read as Prometheus reads
 * them, for the tests that hold them to promtool, to the runbooks and to real /metrics output.
 */

export const PROMETHEUS_DIR = fileURLToPath(new URL('.', import.meta.url));
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: string } & Record<string, string>;
  annotations: { summary: string; runbook_url: string } & Record<string, string>;
}

export interface RecordingRule {
  record: string;
  expr: string;
}

interface RuleFile {
  groups: { name: string; rules: (AlertRule | RecordingRule)[] }[];
}

export interface PrometheusConfig {
  rule_files: string[];
  scrape_configs: {
    job_name: string;
    authorization: { credentials_file: string };
    static_configs: { targets: string[]; labels?: Record<string, string> }[];
  }[];
}

const readYaml = <T>(file: string): T => Bun.YAML.parse(readFileSync(`${PROMETHEUS_DIR}/${file}`, 'utf8')) as T;

export const prometheusConfig = () => readYaml<PrometheusConfig>('prometheus.yml');

/** The rule files prometheus.yml loads, relative to infra/prometheus/. */
export const ruleFiles = () => prometheusConfig().rule_files;

const allRules = () => ruleFiles().flatMap((file) => readYaml<RuleFile>(file).groups.flatMap((group) => group.rules));

export const alertRules = () => allRules().filter((rule): rule is AlertRule => 'alert' in rule);

export const recordingRules = () => allRules().filter((rule): rule is RecordingRule => 'record' in rule);

import { describe, expect, test } from 'bun:test';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prometheusConfig } from '../prometheus/rules';

/**
 * infra/compose.yaml checked without Docker (there is none where CI runs): what it mounts exists,
 * what services wait for is defined, the observability services are wired to each other as their
 * own configuration files expect, and the collector's pipelines use only what it defines.
 */

const INFRA = fileURLToPath(new URL('../', import.meta.url));
const readYaml = (path: string) => Bun.YAML.parse(readFileSync(join(INFRA, path), 'utf8')) as any;

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: string[] | Record<string, { condition: string }>;
  secrets?: string[];
  ports?: string[];
  profiles?: string[];
}

const compose = readYaml('compose.yaml') as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, { environment?: string; file?: string }>;
};
const services = Object.entries(compose.services);
const service = (name: string) => {
  const found = compose.services[name];
  if (!found) throw new Error(`compose.yaml has no service ${name}`);
  return found;
};

/** `source:target[:mode]` of a volume entry. */
const mountOf = (entry: string) => {
  const [source, target] = entry.split(':');
  return { source: source!, target: target! };
};
const isBind = (source: string) => source.startsWith('.') || isAbsolute(source);
/** Where a service mounts something on `target`, as a path of this repository. */
const mountedAt = (name: string, target: string) => {
  const mount = (service(name).volumes ?? []).map(mountOf).find((volume) => volume.target === target);
  return mount && isBind(mount.source) ? join(INFRA, mount.source) : undefined;
};
/** `--flag=value` of a service's command. */
const flag = (name: string, key: string) =>
  service(name)
    .command?.find((argument) => argument.startsWith(`--${key}=`))
    ?.slice(key.length + 3);

describe('compose.yaml', () => {
  test('every mounted file or folder exists, every named volume is declared', () => {
    const mounts = services.flatMap(([name, definition]) =>
      (definition.volumes ?? []).map((entry) => ({ name, ...mountOf(entry) })),
    );
    expect(mounts.length).toBeGreaterThan(5);
    for (const { name, source } of mounts) {
      const exists = isBind(source) ? existsSync(join(INFRA, source)) : source in (compose.volumes ?? {});
      expect({ name, source, exists }).toEqual({ name, source, exists: true });
    }
  });

  test('every build context and Dockerfile exists', () => {
    for (const [name, definition] of services) {
      if (!definition.build) continue;
      const context = join(INFRA, definition.build.context);
      const dockerfile = join(context, definition.build.dockerfile);
      expect({ name, context: existsSync(context), dockerfile: existsSync(dockerfile) }).toEqual({
        name,
        context: true,
        dockerfile: true,
      });
    }
  });

  test('every service waited for, and every secret used, is defined', () => {
    for (const [name, definition] of services) {
      const waitsFor = Array.isArray(definition.depends_on)
        ? definition.depends_on
        : Object.keys(definition.depends_on ?? {});
      for (const target of waitsFor)
        expect({ name, target, defined: target in compose.services }).toEqual({ name, target, defined: true });
      for (const secret of definition.secrets ?? [])
        expect({ name, secret, defined: Boolean(compose.secrets?.[secret]) }).toEqual({ name, secret, defined: true });
    }
  });

  test('Prometheus loads the mounted configuration and rule files, and reads the token from the secret', () => {
    const config = flag('prometheus', 'config.file');
    expect(config).toBeDefined();
    expect(mountedAt('prometheus', config!)).toBe(join(INFRA, 'prometheus/prometheus.yml'));
    const configDir = config!.slice(0, config!.lastIndexOf('/'));
    for (const file of prometheusConfig().rule_files)
      expect(mountedAt('prometheus', `${configDir}/${file}`)).toBe(join(INFRA, 'prometheus', file));
    const tokenFiles = new Set(prometheusConfig().scrape_configs.map((job) => job.authorization.credentials_file));
    expect([...tokenFiles]).toEqual(service('prometheus').secrets!.map((secret) => `/run/secrets/${secret}`));
    expect(compose.secrets?.metrics_token).toEqual({ environment: 'METRICS_TOKEN' });
    // The services guard /metrics with the same variable.
    for (const name of ['gateway', 'registry', 'catalog'])
      expect(service(name).environment?.METRICS_TOKEN).toContain('METRICS_TOKEN');
  });

  test('Grafana is provisioned with the Prometheus data source and the generated dashboards', () => {
    expect(mountedAt('grafana', '/etc/grafana/provisioning')).toBe(join(INFRA, 'grafana/provisioning'));
    const { providers } = readYaml('grafana/provisioning/dashboards/autograph.yaml');
    expect(mountedAt('grafana', providers[0].options.path)).toBe(join(INFRA, 'grafana/dashboards'));
    const { datasources } = readYaml('grafana/provisioning/datasources/prometheus.yaml');
    const url = new URL(datasources[0].url);
    expect(url.hostname in compose.services).toBe(true);
    expect(service(url.hostname).ports).toContain(`${url.port}:${url.port}`);
  });

  test('every service sends its spans to the collector, which forwards them to Jaeger', () => {
    const collector = readYaml('otel/collector.yaml');
    expect(mountedAt('otel-collector', flag('otel-collector', 'config')!)).toBe(join(INFRA, 'otel/collector.yaml'));
    const receiverPort = String(collector.receivers.otlp.protocols.http.endpoint).split(':').at(-1);
    const traced = ['gateway', 'registry', 'catalog', 'offers', 'users', 'reviews', 'search'];
    for (const name of traced) {
      const endpoint = service(name).environment?.OTEL_EXPORTER_OTLP_ENDPOINT;
      expect({ name, endpoint }).toEqual({ name, endpoint: `http://otel-collector:${receiverPort}` });
    }
    const [jaegerHost] = String(collector.exporters['otlp/jaeger'].endpoint).split(':');
    expect(jaegerHost! in compose.services).toBe(true);
    expect(service(jaegerHost!).environment?.COLLECTOR_OTLP_ENABLED).toBe('true');
  });
});

describe('otel/collector.yaml', () => {
  const collector = readYaml('otel/collector.yaml') as {
    receivers: Record<string, unknown>;
    processors?: Record<string, unknown>;
    exporters: Record<string, unknown>;
    extensions?: Record<string, unknown>;
    service: {
      extensions?: string[];
      pipelines: Record<string, { receivers: string[]; processors?: string[]; exporters: string[] }>;
    };
  };

  test('pipelines use only receivers, processors and exporters it defines, and every one is used', () => {
    const pipelines = Object.entries(collector.service.pipelines);
    expect(pipelines.map(([name]) => name)).toContain('traces');
    const used = { receivers: new Set<string>(), processors: new Set<string>(), exporters: new Set<string>() };
    for (const [pipeline, parts] of pipelines) {
      expect({ pipeline, receives: parts.receivers.length > 0, exports: parts.exporters.length > 0 }).toEqual({
        pipeline,
        receives: true,
        exports: true,
      });
      for (const kind of ['receivers', 'processors', 'exporters'] as const)
        for (const component of parts[kind] ?? []) {
          expect({ pipeline, kind, component, defined: component in (collector[kind] ?? {}) }).toEqual({
            pipeline,
            kind,
            component,
            defined: true,
          });
          used[kind].add(component);
        }
    }
    for (const kind of ['receivers', 'processors', 'exporters'] as const)
      expect(Object.keys(collector[kind] ?? {}).filter((component) => !used[kind].has(component))).toEqual([]);
    for (const extension of collector.service.extensions ?? [])
      expect(collector.extensions ?? {}).toHaveProperty(extension);
  });
});

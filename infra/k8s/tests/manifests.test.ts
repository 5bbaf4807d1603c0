import { describe, expect, test } from 'bun:test';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { KUSTOMIZATIONS, type K8sObject } from '../checks/manifests';
import {
  disruptionBudgets,
  gatewayScales,
  gracefulTermination,
  imagesPinned,
  networkPoliciesCover,
  noInlineSecrets,
  podsHardened,
  probesSet,
  resourcesSet,
  spreadOverZones,
  variablesKnown,
} from '../checks/policies';
import { schemaProblems } from '../checks/schemas';
import { MIGRATIONS } from '../migrate';
import { built, find, isAutographImage, namesInSources } from './built';

const OVERLAYS = ['overlays/dev', 'overlays/prod'] as const;

describe.each(KUSTOMIZATIONS)('%s', (dir) => {
  test('builds with kubectl kustomize, and every object validates against its schema', () => {
    const objects = built(dir);
    expect(objects.length).toBeGreaterThan(0);
    expect(objects.flatMap(schemaProblems)).toEqual([]);
  });
});

const known = namesInSources();

describe.each(OVERLAYS)('%s keeps the rules', (dir) => {
  const objects = () => built(dir);
  test('every object in the overlay namespace, which enforces the restricted Pod Security profile', () => {
    const namespace = objects().find((o) => o.kind === 'Namespace');
    expect(namespace?.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const elsewhere = objects().filter(
      (o) => o.kind !== 'Namespace' && o.metadata.namespace !== namespace?.metadata.name,
    );
    expect(elsewhere.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
  });
  test('requests and limits, probes, hardened pods, pinned images', () => {
    expect(resourcesSet(objects())).toEqual([]);
    expect(probesSet(objects())).toEqual([]);
    expect(podsHardened(objects())).toEqual([]);
    expect(imagesPinned(objects())).toEqual([]);
  });
  test('no secret inline; every variable is one a process reads', () => {
    expect(noInlineSecrets(objects())).toEqual([]);
    expect(variablesKnown(objects(), known, isAutographImage)).toEqual([]);
  });
  test('graceful termination, network policies, disruption budgets', () => {
    expect(gracefulTermination(objects(), isAutographImage)).toEqual([]);
    expect(networkPoliciesCover(objects())).toEqual([]);
    expect(disruptionBudgets(objects())).toEqual([]);
  });
  test('users reads its master keys from the Secret, never the development key', () => {
    const users = find(objects(), 'Deployment', 'users').spec.template.spec.containers[0];
    const masterKeys = users.env.find((v: { name: string }) => v.name === 'USERS_MASTER_KEYS');
    expect(masterKeys?.valueFrom?.secretKeyRef).toEqual({ name: 'autograph-secrets', key: 'USERS_MASTER_KEYS' });
  });
  test('the Redis sentinels the clients are given are the StatefulSet pods', () => {
    const redis = find(objects(), 'StatefulSet', 'redis');
    const env = Object.fromEntries(
      redis.spec.template.spec.initContainers[0].env.map((v: { name: string; value?: string }) => [v.name, v.value]),
    );
    expect(Number(env.REPLICAS)).toBe(redis.spec.replicas);
    expect(Number(env.QUORUM)).toBe(Math.floor(redis.spec.replicas / 2) + 1);
    const sentinels = find(objects(), 'ConfigMap', 'autograph-config').data.REDIS_SENTINELS.split(',');
    expect(sentinels).toEqual(
      Array.from({ length: redis.spec.replicas }, (_, i) => `redis-${i}.${env.HEADLESS_SERVICE}:26379`),
    );
  });
});

describe('overlays/prod', () => {
  const objects = () => built('overlays/prod');
  test('the gateway autoscales on CPU and requests per second; every workload spreads over zones and nodes', () => {
    expect(gatewayScales(objects())).toEqual([]);
    expect(spreadOverZones(objects())).toEqual([]);
    expect(find(objects(), 'Cluster', 'autograph-db').spec.instances).toBeGreaterThanOrEqual(3);
  });
  test("the subgraphs' connections at the HPAs' maximums stay under max_connections", () => {
    const all = objects();
    const pool = Number(find(all, 'ConfigMap', 'autograph-config').data.DB_POOL_MAX);
    const subgraphPods = all
      .filter(
        (o) =>
          o.kind === 'HorizontalPodAutoscaler' && o.metadata.labels?.['app.kubernetes.io/component'] === 'subgraph',
      )
      .reduce((sum, hpa) => sum + hpa.spec.maxReplicas, 0);
    // The registry's pool (schema-registry/server.ts) and one migration connection per init container.
    const registry = find(all, 'Deployment', 'registry').spec.replicas * 3;
    const maxConnections = Number(find(all, 'Cluster', 'autograph-db').spec.postgresql.parameters.max_connections);
    expect(subgraphPods * pool + registry + subgraphPods).toBeLessThan(maxConnections);
  });
});

describe('overlays/dev', () => {
  test('one replica of every workload', () => {
    const objects = built('overlays/dev');
    for (const o of objects.filter((x) => x.kind === 'HorizontalPodAutoscaler')) expect(o.spec.minReplicas).toBe(1);
    for (const o of objects.filter((x) => x.kind === 'Deployment' || x.kind === 'StatefulSet'))
      expect(o.spec.replicas ?? 1).toBe(1);
  });
});

describe('migrations', () => {
  const repo = join(import.meta.dir, '..', '..', '..');
  test('the migration entry covers every service with a drizzle folder', () => {
    const folders = [
      ...(readdirSync(join(repo, 'schema-registry')).includes('drizzle') ? ['registry'] : []),
      ...readdirSync(join(repo, 'subgraphs'), { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && readdirSync(join(repo, 'subgraphs', entry.name)).includes('drizzle'))
        .map((entry) => entry.name),
    ];
    expect(Object.keys(MIGRATIONS).sort()).toEqual(folders.sort());
  });
  test.each(OVERLAYS)('%s: the Job migrates everything; each pod migrates its own service first', (dir) => {
    const objects = built(dir);
    expect(find(objects, 'Job', 'migrate').spec.template.spec.containers[0].command).toEqual([
      'bun',
      'infra/k8s/migrate.ts',
    ]);
    const migrating = objects.filter(
      (o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/component'] !== 'gateway',
    );
    expect(migrating.map((o) => o.metadata.name).sort()).toEqual(Object.keys(MIGRATIONS).sort());
    for (const deployment of migrating) {
      const pod = deployment.spec.template;
      const [init] = pod.spec.initContainers;
      const service =
        init.command[2] === '$(SERVICE)' ? pod.metadata.labels['app.kubernetes.io/name'] : init.command[2];
      expect([init.command[0], init.command[1], service]).toEqual([
        'bun',
        'infra/k8s/migrate.ts',
        deployment.metadata.name,
      ]);
    }
  });
});

describe('the gateway HPA metric', () => {
  const rules = () => {
    const configMap = find(built('monitoring'), 'ConfigMap', 'prometheus-adapter');
    return (Bun.YAML.parse(configMap.data['config.yaml']) as { rules: K8sObject[] }).rules;
  };
  test('prometheus-adapter serves the name the HPA asks for', () => {
    const hpa = find(built('overlays/prod'), 'HorizontalPodAutoscaler', 'gateway');
    const asked = hpa.spec.metrics.find((m: { type: string }) => m.type === 'Pods').pods.metric.name;
    expect(rules().map((rule) => rule.name.as)).toContain(asked);
  });
});

import { describe, expect, test } from 'bun:test';
import type { K8sObject } from '../checks/manifests';
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
import { built, find, isAutographImage, namesInSources } from './built';

/**
 * Every check fails on an object that breaks its rule: each test takes the production manifests (which keep
 * every rule, see manifests.test.ts), breaks one thing, and expects that check to name it.
 */
const prod = () => built('overlays/prod');
const pod = (objects: K8sObject[], kind: string, name: string) => find(objects, kind, name).spec.template.spec;
const without = (objects: K8sObject[], kind: string, name: string) =>
  objects.filter((o) => !(o.kind === kind && o.metadata.name === name));

describe('schemas', () => {
  test('a kind with no schema fails', () => {
    const unknown = { apiVersion: 'example.com/v1', kind: 'Frobnicator', metadata: { name: 'x' }, spec: {} };
    expect(schemaProblems(unknown)).toEqual(['Frobnicator/x: no schema for example.com/v1 Frobnicator (unknown kind)']);
  });
  test('a built-in object of the wrong shape fails', () => {
    const objects = prod();
    pod(objects, 'Deployment', 'gateway').containers[0].ports[0].containerPort = 'http';
    expect(schemaProblems(find(objects, 'Deployment', 'gateway')).join()).toContain('containerPort must be integer');
    const monitor = find(objects, 'ServiceMonitor', 'gateway');
    monitor.spec.endpoints = 'http';
    expect(schemaProblems(monitor).join()).toContain('endpoints must be array');
  });
  test('a CloudNativePG object with a wrong type or an unknown field fails', () => {
    const cluster = find(prod(), 'Cluster', 'autograph-db');
    expect(schemaProblems(cluster)).toEqual([]);
    cluster.spec.instances = 'three';
    cluster.spec.backup.barmanObjectStore.s3Credential = {};
    const problems = schemaProblems(cluster).join('\n');
    expect(problems).toContain('/spec/instances must be integer');
    expect(problems).toContain('must NOT have additional properties (s3Credential)');
    const pooler = find(prod(), 'Pooler', 'autograph-db-pooler-rw');
    pooler.spec.pgbouncer.poolMode = 'statement-ish';
    expect(schemaProblems(pooler).join()).toContain(
      '/spec/pgbouncer/poolMode must be equal to one of the allowed values',
    );
  });
});

describe('workloads', () => {
  test('a container without a memory limit', () => {
    const objects = prod();
    delete pod(objects, 'Deployment', 'gateway').containers[0].resources.limits.memory;
    expect(resourcesSet(objects)).toEqual(['Deployment/gateway app: no memory limits']);
  });
  test('an init container without requests', () => {
    const objects = prod();
    delete pod(objects, 'Deployment', 'offers').initContainers[0].resources.requests;
    expect(resourcesSet(objects)).toEqual([
      'Deployment/offers migrate: no cpu requests',
      'Deployment/offers migrate: no memory requests',
    ]);
  });
  test('a long-running container without a startup probe (a Job needs none)', () => {
    const objects = prod();
    delete pod(objects, 'StatefulSet', 'redis').containers[1].startupProbe;
    expect(probesSet(objects)).toEqual(['StatefulSet/redis sentinel: no startupProbe']);
  });
  test('each broken hardening rule is named', () => {
    const objects = prod();
    const spec = pod(objects, 'Deployment', 'catalog');
    spec.automountServiceAccountToken = true;
    delete spec.enableServiceLinks;
    delete spec.securityContext.runAsNonRoot;
    delete spec.securityContext.seccompProfile;
    const [init] = spec.initContainers;
    init.securityContext = {
      allowPrivilegeEscalation: true,
      readOnlyRootFilesystem: false,
      capabilities: { drop: [] },
    };
    expect(podsHardened(objects)).toEqual([
      'Deployment/catalog: automountServiceAccountToken is not false',
      'Deployment/catalog: enableServiceLinks is not false',
      'Deployment/catalog migrate: runAsNonRoot is not true',
      'Deployment/catalog migrate: seccompProfile is not RuntimeDefault',
      'Deployment/catalog migrate: allowPrivilegeEscalation is not false',
      'Deployment/catalog migrate: readOnlyRootFilesystem is not true',
      'Deployment/catalog migrate: capabilities do not drop ALL',
      'Deployment/catalog app: runAsNonRoot is not true',
      'Deployment/catalog app: seccompProfile is not RuntimeDefault',
    ]);
  });
  test('images: latest, no tag (a registry port is not a tag), a digest is fine', () => {
    const objects = prod();
    pod(objects, 'Deployment', 'gateway').containers[0].image = 'registry.example.com/autograph:latest';
    pod(objects, 'Deployment', 'users').containers[0].image = 'registry.example.com:5000/autograph';
    pod(objects, 'StatefulSet', 'redis').containers[0].image = 'redis@sha256:' + 'a'.repeat(64);
    find(objects, 'Pooler', 'autograph-db-pooler-rw').spec.template.spec.containers[0].image = 'pgbouncer';
    expect(imagesPinned(objects)).toEqual([
      'Deployment/gateway app: image registry.example.com/autograph:latest is tagged latest',
      'Deployment/users app: image registry.example.com:5000/autograph has no tag',
      'Pooler/autograph-db-pooler-rw pgbouncer: image pgbouncer has no tag',
    ]);
  });
  test('secrets inline: in env, in a URL, in a ConfigMap, in a Secret (a $(VAR) reference is fine)', () => {
    const objects = prod();
    const [app] = pod(objects, 'Deployment', 'registry').containers;
    app.env.push({ name: 'REGISTRY_TOKEN', value: 'x'.repeat(32) });
    app.env.push({ name: 'USERS_MASTER_KEYS', value: `k1:${'z'.repeat(44)}` });
    app.env.push({ name: 'DATABASE_URL', value: 'postgres://autograph:hunter2@autograph-db-rw:5432/autograph' });
    app.env.push({ name: 'OTHER_URL', value: 'postgres://$(DB_USER):$(DB_PASSWORD)@autograph-db-ro:5432/autograph' });
    find(objects, 'ConfigMap', 'autograph-config').data.METRICS_TOKEN = 'y'.repeat(16);
    objects.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'autograph-secrets' }, stringData: { A: 'b' } });
    expect(noInlineSecrets(objects)).toEqual([
      'ConfigMap/autograph-config METRICS_TOKEN: a secret in a ConfigMap',
      'Deployment/registry app REGISTRY_TOKEN: a secret inline (use secretKeyRef)',
      'Deployment/registry app USERS_MASTER_KEYS: a secret inline (use secretKeyRef)',
      'Deployment/registry app DATABASE_URL: a password inline in a URL',
      'Secret/autograph-secrets: a Secret with data in the manifests',
    ]);
  });
  test('a grace period the shutdown does not fit in, a missing preStop', () => {
    const objects = prod();
    pod(objects, 'Deployment', 'gateway').terminationGracePeriodSeconds = 30;
    delete pod(objects, 'Deployment', 'search').containers[0].lifecycle;
    expect(gracefulTermination(objects, isAutographImage)).toEqual([
      'Deployment/gateway: terminationGracePeriodSeconds 30 does not exceed preStop 5 s + 25 s',
      'Deployment/search app: no preStop sleep',
    ]);
  });
  test('a variable no process reads (a misspelt name)', () => {
    const objects = prod();
    pod(objects, 'Deployment', 'gateway').containers[0].env.push({ name: 'REDIS_SENTINAL_NAME', value: 'autograph' });
    find(objects, 'ConfigMap', 'autograph-config').data.SUBGRAPH_TIMOUT_MS = '2000';
    const problems = variablesKnown(objects, namesInSources(), isAutographImage);
    expect(problems).toContain('Deployment/gateway app: REDIS_SENTINAL_NAME is read by no process');
    expect(problems).toContain('Deployment/gateway app: SUBGRAPH_TIMOUT_MS is read by no process');
    expect(problems.filter((p) => !p.includes('SUBGRAPH_TIMOUT_MS'))).toEqual([
      'Deployment/gateway app: REDIS_SENTINAL_NAME is read by no process',
    ]);
  });
});

describe('network policies', () => {
  test('without the default deny, and a workload no policy of its own selects', () => {
    const objects = without(without(prod(), 'NetworkPolicy', 'default-deny'), 'NetworkPolicy', 'schema-publish');
    expect(networkPoliciesCover(objects)).toEqual([
      'no default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules)',
      'Job/schema-publish: no NetworkPolicy selects its pods',
    ]);
  });
  test('a deny-all that only denies ingress is not a default deny', () => {
    const objects = prod();
    find(objects, 'NetworkPolicy', 'default-deny').spec.policyTypes = ['Ingress'];
    expect(networkPoliciesCover(objects)).toEqual([
      'no default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules)',
    ]);
  });
});

describe('production scaling', () => {
  test('a gateway HPA from one replica, on CPU alone; no HPA at all', () => {
    const objects = prod();
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'gateway');
    hpa.spec.minReplicas = 1;
    hpa.spec.metrics = hpa.spec.metrics.filter((m: { type: string }) => m.type !== 'Pods');
    expect(gatewayScales(objects)).toEqual([
      'HorizontalPodAutoscaler/gateway: minReplicas below 2',
      'HorizontalPodAutoscaler/gateway: no Pods metric (requests per second)',
    ]);
    expect(gatewayScales(without(objects, 'HorizontalPodAutoscaler', 'gateway'))).toEqual([
      'no HorizontalPodAutoscaler for Deployment/gateway',
    ]);
  });
  test('a workload without a disruption budget; an HPA whose target is missing', () => {
    const objects = without(prod(), 'PodDisruptionBudget', 'gateway');
    find(objects, 'HorizontalPodAutoscaler', 'search').spec.scaleTargetRef.name = 'serch';
    expect(disruptionBudgets(objects)).toEqual([
      'Deployment/gateway: no PodDisruptionBudget',
      'HorizontalPodAutoscaler/search: its target Deployment/serch is not in the manifests',
    ]);
  });
  test('a soft zone spread, no spread over nodes', () => {
    const objects = prod();
    const constraints = pod(objects, 'Deployment', 'offers').topologySpreadConstraints;
    constraints[0].whenUnsatisfiable = 'ScheduleAnyway';
    constraints.pop();
    expect(spreadOverZones(objects)).toEqual([
      'Deployment/offers: the zone spread is not DoNotSchedule',
      'Deployment/offers: not spread over kubernetes.io/hostname',
    ]);
  });
});

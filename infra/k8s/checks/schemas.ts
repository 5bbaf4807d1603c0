/**
 * Validates objects against their Kubernetes OpenAPI schemas without a cluster:
 * - built-in kinds with `kubernetes-models` (the Kubernetes OpenAPI compiled to validators; its
 *   resource.k8s.io/v1 dates it to Kubernetes 1.34 or later);
 * - ServiceMonitor and PodMonitor with `@kubernetes-models/prometheus-operator`;
 * - CloudNativePG's Cluster, Pooler and ScheduledBackup with the operator's own CRDs, vendored in
 *   ../vendor/cloudnative-pg (SOURCE.md), through Ajv.
 * A kind with no schema here is a problem, never a silent pass.
 *
 * The Kubernetes OpenAPI does not close its objects, so kubernetes-models accepts unknown fields (as the API
 * server does without strict field validation); the CRD schemas are closed here as the API server's strict
 * field validation closes them: an unknown field in a CloudNativePG object fails.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as monitoringV1 from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import Ajv, { type ValidateFunction } from 'ajv';
import * as appsV1 from 'kubernetes-models/apps/v1';
import * as autoscalingV2 from 'kubernetes-models/autoscaling/v2';
import * as batchV1 from 'kubernetes-models/batch/v1';
import * as networkingV1 from 'kubernetes-models/networking.k8s.io/v1';
import * as policyV1 from 'kubernetes-models/policy/v1';
import * as coreV1 from 'kubernetes-models/v1';
import { K8S_DIR, type K8sObject, nameOf, parseYamlStream } from './manifests';

interface Model {
  apiVersion: string;
  kind: string;
  new (data: unknown): { validate(): void };
}

const MODEL_MODULES = [coreV1, appsV1, batchV1, autoscalingV2, policyV1, networkingV1, monitoringV1];

/** Every top-level kind the model packages know, by `apiVersion/kind`. */
const models = new Map<string, Model>();
for (const module of MODEL_MODULES) {
  for (const value of Object.values(module) as unknown[]) {
    const model = value as Partial<Model>;
    if (typeof value === 'function' && typeof model.apiVersion === 'string' && typeof model.kind === 'string')
      models.set(`${model.apiVersion}/${model.kind}`, value as Model);
  }
}

const VENDORED_CRDS = join(K8S_DIR, 'vendor', 'cloudnative-pg');
let crdValidators: Map<string, ValidateFunction> | undefined;

/** Validators for every served version of every vendored CRD, by `group/version/kind`. */
function crds(): Map<string, ValidateFunction> {
  if (crdValidators) return crdValidators;
  // Kubernetes formats (int32, int64, byte, date-time, quantity...) are not checked here, as the API server
  // checks few of them; CEL rules (x-kubernetes-validations) need a server.
  // Compiled unoptimised and without the descriptions: the same checks in a third of the time (the Pooler's
  // schema embeds a whole PodSpec).
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, code: { optimize: false } });
  crdValidators = new Map();
  for (const file of readdirSync(VENDORED_CRDS).filter((name) => name.endsWith('.yaml'))) {
    for (const crd of parseYamlStream(readFileSync(join(VENDORED_CRDS, file), 'utf8'))) {
      for (const version of crd.spec.versions as {
        name: string;
        served: boolean;
        schema: { openAPIV3Schema: object };
      }[]) {
        if (!version.served) continue;
        const schema = closeObjects(withoutDescriptions(version.schema.openAPIV3Schema));
        crdValidators.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, ajv.compile(schema));
      }
    }
  }
  return crdValidators;
}

/**
 * A structural schema's objects admit only their declared properties, except where the schema keeps unknown
 * fields (x-kubernetes-preserve-unknown-fields) or is a map (additionalProperties): what the API server's
 * strict field validation accepts. `metadata` at the root is the API server's to check.
 */
// biome-ignore lint/suspicious/noExplicitAny: walks a JSON schema
function closeObjects(schema: any, root = true): any {
  if (!schema || typeof schema !== 'object') return schema;
  if (schema.properties && schema.additionalProperties === undefined && !schema['x-kubernetes-preserve-unknown-fields'])
    schema.additionalProperties = false;
  for (const [key, property] of Object.entries(schema.properties ?? {}))
    if (!(root && key === 'metadata')) closeObjects(property, false);
  if (schema.items) closeObjects(schema.items, false);
  if (typeof schema.additionalProperties === 'object') closeObjects(schema.additionalProperties, false);
  for (const list of ['allOf', 'anyOf', 'oneOf'] as const)
    for (const part of schema[list] ?? []) closeObjects(part, false);
  return schema;
}

/** A copy of a schema without its `description`s (prose, no checks). */
function withoutDescriptions(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutDescriptions);
  if (!schema || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([key, value]) => !(key === 'description' && typeof value === 'string'))
      .map(([key, value]) => [key, withoutDescriptions(value)]),
  );
}

/** What is wrong with `object` against its schema: an empty list when it validates. */
export function schemaProblems(object: K8sObject): string[] {
  const model = models.get(`${object.apiVersion}/${object.kind}`);
  if (model) {
    try {
      new model(object).validate();
      return [];
    } catch (error) {
      return [`${nameOf(object)}: ${(error as Error).message}`];
    }
  }
  const crd = crds().get(`${object.apiVersion}/${object.kind}`);
  if (!crd) return [`${nameOf(object)}: no schema for ${object.apiVersion} ${object.kind} (unknown kind)`];
  if (crd(object)) return [];
  return (crd.errors ?? []).map(
    (error) =>
      `${nameOf(object)}: ${error.instancePath || '/'} ${error.message}${
        error.keyword === 'additionalProperties'
          ? ` (${(error.params as { additionalProperty: string }).additionalProperty})`
          : ''
      }`,
  );
}

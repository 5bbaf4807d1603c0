import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, K8S_DIR, type K8sObject, type KUSTOMIZATIONS } from '../checks/manifests';

/** Each deployable kustomization, built once per test run. */
const cache = new Map<string, K8sObject[]>();
export function built(dir: (typeof KUSTOMIZATIONS)[number]): K8sObject[] {
  let objects = cache.get(dir);
  if (!objects) cache.set(dir, (objects = build(join(K8S_DIR, dir))));
  return structuredClone(objects);
}

export const find = (objects: K8sObject[], kind: string, name: string): K8sObject => {
  const object = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!object) throw new Error(`${kind}/${name} is not in the manifests`);
  return object;
};

/** The project's image (infra/Dockerfile), as the overlays name it. */
export const isAutographImage = (image: string) => /(^|\/)autograph(:|@|$)/.test(image);

const REPO = join(K8S_DIR, '..', '..');
/** Variables read by Bun itself rather than by the project's code. */
const RUNTIME_VARIABLES = ['BUN_RUNTIME_TRANSPILER_CACHE_PATH'];

/**
 * Every upper-case name in the sources of the processes the image runs (not their tests): the variables
 * their configuration schemas read are among them.
 */
export function namesInSources(): Set<string> {
  const names = new Set(RUNTIME_VARIABLES);
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'tests' || entry.name === 'node_modules') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts'))
        for (const [name] of readFileSync(path, 'utf8').matchAll(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b|\b[A-Z]{4,}\b/g))
          names.add(name);
    }
  };
  for (const dir of ['gateway', 'kit', 'subgraphs', 'schema-registry']) walk(join(REPO, dir));
  return names;
}

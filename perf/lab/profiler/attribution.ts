import type { CpuProfile } from './flame';
import { classifyFrame, enclosingTopLevel, packageOf, WRAPPER_FRAME, type Classified, type OwnerKind } from './owners';

/**
 * CPU samples attributed to plugins and libraries. A sample's whole cost goes to the deepest
 * owning frame on its stack (see owners.ts); samples with no owner are the runtime's.
 */
export interface OwnerRow {
  name: string;
  kind: OwnerKind;
  /** Samples whose stack the owner owns (its code and the neutral code it called). */
  samples: number;
  /** Samples in the owner's own code (the sampled frame is its). */
  selfSamples: number;
  /** Samples with one of its frames anywhere on the stack (wrappers show the work they wrap here). */
  onStackSamples: number;
  /** The chain's tags of the hooks whose wrappers led here (`security 4`), when the profiler wrapped them. */
  tags: string[];
}

export interface LibraryRow {
  name: string;
  selfSamples: number;
  onStackSamples: number;
}

export interface Attribution {
  samples: number;
  owners: OwnerRow[];
  libraries: LibraryRow[];
  /** The profiler's plugin labels (`#26 (onExecute)`, `security 4 (onParams)`) by the name the samples gave them. */
  pluginNames: Record<string, string>;
}

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

const RUNTIME_UNOWNED = 'runtime: no plugin on the stack';

/**
 * Attributes the samples taken between `fromUs` and `toUs` (the profile's clock, microseconds;
 * default: all). `labels` are the profiler's plugin labels by wrapper id; a wrapper's plugin is
 * named after what its hook's own frames are (the most sampled owner directly below the wrapper),
 * else after its label.
 */
export function attributeProfile(
  profile: CpuProfile & { startTime?: number; timeDeltas?: number[] },
  options: { root: string; labels?: string[]; fromUs?: number; toUs?: number },
): Attribution {
  const nodes = new Map((profile.nodes as Node[]).map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of nodes.values()) for (const child of node.children ?? []) parent.set(child, node.id);
  const counts = sampleCounts(profile, options.fromUs, options.toUs);

  const plain = new Map<number, Classified>();
  for (const node of nodes.values()) plain.set(node.id, classifyFrame(node.callFrame, options.root));
  const wrapperNames = resolveWrappers(nodes, plain, counts, options.labels ?? []);
  const classified = new Map<number, Classified>();
  for (const node of nodes.values())
    classified.set(
      node.id,
      classifyFrame(node.callFrame, options.root, (id) => wrapperNames.get(id)!.name),
    );

  const owners = new Map<string, OwnerRow>();
  const libraries = new Map<string, LibraryRow>();
  const ownerRow = (name: string, kind: OwnerKind) => {
    let row = owners.get(name);
    if (!row) owners.set(name, (row = { name, kind, samples: 0, selfSamples: 0, onStackSamples: 0, tags: [] }));
    return row;
  };
  let total = 0;
  for (const [id, count] of counts) {
    total += count;
    const seenOwners = new Set<string>();
    const seenLibraries = new Set<string>();
    let deepest: { name: string; kind: OwnerKind } | undefined;
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const { owner, library } = classified.get(current)!;
      if (owner) {
        deepest ??= owner;
        if (!seenOwners.has(owner.name)) ownerRow(owner.name, owner.kind).onStackSamples += count;
        seenOwners.add(owner.name);
      }
      if (!seenLibraries.has(library)) {
        const row = libraries.get(library) ?? { name: library, selfSamples: 0, onStackSamples: 0 };
        libraries.set(library, row);
        row.onStackSamples += count;
        if (current === id) row.selfSamples += count;
        seenLibraries.add(library);
      }
    }
    const leafOwner = classified.get(id)!.owner;
    if (leafOwner) ownerRow(leafOwner.name, leafOwner.kind).selfSamples += count;
    ownerRow(deepest?.name ?? RUNTIME_UNOWNED, deepest?.kind ?? 'runtime').samples += count;
  }
  for (const { name, label } of wrapperNames.values()) {
    const row = owners.get(name);
    // Positions (`#26`) are no names: only the chain's tags (`security 4`) are kept.
    if (row && !label.startsWith('#') && !row.tags.includes(label)) row.tags.push(label);
  }
  const pluginNames: Record<string, string> = {};
  for (const [id, { name }] of wrapperNames) if (options.labels?.[id]) pluginNames[options.labels[id]!] = name;
  return {
    pluginNames,
    samples: total,
    owners: [...owners.values()]
      .filter((row) => row.samples || row.onStackSamples)
      .sort((a, b) => b.samples - a.samples),
    libraries: [...libraries.values()].sort((a, b) => b.selfSamples - a.selfSamples),
  };
}

/** Samples per node, within a window of the profile's clock when given. */
function sampleCounts(
  profile: CpuProfile & { startTime?: number; timeDeltas?: number[] },
  fromUs = Number.NEGATIVE_INFINITY,
  toUs = Number.POSITIVE_INFINITY,
): Map<number, number> {
  const counts = new Map<number, number>();
  if (!profile.samples?.length) {
    for (const node of profile.nodes) if (node.hitCount) counts.set(node.id, node.hitCount);
    return counts;
  }
  let time = profile.startTime ?? 0;
  profile.samples.forEach((id, index) => {
    time += profile.timeDeltas?.[index] ?? 0;
    if (time >= fromUs && time <= toUs) counts.set(id, (counts.get(id) ?? 0) + 1);
  });
  return counts;
}

/** Each wrapper id's plugin name (what its hooks' own frames belong to) and its label. */
function resolveWrappers(
  nodes: Map<number, Node>,
  plain: Map<number, Classified>,
  counts: Map<number, number>,
  labels: string[],
): Map<number, { name: string; label: string }> {
  const subtree = new Map<number, number>();
  const weight = (id: number): number => {
    let value = subtree.get(id);
    if (value === undefined) {
      value = (counts.get(id) ?? 0) + (nodes.get(id)!.children ?? []).reduce((sum, child) => sum + weight(child), 0);
      subtree.set(id, value);
    }
    return value;
  };
  const votes = new Map<number, Map<string, number>>();
  for (const node of nodes.values()) {
    const match = WRAPPER_FRAME.exec(node.callFrame.functionName);
    if (!match) continue;
    const id = Number(match[1]);
    const ballot = votes.get(id) ?? new Map<string, number>();
    votes.set(id, ballot);
    for (const child of node.children ?? []) {
      const name = hookOwnerName(nodes.get(child)!, plain.get(child)!);
      if (name) ballot.set(name, (ballot.get(name) ?? 0) + weight(child) + 1);
    }
  }
  const names = new Map<number, { name: string; label: string }>();
  for (const [id, ballot] of votes) {
    const label = labels[id] ?? `plugin ${id}`;
    const best = [...ballot].sort((a, b) => b[1] - a[1])[0]?.[0];
    names.set(id, { name: best ?? readableLabel(label), label: label.replace(/ \(.*\)$/, '') });
  }
  return names;
}

/**
 * What a hook's own frame says about its plugin: the plugin that owns it, else the function the
 * hook was defined in and its package (`blockFieldSuggestionsPlugin (@escape.tech/…)`, or a plugin
 * written inline in `createGatewayRuntime`).
 */
function hookOwnerName(node: Node, classified: Classified): string | null {
  if (classified.owner?.kind === 'plugin') return classified.owner.name;
  const pkg = packageOf(node.callFrame.url);
  if (!pkg) return null;
  const enclosing = enclosingTopLevel(node.callFrame.url.replace(/^file:\/\//, ''), node.callFrame.lineNumber);
  if (classified.owner?.kind === 'runtime') return `a plugin written in ${enclosing ?? 'the runtime'} (${pkg})`;
  return `${enclosing ?? (node.callFrame.functionName || 'a plugin')} (${pkg})`;
}

/** A label without a name of its own (`#26 (onExecute)`) says what it is instead of its position. */
export function readableLabel(label: string): string {
  const match = /^#\d+ \((.*)\)$/.exec(label);
  return match ? `unnamed built-in plugin (${match[1]})` : label;
}

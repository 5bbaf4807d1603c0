import { readFileSync } from 'node:fs';

/**
 * Who a CPU-profile frame works for. A sample's cost belongs to the deepest frame on its stack
 * that is a plugin's or the runtime's own (the "owner"); frames of neutral libraries (graphql-js,
 * jose, promise helpers, JSON, Bun's built-ins) work for whoever called them. So a plugin that
 * validates a document with graphql-js is charged for that validation, and a tracing plugin's
 * wrapper around the whole execution is not charged for the execution it wraps (the runtime's
 * frames below it own that).
 */
export type OwnerKind = 'plugin' | 'runtime' | 'profiler';

export interface FrameInfo {
  functionName: string;
  url: string;
  /** 0-based, as in the .cpuprofile. */
  lineNumber: number;
}

export interface Classified {
  /** Set when the frame owns the work below it. */
  owner?: { kind: OwnerKind; name: string };
  /** The library the frame's code belongs to, for the per-library table. */
  library: string;
}

/** Packages whose own frames (outside a `use…` plugin factory) are the request pipeline: Yoga, Envelop, Hive Gateway, the planner. */
const PIPELINE = [
  'graphql-yoga',
  '@envelop/core',
  '@graphql-hive/gateway-runtime',
  '@graphql-hive/gateway',
  '@graphql-hive/router-runtime',
  '@graphql-mesh/fusion-runtime',
  '@graphql-mesh/transport-http',
  '@graphql-tools/executor-http',
  '@graphql-tools/federation',
  '@whatwg-node/server',
];

/** Libraries by package prefix, in the order to test them (first match wins). */
const LIBRARIES: [RegExp, string][] = [
  [/^graphql-yoga$|^@graphql-yoga\/(?!plugin-prometheus)/, 'Yoga'],
  [/^@envelop\/(core|instrumentation|types)$/, 'envelop'],
  [/^@envelop\//, 'envelop plugins'],
  [/^@graphql-hive\/router-(runtime|query-planner)$/, 'router-runtime (Rust planner)'],
  [/^@graphql-hive\/plugin-opentelemetry$|^@opentelemetry\//, 'OpenTelemetry'],
  [/^@graphql-hive\/(gateway|gateway-runtime|signal|pubsub)$|^@graphql-mesh\//, 'Hive Gateway runtime'],
  [/^@graphql-tools\/executor-http$|^@whatwg-node\/(fetch|node-fetch)$/, 'fetch (HTTP to subgraphs)'],
  [/^@whatwg-node\/promise-helpers$|^@whatwg-node\/disposablestack$/, 'promise helpers'],
  [/^@whatwg-node\//, 'whatwg-node server'],
  [/^@graphql-tools\//, 'graphql-tools'],
  [/^graphql$/, 'graphql-js'],
  [/^(jose|jws|jwa|jsonwebtoken)$|^@graphql-hive\/plugin-jwt-auth$|^@graphql-yoga\/plugin-jwt$/, 'JWT verification'],
  [/^(pino|sonic-boom|thread-stream|pino-.*|@pinojs\/.*)$|^@graphql-hive\/logger$/, 'pino / logging'],
  [/^prom-client$|^@graphql-yoga\/plugin-prometheus$|^@graphql-mesh\/plugin-prometheus$/, 'prom-client / metrics'],
  [/^(ioredis|@ioredis\/.*|redis-parser|cluster-key-slot)$/, 'ioredis'],
  [/^@graphql-hive\/core$/, 'Hive usage reporting'],
  [/^opossum$/, 'opossum (breakers)'],
];

/** The package a node_modules path belongs to (`@scope/name` or `name`), or null. */
export function packageOf(url: string): string | null {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(url);
  return match ? match[1]! : null;
}

/** Where our repository's files are: the path after the checkout's root (`gateway/…`, `perf/…`). */
export function repositoryPath(url: string, root: string): string | null {
  const path = url.replace(/^file:\/\//, '');
  if (!path.startsWith(root) || path.includes('/node_modules/')) return null;
  return path.slice(root.length).replace(/^\/+/, '');
}

/** Top-level declarations of a bundled file, by line: bundles declare each plugin factory at column 0. */
const declarations = new Map<string, { line: number; name: string }[]>();

/** The top-level function a 0-based line of a file sits in, if the file can be read. */
export function enclosingTopLevel(file: string, lineNumber: number): string | null {
  let found = declarations.get(file);
  if (!found) {
    found = [];
    try {
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((text, line) => {
        const match = /^(?:export\s+)?(?:async\s+)?(?:function\*?\s+([\w$]+)|(?:const|let|var|class)\s+([\w$]+))/.exec(
          text,
        );
        if (match) found!.push({ line, name: (match[1] ?? match[2])! });
      });
    } catch {
      // Not readable (a built-in, a deleted file): no name.
    }
    declarations.set(file, found);
  }
  let name: string | null = null;
  for (const declaration of found) {
    if (declaration.line > lineNumber) break;
    name = declaration.name;
  }
  return name;
}

/** Frame names the profiler's hook wrappers carry: `autograph_plugin_<id>_<hook>` (see hooks.ts). */
export const WRAPPER_FRAME = /^autograph_plugin_(\d+)_(\w+)$/;

/**
 * Classifies one frame. `root` is the repository's directory; `wrapperName` names the plugin a
 * hook wrapper frame stands for (resolved from what the wrapped hooks ran, see attribution.ts).
 */
export function classifyFrame(frame: FrameInfo, root: string, wrapperName?: (id: number) => string): Classified {
  const wrapper = WRAPPER_FRAME.exec(frame.functionName);
  if (wrapper)
    return {
      owner: { kind: 'plugin', name: wrapperName?.(Number(wrapper[1])) ?? `plugin ${wrapper[1]}` },
      library: 'profiler (not in production)',
    };
  const ours = repositoryPath(frame.url, root);
  if (ours !== null) {
    const own = classifyOwnFile(ours);
    if (own.owner || !ours.startsWith('gateway/')) return own;
    // A shared gateway module may still define a plugin (gateway/operation/variables.ts: useVariableErrors).
    const enclosing = enclosingTopLevel(`${root}/${ours}`, frame.lineNumber);
    return enclosing && /^use[A-Z]/.test(enclosing)
      ? {
          owner: { kind: 'plugin', name: `${ours.replace(/^gateway\/|\.ts$/g, '')}: ${enclosing}` },
          library: own.library,
        }
      : own;
  }
  const pkg = packageOf(frame.url);
  if (pkg) {
    const library = LIBRARIES.find(([pattern]) => pattern.test(pkg))?.[1] ?? pkg;
    const enclosing = enclosingTopLevel(frame.url.replace(/^file:\/\//, ''), frame.lineNumber);
    if (enclosing && /^use[A-Z]/.test(enclosing))
      return { owner: { kind: 'plugin', name: `${enclosing} (${pkg})` }, library };
    if (PIPELINE.includes(pkg)) return { owner: { kind: 'runtime', name: `runtime: ${library}` }, library };
    return { library };
  }
  return { library: builtinLibrary(frame.functionName) };
}

/** Our files: the gateway's concern folders are plugins; operation readers and shared modules serve their caller. */
function classifyOwnFile(path: string): Classified {
  const concern = /^gateway\/(telemetry|security|rate-limit|caching|resilience)\/([\w.-]+)\.ts$/.exec(path);
  if (concern) return { owner: { kind: 'plugin', name: `${concern[1]}: ${concern[2]}` }, library: 'Autograph gateway' };
  if (/^gateway\/(server|runtime|main|supergraph-source)\.ts$/.test(path))
    return { owner: { kind: 'runtime', name: 'runtime: Autograph server' }, library: 'Autograph gateway' };
  // The profiler's phase timers wrap whole phases (the fetch to a subgraph, the execution): they
  // own nothing, or everything below them would look like the profiler's.
  if (path === 'perf/lab/profiler/gateway.ts') return { library: 'profiler (not in production)' };
  if (path.startsWith('perf/lab/profiler/'))
    return {
      owner: { kind: 'profiler', name: 'profiler (not in production)' },
      library: 'profiler (not in production)',
    };
  return { library: path.startsWith('gateway/') ? 'Autograph gateway' : `Autograph ${path.split('/')[0]}` };
}

/** Frames without a file: JavaScriptCore's and Bun's built-ins, and the profiler's pseudo-frames. */
function builtinLibrary(functionName: string): string {
  if (/garbage|GC/i.test(functionName)) return 'GC';
  if (/^\((program|idle|root)\)$/.test(functionName)) return '(program)';
  if (/^(stringify|parse|JSON)/.test(functionName)) return 'JSON (built-in)';
  if (/fetch|Request|Response|Headers|ReadableStream|readableStream|onRSDefault|structuredClone/i.test(functionName))
    return 'fetch and streams (Bun built-ins)';
  if (/^(then|resolve|reject|promise|Promise|performPromiseThen|promiseReaction|async|await)/i.test(functionName))
    return 'promises (built-in)';
  return 'other Bun / JSC built-ins';
}

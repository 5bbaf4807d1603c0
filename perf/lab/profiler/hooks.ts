/**
 * Times every hook of every plugin in a gateway's chain. No gateway ships per-plugin timings:
 * Envelop's and Hive's `instrumentation` API wraps whole phases (parse, execute, fetch), not the
 * plugins inside them, so this wraps the hook functions themselves.
 *
 * A hook's time is wall time from its call until it returns, or until its promise settles for
 * async hooks (Redis round trips count: they are latency the plugin adds). Hooks that return
 * "done" callbacks (onExecute → onExecuteDone, onSubgraphExecute → done) have those timed too.
 */
export interface HookStats {
  plugin: string;
  hook: string;
  calls: number;
  samples: number[];
}

export class HookRecorder {
  readonly stats = new Map<string, HookStats>();
  /** Plugin labels by the id their wrappers' frame names carry. */
  readonly plugins: string[] = [];
  enabled = true;

  pluginId(plugin: string): number {
    const id = this.plugins.indexOf(plugin);
    return id >= 0 ? id : this.plugins.push(plugin) - 1;
  }

  /** The entry of one plugin's hook: looked up once per wrapped function, not per call. */
  entry(plugin: string, hook: string): HookStats {
    const key = `${plugin}\u0000${hook}`;
    let entry = this.stats.get(key);
    if (!entry) this.stats.set(key, (entry = { plugin, hook, calls: 0, samples: [] }));
    return entry;
  }

  record(plugin: string, hook: string, ms: number) {
    this.add(this.entry(plugin, hook), ms);
  }

  add(entry: HookStats, ms: number) {
    if (!this.enabled) return;
    entry.calls++;
    // Bounded memory on long runs: keep every sample up to 200k, then every 10th.
    if (entry.samples.length < 200_000 || entry.calls % 10 === 0) entry.samples.push(ms);
  }

  /** Zeroes every entry (wrapped functions keep theirs). */
  reset() {
    for (const entry of this.stats.values()) {
      entry.calls = 0;
      entry.samples = [];
    }
  }

  /** Entries that saw calls. */
  recorded(): HookStats[] {
    return [...this.stats.values()].filter((entry) => entry.calls > 0);
  }
}

const WRAPPED = Symbol.for('autograph.perf.wrapped');
const isHook = (key: string, value: unknown) =>
  typeof value === 'function' && /^on[A-Z]/.test(key) && key !== 'onPluginInit' && key !== 'onDispose';

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return !!value && typeof (value as PromiseLike<unknown>).then === 'function';
}

/**
 * The wrapper is compiled with a name that carries the plugin's id (`autograph_plugin_<id>_<hook>`):
 * CPU profiles name frames by function name, so every sampled stack that passes through a hook
 * says whose hook it is (see owners.ts). The timing code sits in the same frame: a helper frame
 * between the wrapper and the hook would own the hook's neutral work instead of the plugin.
 */
function compileWrapper(
  fn: (...args: any[]) => any,
  entry: HookStats,
  recorder: HookRecorder,
  settle: (result: any, started: number) => any,
  name: string,
): (...args: any[]) => any {
  // The name is in the source text: JavaScriptCore's profiler reports the name a function was parsed with.
  if (!/^\w+$/.test(name)) throw new Error(`not a function name: ${name}`);
  return new Function(
    'fn',
    'entry',
    'recorder',
    'settle',
    `return function ${name}(...args) {
      const started = performance.now();
      let result;
      try {
        result = fn.apply(this, args);
      } catch (error) {
        recorder.add(entry, performance.now() - started);
        throw error;
      }
      return settle(result, started);
    };`,
  )(fn, entry, recorder, settle);
}

function timed(recorder: HookRecorder, plugin: string, hook: string, fn: (...args: any[]) => any) {
  const entry = recorder.entry(plugin, hook);
  const settle = (result: any, started: number) => {
    if (isPromiseLike(result)) {
      return Promise.resolve(result).then(
        (value) => {
          recorder.add(entry, performance.now() - started);
          return wrapDone(recorder, plugin, hook, value);
        },
        (error) => {
          recorder.add(entry, performance.now() - started);
          throw error;
        },
      );
    }
    recorder.add(entry, performance.now() - started);
    return wrapDone(recorder, plugin, hook, result);
  };
  const wrapped = compileWrapper(
    fn,
    entry,
    recorder,
    settle,
    `autograph_plugin_${recorder.pluginId(plugin)}_${hook.replace(/\W/g, '_')}`,
  );
  (wrapped as any)[WRAPPED] = true;
  return wrapped;
}

/** `onExecute` may return `{ onExecuteDone }`, `onSubgraphExecute` a done function: time those too. */
function wrapDone(recorder: HookRecorder, plugin: string, hook: string, value: any) {
  if (typeof value === 'function' && !value[WRAPPED]) return timed(recorder, plugin, `${hook}:done`, value);
  if (value && typeof value === 'object' && !Array.isArray(value) && !isPromiseLike(value)) {
    for (const [key, inner] of Object.entries(value)) {
      if (isHook(key, inner) && !(inner as any)[WRAPPED]) value[key] = timed(recorder, plugin, key, inner as any);
    }
  }
  return value;
}

/** Wraps the plugin's hooks in place (hook collections read the plugin object after this). */
export function instrumentPlugin<P extends object>(plugin: P, name: string, recorder: HookRecorder): P {
  if (!plugin || typeof plugin !== 'object') return plugin;
  for (const [key, value] of Object.entries(plugin)) {
    if (isHook(key, value) && !(value as any)[WRAPPED]) (plugin as any)[key] = timed(recorder, name, key, value as any);
  }
  return plugin;
}

/** Where a plugin comes from, if its config says (gateway/chain.ts tags every plugin with its concern). */
export const PLUGIN_NAME = Symbol.for('autograph.plugin.name');

/** A readable name for a plugin object: its tag or `name`, else its position; with its hooks. */
export function describePlugin(plugin: object, index: number): string {
  const tagged = (plugin as any)[PLUGIN_NAME] ?? (plugin as { name?: unknown }).name;
  const hooks = Object.keys(plugin).filter((key) => isHook(key, (plugin as any)[key]));
  const label = typeof tagged === 'string' && tagged ? tagged : `#${index}`;
  return `${label} (${hooks.join(', ') || 'no hooks'})`;
}

/**
 * Measures what wrapping itself costs per call (a wrapped no-op against a bare one), so the report
 * can state the profiler's own overhead per request.
 */
export function wrapperCostNs(iterations = 200_000): number {
  const recorder = new HookRecorder();
  const bare = { onX: (value: number) => value + 1 };
  const wrapped = instrumentPlugin({ onX: (value: number) => value + 1 }, 'calibration', recorder);
  let sink = 0;
  const time = (fn: (v: number) => number) => {
    const started = performance.now();
    for (let i = 0; i < iterations; i++) sink = fn(sink);
    return performance.now() - started;
  };
  time(bare.onX);
  time(wrapped.onX); // warm both
  const cost = (time(wrapped.onX) - time(bare.onX)) / iterations;
  return Math.max(0, cost * 1e6) + (sink < 0 ? 1 : 0);
}

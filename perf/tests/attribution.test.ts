import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { attributeProfile } from '../lab/profiler/attribution';
import { explainDifference } from '../lab/profiler/explain';
import { classifyFrame, enclosingTopLevel, packageOf } from '../lab/profiler/owners';
import { samplesToMs, type ProfiledRun } from '../lab/profiler/session';

const root = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const nm = (path: string) => `file://${root}/node_modules/${path}`;
const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

describe('frame owners', () => {
  test('our concern folders are plugins by concern and file; shared readers and built-ins own nothing', () => {
    expect(classifyFrame(frame('walk', `file://${root}/gateway/security/authorization.ts`), root).owner).toEqual({
      kind: 'plugin',
      name: 'security: authorization',
    });
    expect(
      classifyFrame(frame('walkOperation', `file://${root}/gateway/operation/walk.ts`), root).owner,
    ).toBeUndefined();
    expect(classifyFrame(frame('stringify'), root)).toEqual({ library: 'JSON (built-in)' });
    expect(classifyFrame(frame('timePhase', `${root}/perf/lab/profiler/gateway.ts`), root).owner).toBeUndefined();
    expect(classifyFrame(frame('add', `${root}/perf/lab/profiler/hooks.ts`), root).owner?.kind).toBe('profiler');
  });

  test('a package frame inside a `use…` factory is that plugin; elsewhere in a pipeline package it is the runtime', () => {
    const dist = 'node_modules/@graphql-hive/gateway-runtime/dist/index.js';
    const source = readFileSync(`${root}/${dist}`, 'utf8').split('\n');
    const timeoutLine = source.findIndex((line) => line.startsWith('function useUpstreamTimeout'));
    expect(timeoutLine).toBeGreaterThan(0);
    expect(enclosingTopLevel(`${root}/${dist}`, timeoutLine + 3)).toBe('useUpstreamTimeout');
    expect(classifyFrame(frame('onSubgraphExecute', `file://${root}/${dist}`, timeoutLine + 3), root)).toEqual({
      owner: { kind: 'plugin', name: 'useUpstreamTimeout (@graphql-hive/gateway-runtime)' },
      library: 'Hive Gateway runtime',
    });
    const runtimeLine = source.findIndex((line) => line.startsWith('function createGatewayRuntime'));
    expect(classifyFrame(frame('handler', `file://${root}/${dist}`, runtimeLine + 5), root).owner).toEqual({
      kind: 'runtime',
      name: 'runtime: Hive Gateway runtime',
    });
    expect(packageOf(nm('@whatwg-node/promise-helpers/esm/index.js'))).toBe('@whatwg-node/promise-helpers');
    expect(classifyFrame(frame('then', nm('@whatwg-node/promise-helpers/esm/index.js')), root)).toEqual({
      library: 'promise helpers',
    });
    expect(classifyFrame(frame('validate', nm('graphql/validation/validate.js')), root)).toEqual({
      library: 'graphql-js',
    });
  });
});

/** A small profile: ids, frames, parents; samples listed by node id. */
function profileOf(tree: [id: number, parent: number | null, frame: ReturnType<typeof frame>][], samples: number[]) {
  const nodes = tree.map(([id, , callFrame]) => ({
    id,
    callFrame,
    children: tree.filter(([, parent]) => parent === id).map(([child]) => child),
  }));
  return { nodes, samples, startTime: 1_000, timeDeltas: samples.map(() => 10) };
}

describe('attribution', () => {
  const envelop = nm('@envelop/core/esm/orchestrator.js');
  const profile = profileOf(
    [
      [1, null, frame('(root)')],
      [2, 1, frame('handle', envelop)],
      // A hook wrapper of plugin 0 whose hook is our authorization, which calls graphql-js.
      [3, 2, frame('autograph_plugin_0_onExecute')],
      [4, 3, frame('onExecute', `file://${root}/gateway/security/authorization.ts`)],
      [5, 4, frame('visit', nm('graphql/language/visitor.js'))],
      // A tracing plugin's wrapper around the whole execution: the pipeline below owns its work.
      [6, 2, frame('autograph_plugin_1_onExecute')],
      [7, 6, frame('wrapExecute', `file://${root}/gateway/telemetry/use-tracing.ts`)],
      [8, 7, frame('executePlan', nm('@graphql-hive/router-runtime/dist/index.js'))],
      [9, 8, frame('stringify')],
      // Promise plumbing with no owner at all.
      [10, 1, frame('then', nm('@whatwg-node/promise-helpers/esm/index.js'))],
    ],
    [5, 5, 5, 4, 9, 9, 7, 10, 10, 3],
  );

  test('each sample goes to the deepest owner on its stack; wrappers are named after the hooks they ran', () => {
    const result = attributeProfile(profile, { root, labels: ['security 5 (onExecute)', 'telemetry 2 (onExecute)'] });
    const byName = Object.fromEntries(result.owners.map((row) => [row.name, row]));
    expect(result.samples).toBe(10);
    // Self: its hook's frame and the wrapper's own frame, which stands for it.
    expect(byName['security: authorization']).toMatchObject({ samples: 5, selfSamples: 2, tags: ['security 5'] });
    expect(byName['runtime: router-runtime (Rust planner)']).toMatchObject({ samples: 2, selfSamples: 0 });
    expect(byName['telemetry: use-tracing']).toMatchObject({ samples: 1, selfSamples: 1, onStackSamples: 3 });
    expect(byName['runtime: no plugin on the stack']!.samples).toBe(2);
    expect(result.owners.reduce((sum, row) => sum + row.samples, 0)).toBe(10);
    const graphql = result.libraries.find((row) => row.name === 'graphql-js')!;
    expect(graphql).toEqual({ name: 'graphql-js', selfSamples: 3, onStackSamples: 3 });
  });

  test('only samples inside the measured window count', () => {
    // Sample i is taken at 1,000 + 10 (i + 1) µs.
    const result = attributeProfile(profile, { root, fromUs: 1_075, toUs: 1_100 });
    expect(result.samples).toBe(3);
    expect(result.owners.filter((row) => row.samples).map((row) => [row.name, row.samples])).toEqual([
      ['runtime: no plugin on the stack', 2],
      ['security: authorization', 1],
    ]);
  });

  test('the full − bare difference: samples become ms of the JavaScript thread, plugins are summed against the ablation', () => {
    const run = (attribution: ProfiledRun['attribution'], main: number) =>
      ({ attribution, threadsMsPerRequest: { 'main (JavaScript)': main, 'HTTP Client': 0.2 } }) satisfies Pick<
        ProfiledRun,
        'attribution' | 'threadsMsPerRequest'
      >;
    const full = run(attributeProfile(profile, { root }), 2);
    const bare = run(
      {
        samples: 10,
        owners: [
          {
            name: 'runtime: no plugin on the stack',
            kind: 'runtime',
            samples: 10,
            selfSamples: 0,
            onStackSamples: 0,
            tags: [],
          },
        ],
        libraries: [],
        pluginNames: {},
      },
      1,
    );
    expect(samplesToMs(full, 5)).toBeCloseTo(1, 9);
    const explanation = explainDifference(full, bare, 1.25);
    const row = (name: string) => explanation.rows.find((r) => r.name === name)!;
    expect(row('security: authorization').deltaMs).toBeCloseTo(1, 9);
    expect(row('runtime: no plugin on the stack').deltaMs).toBeCloseTo(0.4 - 1, 9);
    expect(explanation.pluginsDeltaMs).toBeCloseTo(1.2, 9); // authorization 1.0 + tracing 0.2
    expect(explanation.explainedShare).toBeCloseTo(0.96, 9);
    expect(explanation.otherThreadsDeltaMs).toEqual({ 'HTTP Client': 0 });
    // A difference no larger than two runs of the same gateway differed states no share.
    expect(explainDifference(full, bare, 1.25, 1.3).explainedShare).toBeNull();
  });
});

describe('a recorded profile', () => {
  // 600 samples of the profiled gateway under offer-list-2hop (full chain), pruned to their stacks;
  // paths under the checkout are written `<root>`.
  const recorded = JSON.parse(
    readFileSync(new URL('./fixtures/gateway-offer-list.cpuprofile.json', import.meta.url), 'utf8').replaceAll(
      '<root>',
      root,
    ),
  );

  test('every sample lands on exactly one owner, and every hook wrapper gets a name from its code', () => {
    // The profiler's labels for unnamed plugins are positions; the report must not show them.
    const labels = Array.from({ length: 64 }, (_, id) => `#${id} (onExecute)`);
    const result = attributeProfile(recorded, { root, labels });
    expect(result.samples).toBe(600);
    expect(result.owners.reduce((sum, row) => sum + row.samples, 0)).toBe(600);
    const names = result.owners.map((row) => row.name);
    // Named by what ran, never by position or wrapper id.
    for (const name of names) expect(name).not.toMatch(/^#\d|^plugin \d|^autograph_plugin_/);
    expect(names).toContain('useUpstreamTimeout (@graphql-hive/gateway-runtime)');
    expect(names).toContain('operation/variables: useVariableErrors');
    expect(names.some((name) => /^(security|rate-limit|resilience|telemetry|caching): /.test(name))).toBe(true);
    expect(names.some((name) => name.startsWith('runtime: '))).toBe(true);
    const plugins = result.owners.filter((row) => row.kind === 'plugin');
    expect(plugins.length).toBeGreaterThan(5);
    // Self never exceeds what an owner is charged, nor that what is on the stack.
    for (const row of result.owners) {
      expect(row.selfSamples).toBeLessThanOrEqual(row.samples);
      expect(row.samples).toBeLessThanOrEqual(row.onStackSamples || row.samples);
    }
  });
});

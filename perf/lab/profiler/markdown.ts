import { sharedMachineNote } from '../report';
import type { ExplainedRow } from './explain';
import type { HookRow, ProfileReport } from './report';

const ms = (v: number | null | undefined, digits = 3) =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
const pct = (v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(v * 100).toFixed(1)} %`;

/** Which plugin to remove or fix: the full chain's CPU per request by owner, against bare. */
function ownersTable(rows: ExplainedRow[], limit = 30): string {
  const shown = rows.filter((row) => Math.abs(row.deltaMs) >= 0.001 || row.fullMs >= 0.001).slice(0, limit);
  return `| owner | kind | full chain, ms/req | of which own code | bare, ms/req | added by the chain |
|-------|------|------------------:|------------------:|-------------:|-------------------:|
${shown.map((row) => `| ${row.name}${row.tags.length ? ` [${row.tags.join(', ')}]` : ''} | ${row.kind} | ${ms(row.fullMs)} | ${ms(row.fullSelfMs)} | ${ms(row.bareMs)} | **${ms(row.deltaMs)}** |`).join('\n')}`;
}

/** The full − bare difference the two profiles themselves show (every owner and thread), less the profiler's own part. */
export function profiledDifference(x: ProfileReport['explanation']) {
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  const profiler = sum(x.rows.filter((row) => row.kind === 'profiler').map((row) => row.deltaMs));
  const delta = sum(x.rows.map((row) => row.deltaMs)) + sum(Object.values(x.otherThreadsDeltaMs)) - profiler;
  return { delta, profiler, share: delta > 0 ? x.pluginsDeltaMs / delta : null };
}

export function renderProfileMarkdown(report: ProfileReport): string {
  const [full, bare] = report.runs;
  const x = report.explanation;
  const ablation = report.ablation;
  const profiled = profiledDifference(x);
  return `# Where the gateway's CPU goes: ${report.scenario}

${report.machine.date} · commit ${report.machine.commit} · ${report.machine.cpu} · Bun ${report.machine.bun} · ${report.load.driver}, ${report.load.connections} connections, ${report.load.durationSec} s per profiled run

${sharedMachineNote(undefined)}

## Attribution: plugins against the measured difference

Each CPU sample of the gateway's JavaScript thread (\`bun --cpu-prof\`, measured window only) goes to the deepest frame on its stack that belongs to a plugin or to the runtime: a plugin is charged for the libraries it calls (graphql-js, jose, JSON, promises), not for the execution a wrapping hook lets run below it. Samples become milliseconds as their share of that thread's CPU per request. The same is done for the bare gateway (every plugin off), so "added by the chain" is what each owner costs the full chain beyond bare.

- Gateway CPU per request, unprofiled: full chain **${ms(ablation?.fullMs)} ms**, bare **${ms(ablation?.bareMs)} ms**, difference **${ms(x.ablationDeltaMs)} ms**${ablation ? ` (first and last full-chain runs differed by ${pct(ablation.noise.ms)})` : ''}.
- ${x.explainedShare === null ? `That difference is not larger than the two full-chain runs differed: within the noise of these runs, so no share of it can be stated; named plugins account for ${ms(x.pluginsDeltaMs)} ms in the profiles.` : `Named plugins account for **${ms(x.pluginsDeltaMs)} ms** of it: **${pct(x.explainedShare)}**${x.explainedShare >= 0.8 ? ' (at least 80 %: the table names where the chain spends)' : ' (under 80 %: the rest is in the runtime rows and the other threads below)'}.`}
- Profiled, full chain − bare: **${ms(profiled.delta)} ms** per request without the profiler's own ${ms(profiled.profiler)} ms; named plugins account for **${pct(profiled.share)}** of it. The unprofiled runs are the truth, but on a busy machine a difference under about a millisecond between two short runs of fresh processes is within their noise; the profiled pair ran back to back under the same load.
- Profiled: full chain ${ms(full?.gatewayMsPerRequest)} ms per request (${full?.samples ?? 0} samples, ${Math.round(full?.rps ?? 0)} RPS)${bare ? `, bare ${ms(bare.gatewayMsPerRequest)} ms (${bare.samples} samples, ${Math.round(bare.rps)} RPS)` : ''}.
- Other threads, full − bare per request: ${
    Object.entries(x.otherThreadsDeltaMs)
      .map(([thread, value]) => `${thread} ${ms(value)} ms`)
      .join(', ') || '–'
  }.

${ownersTable(x.rows)}

"runtime" rows are Yoga, Envelop, Hive Gateway and the planner doing their own work; a plugin's tags (\`security 4\`) are its place in our chain (\`gateway/chain.ts\`). Names come from the code the samples were in: our files by concern and file (\`security: authorization\` is \`gateway/security/authorization.ts\`), packages by the \`use…\` factory that defined the running function.

${
  ablation?.rows.length
    ? `## Ablation: each concern off, unprofiled

| switched off | gateway ms/req | saved vs full chain | attributed by the profile | RPS | RPS change |
|--------------|---------------:|--------------------:|--------------------------:|----:|-----------:|
${ablation.rows
  .map((row) => {
    const pattern = new RegExp(row.owners);
    const attributed = x.rows
      .filter((r) => r.kind === 'plugin' && pattern.test(r.name))
      .reduce((s, r) => s + r.deltaMs, 0);
    return `| ${row.off} | ${ms(row.ms)} | ${ms(row.savedMs)} | ${ms(attributed)} | ${Math.round(row.rps)} | ${pct(row.rpsChange)} |`;
  })
  .join('\n')}

Each row is a fresh gateway process with one switch off; the full chain ran first and last (noise ${pct(ablation.noise.ms)} in CPU per request, ${pct(ablation.noise.rps)} in RPS). "attributed by the profile" sums the owners the switch removes (\`perf/lab/ablation.ts\`).
`
    : ''
}
## Libraries (full chain)

| library | self | on the stack |
|---------|-----:|-------------:|
${report.libraries
  .slice(0, 25)
  .map((row) => `| ${row.name} | ${pct(row.selfShare)} | ${pct(row.onStackShare)} |`)
  .join('\n')}

"self": samples taken in the library's own code; "on the stack": samples with any of its frames on the stack (a library called by everyone, like the promise helpers, is on most stacks).

## Hooks (wall time in the hook; async hooks until their promise settles)

Gateway request time: mean ${ms(report.request.meanMs, 2)} ms, p95 ${ms(report.request.p95Ms, 2)} ms over ${full?.requests ?? 0} requests. A hook's own time misses what the runtime does because the plugin is there (promise plumbing per hook, work a hook sets up for later): the attribution above counts that.

| plugin | hook | calls/req | mean ms | p95 ms | p99 ms | share of gateway time |
|--------|------|----------:|--------:|-------:|-------:|----------------------:|
${report.hooks
  .slice(0, 40)
  .map(
    (r: HookRow) =>
      `| ${r.plugin} | ${r.hook} | ${r.callsPerRequest.toFixed(2)} | ${ms(r.meanMs)} | ${ms(r.p95Ms)} | ${ms(r.p99Ms)} | ${pct(r.share)} |`,
  )
  .join('\n')}

## The profiler's own cost

${report.overhead.wrapperNsPerCall.toFixed(0)} ns per wrapped hook call × ${report.overhead.hookCallsPerRequest.toFixed(1)} hook calls per request ≈ ${(report.overhead.estimatedMsPerRequest * 1000).toFixed(1)} µs per request. Profiled: ${Math.round(report.overhead.profiledRps)} RPS and ${ms(report.overhead.profiledMsPerRequest)} ms CPU per request; unprofiled: ${report.overhead.plainRps === null ? '–' : Math.round(report.overhead.plainRps)} RPS and ${ms(report.overhead.plainMsPerRequest)} ms.

${report.flameGraph ? `## CPU flame graph\n\n![flame graph](${report.flameGraph}) (collapsed stacks: \`profile-${report.scenario}.collapsed.txt\`; open \`${full?.cpuProfile}\` in speedscope or Chrome DevTools)\n` : 'No CPU profile was written.\n'}`;
}

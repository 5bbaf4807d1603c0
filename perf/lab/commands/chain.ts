import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getScenario } from '../../scenarios';
import { ABLATIONS, ALL_OFF, RESPONSE_CACHE_OFF } from '../ablation';
import { defaultDriver, runLoad } from '../load';
import { describeMachine, type MachineInfo } from '../machine';
import { RESULTS_DIR } from '../report';
import { createRequestSource } from '../requests';
import { prepareScenario } from '../setup';
import { median } from '../stats';
import { processUsage, startGatewayVariant, startLabSystem, type GatewayVariant, type LabSystem } from '../target';

/** One gateway configuration of the paired run: the full chain, bare, or the full chain with one concern off. */
export interface ChainContender {
  name: string;
  env: Record<string, string>;
}

export interface ChainRow {
  name: string;
  /** Gateway CPU per request (ms), each round. */
  cpuMs: number[];
  /** Median over rounds of this contender's CPU ÷ bare's CPU in the same round. */
  ratioToBare: number;
  /** Median over rounds of (full chain − this contender) in the same round: what switching it off saves. */
  savedMs: number | null;
  rps: number[];
  failures: number;
  /** The gateway's own CPU while not loaded (% of a core), taken off its figures. */
  backgroundPercent: number;
}

export interface ChainReport {
  machine: MachineInfo;
  scenario: string;
  rounds: number;
  durationSec: number;
  connections: number;
  rows: ChainRow[];
}

export const BARE = 'bare: every plugin off';
export const FULL = 'full chain (response cache off)';

/** Bare, the full chain without the response cache (the uncached figure), then one concern off at a time. */
export const CHAIN_CONTENDERS: ChainContender[] = [
  { name: BARE, env: ALL_OFF },
  { name: FULL, env: RESPONSE_CACHE_OFF },
  ...ABLATIONS.map((ablation) => ({
    name: `without ${ablation.name}`,
    env: { ...RESPONSE_CACHE_OFF, ...ablation.env },
  })),
];

/**
 * Paired rows from per-round CPU figures (pure: tested on known inputs). Every ratio and saving is
 * taken within one round and then the median over rounds: this machine's speed drifts by a
 * quarter between minutes, so only figures measured side by side may be divided.
 */
export function pairRounds(
  measured: { name: string; cpuMs: number[]; rps: number[]; failures: number; backgroundPercent: number }[],
): ChainRow[] {
  const bare = measured.find((m) => m.name === BARE);
  const full = measured.find((m) => m.name === FULL);
  if (!bare || !full) throw new Error('the paired run needs both the bare gateway and the full chain');
  return measured.map((m) => ({
    ...m,
    ratioToBare: median(m.cpuMs.map((cpu, round) => cpu / bare.cpuMs[round]!)),
    savedMs: m.name === FULL || m.name === BARE ? null : median(m.cpuMs.map((cpu, round) => full.cpuMs[round]! - cpu)),
  }));
}

/**
 * `bun perf chain`: what the chain costs the gateway, per concern, measured in pairs. Every
 * contender is its own gateway process on the same subgraphs and data; all stay up and take the
 * scenario's load in turn, round after round, and only the gateway process's CPU is counted
 * (/proc, utime + stime). The subgraphs' and PostgreSQL's cost is the same for all of them and not
 * part of the figure. The goal of the chain: full ≤ 1.1 × bare.
 */
export async function chainCommand(flags: {
  scenario?: string;
  rounds?: string;
  duration?: string;
  connections?: string;
  label?: string;
  only?: string;
}) {
  const scenario = getScenario(flags.scenario ?? 'offer-list-2hop');
  const rounds = flags.rounds ? Number(flags.rounds) : 5;
  const durationSec = flags.duration ? Number(flags.duration) : 5;
  const connections = flags.connections ? Number(flags.connections) : 16;
  if (!(Number.isInteger(rounds) && rounds >= 1) || !(durationSec > 0) || !(connections > 0))
    throw new Error('--rounds, --duration and --connections must be positive numbers');
  // --only bare,full: just the two figures of the goal (a quicker before/after).
  const contenders = flags.only
    ? CHAIN_CONTENDERS.filter((c) => flags.only!.split(',').some((word) => c.name.includes(word.trim())))
    : CHAIN_CONTENDERS;
  const driver = defaultDriver(undefined);
  let lab: LabSystem | undefined;
  const started: { contender: ChainContender; gateway: GatewayVariant }[] = [];
  try {
    log('starting the system');
    lab = await startLabSystem({ log });
    const registry = { url: lab.system.registryUrl, token: lab.system.registryToken, target: 'main' };
    const context = await prepareScenario(scenario, { gatewayUrl: lab.system.gatewayUrl, registry });
    for (const contender of contenders)
      started.push({ contender, gateway: await startGatewayVariant(lab, contender.env) });
    const next = createRequestSource(scenario, context);
    const measured = started.map(({ contender }) => ({
      name: contender.name,
      cpuMs: [] as number[],
      rps: [] as number[],
      failures: 0,
      backgroundPercent: 0,
    }));
    log(`warm-up: every gateway ${durationSec} s`);
    for (const { gateway } of started)
      await runLoad({ url: gateway.url, scenario, next, connections, durationSec, driver });
    // Each gateway's own background (timers, supergraph polling, metrics collectors, GC) is
    // measured while the others take their turn, and taken off its loaded figure: at a few hundred
    // RPS it would otherwise be a visible share of "CPU per request".
    const idle = started.map(() => ({ cpuSec: 0, sec: 0, last: null as { cpuSec: number; at: number } | null }));
    for (let round = 1; round <= rounds; round++) {
      for (const [index, { gateway, contender }] of started.entries()) {
        const before = processUsage(gateway.pid);
        const beforeAt = performance.now();
        const background = idle[index]!;
        if (before && background.last) {
          background.cpuSec += before.cpuSec - background.last.cpuSec;
          background.sec += (beforeAt - background.last.at) / 1000;
        }
        const result = await runLoad({ url: gateway.url, scenario, next, connections, durationSec, driver });
        const after = processUsage(gateway.pid);
        if (!before || !after) throw new Error(`${contender.name}: its process is gone`);
        const loadedSec = (performance.now() - beforeAt) / 1000;
        background.last = { cpuSec: after.cpuSec, at: performance.now() };
        const backgroundSec = background.sec > 0 ? (background.cpuSec / background.sec) * loadedSec : 0;
        const row = measured[index]!;
        row.backgroundPercent = background.sec > 0 ? (background.cpuSec / background.sec) * 100 : 0;
        row.cpuMs.push(((after.cpuSec - before.cpuSec - backgroundSec) * 1000) / result.requests);
        row.rps.push(result.requests / result.durationSec);
        row.failures += result.failures;
        log(
          `round ${round}/${rounds} ${contender.name}: ${row.cpuMs.at(-1)!.toFixed(3)} ms CPU per request, ${Math.round(row.rps.at(-1)!)} RPS`,
        );
      }
    }
    const report: ChainReport = {
      machine: describeMachine(),
      scenario: scenario.name,
      rounds,
      durationSec,
      connections,
      rows: pairRounds(measured),
    };
    const base = `chain-${scenario.name}${flags.label ? `-${flags.label}` : ''}`;
    writeFileSync(join(RESULTS_DIR, `${base}.json`), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(RESULTS_DIR, `${base}.md`), renderChainMarkdown(report));
    log(`wrote perf/results/${base}.md`);
  } finally {
    for (const { gateway } of started) await gateway.stop().catch(() => {});
    await lab?.stop();
  }
}

export function renderChainMarkdown(report: ChainReport): string {
  const full = report.rows.find((row) => row.name === FULL);
  const fmt = (ms: number) => ms.toFixed(3);
  const lines = [
    `# What the chain costs the gateway: ${report.scenario}`,
    '',
    `${report.machine.date} · commit ${report.machine.commit} · ${report.machine.cpu} · Bun ${report.machine.bun} · ${report.connections} connections, ${report.rounds} rounds of ${report.durationSec} s per gateway after a warm-up`,
    '',
    'Every row is its own gateway process on the same subgraphs and data, loaded in turn, round after round, with varied variables. Only the gateway process is counted (utime + stime from /proc per request). Ratios and savings are taken within a round, then the median over rounds: the machine drifts between minutes, so only figures measured side by side are divided.',
    '',
    full
      ? `**Full chain ÷ bare: ${full.ratioToBare.toFixed(2)}×** (goal ≤ 1.10×: ${full.ratioToBare <= 1.1 ? 'met' : 'not met'}).`
      : '',
    '',
    '| gateway | CPU per request, median | × bare | saved vs full chain | per round (ms) | RPS, median | failures | background |',
    '|---------|------------------------:|-------:|--------------------:|----------------|------------:|---------:|-----------:|',
    ...report.rows.map(
      (row) =>
        `| ${row.name} | ${fmt(median(row.cpuMs))} ms | ${row.ratioToBare.toFixed(2)} | ${row.savedMs === null ? '–' : `${fmt(row.savedMs)} ms`} | ${row.cpuMs.map(fmt).join(', ')} | ${Math.round(median(row.rps))} | ${row.failures} | ${row.backgroundPercent.toFixed(1)} % |`,
    ),
    '',
    '"background" is the gateway\'s own CPU while the others were loaded (timers, polling, collectors), taken off its figures before dividing by requests.',
    '',
    '"saved vs full chain" is what turning that one concern off saves, paired per round; concerns overlap (JWT verification off also turns authorization off), so the savings need not add up to full − bare.',
    '',
  ];
  return lines.join('\n');
}

function log(message: string) {
  console.log(`[perf chain] ${message}`);
}

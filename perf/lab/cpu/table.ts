import type { TierReading } from './tiers';

/**
 * CPU per request per tier: the CPU seconds each tier used during the measured window divided by
 * the requests completed in it. On a shared, busy machine RPS moves with whatever else runs; the
 * CPU one request costs each tier moves far less, so it is the figure to compare between runs.
 */
export interface CpuRow {
  tier: string;
  cpuSec: number;
  /** CPU milliseconds per completed request; null when no request completed. */
  msPerRequest: number | null;
  /** Share of one core over the window. */
  percentOfCore: number;
  note: string;
}

export interface CpuTable {
  requests: number;
  durationSec: number;
  rows: CpuRow[];
  /** Every tier but the load generator: what the system under test spends on one request. */
  systemMsPerRequest: number | null;
}

export const LOAD_GENERATOR = 'load generator';

export function cpuTable(readings: TierReading[], requests: number, durationSec: number): CpuTable {
  const perRequest = (cpuSec: number) => (requests > 0 ? (cpuSec * 1000) / requests : null);
  const rows = readings.map((reading) => ({
    tier: reading.name,
    cpuSec: reading.cpuSec,
    msPerRequest: reading.processes > 0 || reading.cpuSec > 0 ? perRequest(reading.cpuSec) : null,
    percentOfCore: durationSec > 0 ? (reading.cpuSec / durationSec) * 100 : 0,
    note: describe(reading, requests),
  }));
  const system = readings.filter((reading) => reading.name !== LOAD_GENERATOR);
  return {
    requests,
    durationSec,
    rows,
    systemMsPerRequest: perRequest(system.reduce((sum, reading) => sum + reading.cpuSec, 0)),
  };
}

function describe(reading: TierReading, requests: number): string {
  const parts: string[] = [];
  if (reading.note) parts.push(reading.note);
  if (reading.processes === 0 && reading.cpuSec === 0) parts.push('no process found');
  const groups = Object.entries(reading.byGroup).sort((a, b) => b[1] - a[1]);
  if (groups.length && requests > 0)
    parts.push(groups.map(([group, sec]) => `${group} ${((sec * 1000) / requests).toFixed(3)} ms`).join(', '));
  if (reading.lost) parts.push(`${reading.lost} process(es) ended during the window: their last CPU is missing`);
  return parts.join('; ');
}

/** A row measured elsewhere (the bare gateway of a comparison), or a tier this report did not measure. */
export function extraRow(tier: string, msPerRequest: number | null, note: string): CpuRow {
  return { tier, cpuSec: Number.NaN, msPerRequest, percentOfCore: Number.NaN, note };
}

export function renderCpuTable(table: CpuTable): string {
  const ms = (value: number | null) => (value === null || !Number.isFinite(value) ? '–' : `${value.toFixed(3)} ms`);
  const pct = (value: number) => (Number.isFinite(value) ? `${Math.round(value)} %` : '–');
  return `| tier | CPU per request | share of one core | note |
|------|----------------:|------------------:|------|
${table.rows.map((row) => `| ${row.tier} | ${ms(row.msPerRequest)} | ${pct(row.percentOfCore)} | ${row.note.replace(/\|/g, '/')} |`).join('\n')}
| **system under test** (every tier but the load generator) | **${ms(table.systemMsPerRequest)}** | | |

${table.requests} requests in ${table.durationSec.toFixed(1)} s. CPU from /proc/<pid>/stat (utime + stime, 10 ms ticks) at the start and end of the measured window.`;
}

/** Several runs side by side: one row per tier, one column per run (tiers a run lacks show –). */
export function renderCpuMatrix(columns: { name: string; table: CpuTable }[]): string {
  const tiers = [...new Set(columns.flatMap((column) => column.table.rows.map((row) => row.tier)))];
  const cell = (table: CpuTable, tier: string) => {
    const value = table.rows.find((row) => row.tier === tier)?.msPerRequest;
    return value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(3);
  };
  return `| tier (ms CPU per request) | ${columns.map((column) => column.name).join(' | ')} |
|------|${columns.map(() => '---:').join('|')}|
${tiers.map((tier) => `| ${tier} | ${columns.map((column) => cell(column.table, tier)).join(' | ')} |`).join('\n')}
| **system under test** | ${columns.map((column) => (column.table.systemMsPerRequest === null ? '–' : `**${column.table.systemMsPerRequest.toFixed(3)}**`)).join(' | ')} |`;
}

import type { LoadResult } from '../load';
import { ADMIN_URL, type LabSystem } from '../target';
import { commandLine, listeningPid, parentPid } from './processes';
import { cpuTable, LOAD_GENERATOR, type CpuTable } from './table';
import { postgresTier, processTreeTier, redisTier, startCpuMeter, subgraphTiers, type Tier } from './tiers';

/**
 * The tiers of a load run: the gateway under test (with its workers, GATEWAY_WORKERS), each subgraph, PostgreSQL's backends of the
 * lab's database and Redis when the lab started the system; against a running system (`--url`),
 * the process listening on the gateway's port and Redis, if the lab can find them.
 */
export async function labTiers(options: {
  gatewayUrl: string;
  gatewayPid?: number;
  lab?: LabSystem;
  redisUrl?: string;
}): Promise<Tier[]> {
  const port = Number(new URL(options.gatewayUrl).port || 80);
  const gatewayPid = options.gatewayPid ?? gatewayRoot(listeningPid(port));
  const tiers: Tier[] = [
    processTreeTier('gateway', gatewayPid, gatewayPid ? undefined : `no process found on port ${port}`),
  ];
  if (options.lab) {
    tiers.push(...subgraphTiers(Object.keys(options.lab.system.subgraphUrls)));
    tiers.push(postgresTier(ADMIN_URL, new URL(options.lab.system.databaseUrl).pathname.slice(1)));
  }
  const redisUrl = options.redisUrl ?? options.lab?.redisUrl;
  if (redisUrl) tiers.push(await redisTier(redisUrl));
  return tiers;
}

/** The process listening on the gateway's port, or the primary above it when it is one of several workers. */
function gatewayRoot(listening: number | null): number | null {
  const parent = listening && parentPid(listening);
  const isGateway = (pid: number) => commandLine(pid).some((arg) => arg.endsWith('gateway/main.ts'));
  return parent && isGateway(listening) && isGateway(parent) ? parent : listening;
}

/** Runs one load while measuring every tier's CPU; the load generator's CPU comes with the load's result. */
export async function withCpu<T extends LoadResult>(
  tiers: Tier[],
  run: () => Promise<T>,
): Promise<{ result: T; cpu: CpuTable }> {
  const meter = await startCpuMeter(tiers);
  const result = await run();
  const readings = await meter.stop();
  readings.push({
    name: LOAD_GENERATOR,
    cpuSec: result.generator.cpuSec,
    processes: 1,
    lost: 0,
    byGroup: {},
    note: result.generator.note,
  });
  return { result, cpu: cpuTable(readings, result.requests, result.durationSec) };
}

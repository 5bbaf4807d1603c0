import { composeContract, type TagFilter } from '../compose';
import type { SubgraphSnapshot } from '../db/schema';
import type { CoordinateUsage, UsageWindow } from '../usage';
import { diffSchemas, type ContractCheck } from './index';
import { classifyByUsage, usageCoordinate } from './usage-aware';

/** A contract as a check sees it: its tag filter and the API schema it serves today (null: none yet). */
export interface ContractDefinition extends TagFilter {
  id: number;
  name: string;
  currentApiSdl: string | null;
}

export type ContractProposal = ContractCheck & {
  id: number;
  supergraph?: { supergraphSdl: string; apiSdl: string; hash: string };
};

/**
 * Composes every contract from the proposed subgraphs and diffs its API schema against the one it
 * serves, the same breaking-change analysis as the target's own (graphql-inspector).
 */
export async function checkContracts(
  proposed: SubgraphSnapshot[],
  contracts: ContractDefinition[],
): Promise<ContractProposal[]> {
  const results: ContractProposal[] = [];
  for (const contract of contracts) {
    const composition = composeContract(proposed, contract);
    if (!composition.ok) {
      results.push({
        id: contract.id,
        name: contract.name,
        composition: { ok: false, errors: composition.errors },
        apiChanges: [],
        breaking: 0,
        blocking: 0,
      });
      continue;
    }
    const apiChanges = contract.currentApiSdl ? await diffSchemas(contract.currentApiSdl, composition.apiSdl) : [];
    const breaking = apiChanges.filter((c) => c.level === 'breaking').length;
    results.push({
      id: contract.id,
      name: contract.name,
      composition: { ok: true, errors: [] },
      apiChanges,
      breaking,
      blocking: breaking,
      supergraph: { supergraphSdl: composition.supergraphSdl, apiSdl: composition.apiSdl, hash: composition.hash },
    });
  }
  return results;
}

/** The coordinates whose usage decides the contracts' breaking changes. */
export const contractCoordinates = (results: ContractProposal[]) =>
  results.flatMap((r) =>
    r.apiChanges
      .filter((c) => c.level === 'breaking')
      .map(usageCoordinate)
      .filter((c): c is string => c !== null),
  );

/** Each contract's breaking changes weighed by the target's recorded usage, like the target's own. */
export function weighContracts(
  results: ContractProposal[],
  window: UsageWindow,
  used: Map<string, CoordinateUsage>,
): ContractProposal[] {
  return results.map((result) => {
    if (!result.composition.ok) return result;
    const apiChanges = classifyByUsage(result.apiChanges, window, used);
    return { ...result, apiChanges, blocking: apiChanges.filter((c) => c.blocking).length };
  });
}

/** The report's view of a contract check (without the composed artifacts). */
export const contractSummary = ({ id: _id, supergraph: _supergraph, ...check }: ContractProposal): ContractCheck =>
  check;

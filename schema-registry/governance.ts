import type { CheckReport } from './checks';
import {
  checkContracts,
  contractCoordinates,
  contractSummary,
  weighContracts,
  type ContractDefinition,
  type ContractProposal,
} from './checks/contracts';
import { lintSchema } from './checks/policy';
import type { PolicyRules, SubgraphSnapshot } from './db/schema';
import type { Usage } from './usage';

/**
 * The governance half of a check, after composition and the target's own evidence: every schema
 * contract composed from the proposal (breaking changes weighed by usage, like the target's), and
 * the target's policy applied to the changed subgraph's SDL. A contract that does not compose
 * rejects the change (never forced); contract breaking changes in use and policy errors block.
 */
export async function weighGovernance(
  report: CheckReport,
  context: {
    target: { name: string; usageWindowDays: number; policy: PolicyRules };
    proposed: SubgraphSnapshot[];
    changed: { before: string | null; after: string | null };
    contracts: ContractDefinition[];
    usage: Usage;
    composed: boolean;
  },
): Promise<{ report: CheckReport; contracts: ContractProposal[]; contractsCompose: boolean }> {
  const { target, changed, usage } = context;
  let contracts: ContractProposal[] = [];
  if (context.composed && context.contracts.length > 0) {
    contracts = await checkContracts(context.proposed, context.contracts);
    const window = report.usage?.window;
    const coordinates = [...new Set(contractCoordinates(contracts))];
    if (window) {
      const used = await usage.byCoordinate(target.name, coordinates, target.usageWindowDays);
      contracts = weighContracts(contracts, window, used);
    }
  }
  const policy = changed.after ? lintSchema(changed.after, target.policy, changed.before) : null;
  const blocking =
    report.blocking + contracts.reduce((sum, contract) => sum + contract.blocking, 0) + (policy?.errors ?? 0);
  const contractsCompose = contracts.every((contract) => contract.composition.ok);
  return {
    report: {
      ...report,
      ok: report.composition.ok && contractsCompose && blocking === 0,
      blocking,
      ...(contracts.length > 0 ? { contracts: contracts.map(contractSummary) } : {}),
      ...(policy && Object.keys(target.policy).length > 0 ? { policy } : {}),
    },
    contracts,
    contractsCompose,
  };
}

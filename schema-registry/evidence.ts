import type { Proposal } from './checks';
import { diffQueryPlans } from './checks/plan-diff';
import { classifyByUsage, describeWindow, usageCoordinate } from './checks/usage-aware';
import type { targets } from './db/schema';
import type { Documents } from './documents';
import type { Usage } from './usage';

type Target = typeof targets.$inferSelect;

/**
 * Weighs a composed proposal against what the target has seen: recorded usage decides which
 * breaking changes block, trusted documents that would stop validating block, and the most used
 * operations are re-planned to show which get slower. Runs inside the target's publish lock.
 */
export async function weighEvidence(
  proposal: Proposal,
  context: {
    target: Target;
    current: { supergraphSdl: string; apiSdl: string } | null;
    usage: Usage;
    documents: Documents;
  },
): Promise<Proposal> {
  const { target, current, usage, documents } = context;
  if (!proposal.composition.ok || !proposal.supergraph) return proposal;

  const window = await usage.window(target.name, target.usageWindowDays, target.usageThresholdPercent);
  const coordinates = proposal.apiChanges
    .filter((c) => c.level === 'breaking')
    .map(usageCoordinate)
    .filter((c): c is string => c !== null);
  const used = await usage.byCoordinate(target.name, [...new Set(coordinates)], target.usageWindowDays);
  const apiChanges = classifyByUsage(proposal.apiChanges, window, used);

  const documentCheck = await documents.brokenBy(target.name, current?.apiSdl ?? null, proposal.supergraph.apiSdl);

  const recorded =
    current && target.planCheckOperations > 0
      ? await usage.top(target.name, target.usageWindowDays, target.planCheckOperations)
      : [];
  const plans = current
    ? diffQueryPlans({
        current,
        proposed: proposal.supergraph,
        operations: recorded.map((op) => ({
          hash: op.hash,
          name: op.name,
          document: op.document,
          requests: Number(op.requests),
        })),
      })
    : undefined;

  const blocking = apiChanges.filter((c) => c.blocking).length + documentCheck.broken.length;
  return {
    ...proposal,
    ok: blocking === 0,
    apiChanges,
    blocking,
    usage: { window, summary: describeWindow(window) },
    documents: documentCheck,
    plans,
  };
}

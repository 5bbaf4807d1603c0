import type { CheckReport } from '../checks';

/** What the schema contracts and the policy add to a report's `blocking` count. */
export const governanceBlocking = (report: CheckReport) =>
  (report.contracts ?? []).reduce((sum, contract) => sum + contract.blocking, 0) + (report.policy?.errors ?? 0);

/** Why a rejected change's contracts and policy block it, for the 409 message. */
export function governanceReasons(report: CheckReport): string[] {
  const contractBreaking = (report.contracts ?? []).filter((contract) => contract.blocking > 0);
  return [
    ...contractBreaking.map((contract) => `${contract.blocking} breaking change(s) to contract ${contract.name}`),
    ...(report.policy?.errors ? [`${report.policy.errors} schema policy error(s)`] : []),
  ];
}
